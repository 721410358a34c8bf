package dev.tersor.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The ops made on this thread while a log is open, in order: each op's name and output shape, for
 * summaries that show the functional ops a module's forward runs between its layers (ReLU,
 * pooling, reshapes, residual adds). Logs every op that records itself for autograd, in or out of
 * a no-grad scope. Costs one thread-local read per op while no log is open.
 * <pre>{@code
 * try (OpLog log = OpLog.start()) {
 *     model.call(x);
 *     log.entries();   // [Entry[op=conv2d, shape=[1, 6, 28, 28]], Entry[op=relu, ...], ...]
 * }
 * }</pre>
 */
public final class OpLog implements AutoCloseable {
    private static final ThreadLocal<OpLog> ACTIVE = new ThreadLocal<>();
    /** Open instances on all threads: while 0, the per-op hooks return after one volatile read, before any thread-local lookup. */
    private static final java.util.concurrent.atomic.AtomicInteger OPEN = new java.util.concurrent.atomic.AtomicInteger();
    private boolean closed;
    private final List<Entry> entries = new ArrayList<>();
    private final OpLog previous;

    /** One op: its name as autograd records it, and its output's shape. */
    public record Entry(String op, int[] shape) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }
    }

    private OpLog(OpLog previous) {
        this.previous = previous;
    }

    /** Opens a log on this thread (closing it restores any log open before). */
    public static OpLog start() {
        OPEN.incrementAndGet();
        OpLog log = new OpLog(ACTIVE.get());
        ACTIVE.set(log);
        return log;
    }

    /** The ops so far, in order. */
    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** Op {@code i} of {@link #entries}, without copying the list. */
    public Entry entry(int i) {
        return entries.get(i);
    }

    /** How many ops so far (an index into {@link #entries} for the next one). */
    public int size() {
        return entries.size();
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

    /** Logs {@code op} on this thread's open log, if any. */
    static void add(String op, Tensor out) {
        if (OPEN.get() == 0) return;
        OpLog log = ACTIVE.get();
        if (log != null) log.entries.add(new Entry(op, out.shape));
    }
}
