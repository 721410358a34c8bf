package dev.tersor.nn;

import dev.tersor.tensor.Tensor;

/** {@code x·Φ(x)} (exact, as PyTorch). */
public class GELU extends Module {

    @Override
    public Tensor forward(Tensor x) {
        return x.gelu();
    }
}
