package dev.tersor.nn;

import dev.tersor.tensor.Tensor;

/** {@code 1 / (1 + e^-x)}. */
public class Sigmoid extends Module {

    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }
}
