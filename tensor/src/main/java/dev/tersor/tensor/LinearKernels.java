package dev.tersor.tensor;

import java.util.function.UnaryOperator;

/**
 * An op that is linear in its one input, {@code y = A·x}, run by a raw kernel {@code forward},
 * with a raw kernel {@code adjoint} for {@code Aᵀ·g}. Recorded, its backward is the adjoint;
 * in a create-graph pass the adjoint is itself recorded, with {@code A} as its backward, so the
 * pair can be differentiated to any order (pooling, resampling, im2col, gather and their
 * scatters). The kernels read tensors of any layout and return new ones of the right shape.
 *
 * @param name        the op's name (in the graph and in error messages)
 * @param adjointName the name its adjoint is recorded under
 */
record LinearKernels(String name, String adjointName, UnaryOperator<Tensor> forward, UnaryOperator<Tensor> adjoint) {

    /** {@code A·x}, recorded. */
    Tensor apply(Tensor x) {
        Tensor y = forward.apply(x);
        return Autograd.record(name, y, new Tensor[] {x}, new Tensor[0],
                g -> new Tensor[] {adjoint.apply(g)},
                g -> new Tensor[] {transpose().apply(g)});
    }

    /** The adjoint op {@code Aᵀ}, whose adjoint is {@code A}. */
    LinearKernels transpose() {
        return new LinearKernels(adjointName, name, adjoint, forward);
    }
}
