package dev.tersor.tensor;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Backward time by scope, for per-layer profiles: while a profile is open on a thread, every op
 * recorded there is tagged with the innermost open {@link #scope} (e.g. a layer's path, opened by
 * a forward hook), and every backward pass on that thread adds each op's backward time to its
 * tag. Ops recorded outside any scope count under {@code ""}. Costs nothing while no profile is
 * open.
 * <pre>{@code
 * try (BackwardProfile p = BackwardProfile.start()) {
 *     Tensor y;
 *     try (var s = BackwardProfile.scope("conv1")) { y = conv.call(x); }
 *     y.sum().backward();
 *     p.nanos();   // {conv1=..., =...}
 * }
 * }</pre>
 */
public final class BackwardProfile implements AutoCloseable {
    private static final ThreadLocal<BackwardProfile> ACTIVE = new ThreadLocal<>();
    /** Open instances on all threads: while 0, the per-op hooks return after one volatile read, before any thread-local lookup. */
    private static final java.util.concurrent.atomic.AtomicInteger OPEN = new java.util.concurrent.atomic.AtomicInteger();
    private boolean closed;
    private final ArrayDeque<String> scopes = new ArrayDeque<>();
    private final Map<String, Long> nanos = new LinkedHashMap<>();
    private final BackwardProfile previous;

    private BackwardProfile(BackwardProfile previous) {
        this.previous = previous;
    }

    /** Opens a profile on this thread (closing it restores any profile open before). */
    public static BackwardProfile start() {
        OPEN.incrementAndGet();
        BackwardProfile p = new BackwardProfile(ACTIVE.get());
        ACTIVE.set(p);
        return p;
    }

    /** An open scope; closing it returns to the enclosing one. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Opens scope {@code label} on this thread's profile; a no-op without an open profile. */
    public static Scope scope(String label) {
        BackwardProfile p = OPEN.get() == 0 ? null : ACTIVE.get();
        if (p == null) return () -> { };
        p.scopes.push(label);
        return () -> {
            if (!p.scopes.isEmpty()) p.scopes.pop();
        };
    }

    /** Backward nanoseconds per scope so far, in the order the scopes first ran backward. */
    public Map<String, Long> nanos() {
        return new LinkedHashMap<>(nanos);
    }

    /** Forgets the times so far (e.g. after warm-up). */
    public void reset() {
        nanos.clear();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            OPEN.decrementAndGet();
        }
        if (ACTIVE.get() == this) {
            if (previous == null) ACTIVE.remove();
            else ACTIVE.set(previous);
        }
    }

    /** The tag of an op recorded now on this thread: the innermost scope, or null without a profile. */
    static String currentScope() {
        if (OPEN.get() == 0) return null;
        BackwardProfile p = ACTIVE.get();
        if (p == null) return null;
        String s = p.scopes.peek();
        return s == null ? "" : s;
    }

    /** Adds {@code elapsed} to {@code scope} on this thread's open profile, if any. */
    static void add(String scope, long elapsed) {
        BackwardProfile p = ACTIVE.get();
        if (p != null) p.nanos.merge(scope, elapsed, Long::sum);
    }
}
