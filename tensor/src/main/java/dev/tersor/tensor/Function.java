package dev.tersor.tensor;

/**
 * A user-defined differentiable op: forward and backward side by side. The forward runs with
 * recording off; the backward receives the gradient of the output and returns one gradient per
 * input (or {@code null} for inputs that need none). A straight-through sign estimator:
 * <pre>{@code
 * class SignSte extends Function {
 *     protected Tensor forward(Context ctx, Tensor... in) {
 *         ctx.save(in[0]);
 *         return in[0].sign();
 *     }
 *     protected Tensor[] backward(Context ctx, Tensor g) {
 *         Tensor x = ctx.saved(0);
 *         return new Tensor[] {g.mul(x.abs().le(1f))};   // pass the gradient where |x| <= 1
 *     }
 * }
 * Tensor y = new SignSte().apply(x);
 * }</pre>
 * Create a new instance per call if the subclass keeps state in fields.
 */
public abstract class Function {

    /** What a forward leaves for its backward. */
    public static final class Context {
        private final Tensor[] inputs;
        private Tensor[] saved = new Tensor[0];

        Context(Tensor[] inputs) {
            this.inputs = inputs;
        }

        /** Keeps tensors for backward; changing one of them in place before backward is an error. */
        public void save(Tensor... tensors) {
            saved = tensors.clone();
        }

        /** The {@code i}-th saved tensor. */
        public Tensor saved(int i) {
            return saved[i];
        }

        /** Whether input {@code i} requires a gradient (backward may skip its work otherwise). */
        public boolean needsInputGrad(int i) {
            return inputs[i] != null && inputs[i].requiresGrad();
        }

        Tensor[] savedTensors() {
            return saved;
        }
    }

    /** Computes the output from the inputs; recording is off here. */
    protected abstract Tensor forward(Context ctx, Tensor... inputs);

    /** Gradients with respect to each input from the gradient of the output. */
    protected abstract Tensor[] backward(Context ctx, Tensor gradOutput);

    /**
     * Whether {@link #backward} is written with tensor ops that stay differentiable, so that a
     * create-graph pass ({@link Gradients#withGraph}) may run it with recording on and
     * differentiate its result again. False by default: a backward that computes from raw
     * arrays records nothing, and a create-graph pass through this function then fails with
     * "double backward is not supported through {@link #name()}" rather than silently give a
     * zero second derivative. A backward may branch on {@link GradMode#isEnabled()}: it is on
     * only in a create-graph pass.
     */
    protected boolean differentiableBackward() {
        return false;
    }

    /** The name used in error messages and {@code toString()}; the class name by default. */
    public String name() {
        return getClass().getSimpleName();
    }

    /** Runs forward and records backward when an input requires grad. */
    public final Tensor apply(Tensor... inputs) {
        Context ctx = new Context(inputs.clone());
        Tensor out;
        try (GradMode ignored = GradMode.set(false)) {
            out = forward(ctx, inputs);
        }
        if (out == null) throw new IllegalStateException(name() + ": forward returned null");
        Tensor result = out.alias();
        Node.Backward rule = g -> {
            Tensor[] grads = backward(ctx, g);
            if (grads == null || grads.length != inputs.length) {
                throw new IllegalStateException(name() + ": backward must return " + inputs.length + " gradients");
            }
            return grads;
        };
        return Autograd.record(name(), result, ctx.inputs, ctx.savedTensors(), rule,
                differentiableBackward() ? rule : null);
    }
}
