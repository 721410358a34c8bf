package dev.tersor.nn;

import dev.tersor.tensor.Tensor;

/**
 * A trainable tensor owned by a {@link Module}: a leaf that requires grad (unless frozen).
 * Optimizers update {@link #value()} in place; {@link #set} swaps in a new tensor of the same
 * shape (loading weights, compression).
 * <pre>{@code
 * Parameter w = new Parameter(Tensor.zeros(10, 784));
 * Tensor y = x.matmul(w.value().transpose(0, 1));
 * }</pre>
 */
public final class Parameter {
    private Tensor value;

    /** Wraps {@code initial} (not copied) as a leaf that requires grad. */
    public Parameter(Tensor initial) {
        this.value = initial.detach().requiresGrad(true);
    }

    /** The current tensor (a leaf that requires grad unless frozen). */
    public Tensor value() {
        return value;
    }

    /** Its accumulated gradient, or null. */
    public Tensor grad() {
        return value.grad();
    }

    /** A copy of its shape. */
    public int[] shape() {
        return value.shape();
    }

    /** Number of elements. */
    public int numel() {
        return value.numel();
    }

    /** Whether it is trained (false when frozen). */
    public boolean requiresGrad() {
        return value.requiresGrad();
    }

    /** Freezes ({@code false}) or unfreezes ({@code true}) it. */
    public void setRequiresGrad(boolean trainable) {
        value.requiresGrad(trainable);
        if (!trainable) value.zeroGrad();
    }

    /** Replaces the tensor by {@code t} (same shape), keeping the trainable flag. */
    public void set(Tensor t) {
        if (!java.util.Arrays.equals(t.shape(), value.shape())) {
            throw new IllegalArgumentException("parameter of shape " + java.util.Arrays.toString(value.shape())
                    + " cannot be set to a tensor of shape " + java.util.Arrays.toString(t.shape()));
        }
        boolean trainable = value.requiresGrad();
        value = t.detach().requiresGrad(trainable);
    }

    /** Forgets the accumulated gradient. */
    public void zeroGrad() {
        value.zeroGrad();
    }

    @Override
    public String toString() {
        return "Parameter" + java.util.Arrays.toString(value.shape());
    }
}
