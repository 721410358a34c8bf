package dev.tersor.nn.optim;

import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * What the optimizers' fused update loops share. Each update is one pass over the parameter,
 * the gradient and the state buffers through their backing arrays ({@link Tensor#data()}),
 * element {@code i} of each at index {@code i}, split over threads above {@link #GRAIN}
 * elements with {@link dev.tersor.tensor.backend.Parallel#forRange}. Every element is computed
 * on its own, so the result does not depend on the number of threads.
 * <p>
 * Parameters, gradients and buffers are normally contiguous from index 0 of their arrays (the
 * one layout whose loops the JIT vectorizes), and then a step allocates nothing once the
 * buffers exist. A parameter or gradient laid out otherwise (a strided view, or a slice that
 * starts further into a shared array) is updated through a contiguous copy, written back.
 */
final class FusedUpdate {
    /** Elements per chunk below which a loop stays on one thread. */
    static final int GRAIN = 1 << 15;

    private FusedUpdate() {
    }

    /** Whether the loops can index {@code t}'s array directly: contiguous, starting at index 0. */
    static boolean isDense(Tensor t) {
        return t.isContiguous() && t.dataOffset() == 0;
    }

    /** {@code param} itself when dense, else a dense copy to update and pass to {@link #finish}. */
    static Tensor param(Tensor param) {
        return isDense(param) ? param : param.copy();
    }

    /** {@code grad} itself when dense, else a dense copy; it must have {@code param}'s size. */
    static Tensor grad(String optimizer, Tensor param, Tensor grad) {
        if (grad.numel() != param.numel()) {
            throw new IllegalStateException(optimizer + ": gradient of shape " + Arrays.toString(grad.shape())
                    + " does not fit parameter of shape " + Arrays.toString(param.shape()));
        }
        return isDense(grad) ? grad : grad.copy();
    }

    /** Records the write to {@code param}, copying the updated values in when {@code updated} was a copy. */
    static void finish(Tensor param, Tensor updated) {
        if (updated == param) param.markModified();
        else param.copyInPlace(updated);
    }

    /**
     * The buffer {@code name} of {@code state}, dense: created once as zeros shaped like
     * {@code param}, or replaced once by a dense copy if it was set to another layout.
     */
    static Tensor buffer(ParamState state, String name, Tensor param) {
        Tensor t = state.buffer(name);
        if (t == null) {
            t = Tensor.zeros(param.shape());
            state.setBuffer(name, t);
        } else if (t.numel() != param.numel()) {
            throw new IllegalStateException("optimizer buffer '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", its parameter has shape " + Arrays.toString(param.shape()));
        } else if (!isDense(t)) {
            t = t.copy();
            state.setBuffer(name, t);
        }
        return t;
    }
}
