package dev.tersor.tensor;

/**
 * Whether ops record the autograd graph on this thread. {@link Tensor#noGrad()} opens a scope in
 * which nothing is recorded:
 * <pre>{@code
 * try (var scope = Tensor.noGrad()) {
 *     w.addInPlace(w.grad(), -0.1f);   // an optimizer step
 * }
 * }</pre>
 */
public final class GradMode implements AutoCloseable {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private final boolean previous;
    private boolean closed;

    private GradMode(boolean enabled) {
        boolean[] flag = ENABLED.get();
        previous = flag[0];
        flag[0] = enabled;
    }

    /** True when ops record gradients on this thread. */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    static GradMode set(boolean enabled) {
        return new GradMode(enabled);
    }

    /** Restores the mode that was in force when this scope opened. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        ENABLED.get()[0] = previous;
    }
}
