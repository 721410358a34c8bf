package dev.tersor.nn;

import dev.tersor.tensor.Tensor;

/** {@code tanh x}. */
public class Tanh extends Module {

    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }
}
