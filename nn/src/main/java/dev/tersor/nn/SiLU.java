package dev.tersor.nn;

import dev.tersor.tensor.Tensor;

/** {@code x·sigmoid(x)}. */
public class SiLU extends Module {

    @Override
    public Tensor forward(Tensor x) {
        return x.silu();
    }
}
