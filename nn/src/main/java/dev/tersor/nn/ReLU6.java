package dev.tersor.nn;

import dev.tersor.tensor.Tensor;

/** {@code min(max(x, 0), 6)} (hardtanh on [0, 6], as PyTorch). */
public class ReLU6 extends Module {

    @Override
    public Tensor forward(Tensor x) {
        return x.hardtanh(0f, 6f);
    }
}
