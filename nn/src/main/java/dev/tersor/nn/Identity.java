package dev.tersor.nn;

import dev.tersor.tensor.Tensor;

/** Returns its input. */
public class Identity extends Module {

    @Override
    public Tensor forward(Tensor x) {
        return x;
    }
}
