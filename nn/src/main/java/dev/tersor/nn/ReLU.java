package dev.tersor.nn;

import dev.tersor.tensor.Tensor;

/** {@code max(x, 0)}. */
public class ReLU extends Module {

    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }
}
