package dev.tersor.nn;

import dev.tersor.tensor.Tensor;

/** Uniform initial values in ±bound from {@link Rng#global()} (PyTorch's default layer init). */
final class Uniform {
    private Uniform() {
    }

    static Tensor tensor(float bound, int... shape) {
        return Tensor.rand(Rng.global(), shape).mul(2f * bound).sub(bound);
    }
}
