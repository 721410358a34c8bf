package dev.tersor.tensor.backend;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/** One parallel call: chunks handed out by a counter to whichever thread asks first, finished ones counted down. */
final class ParallelJob {
    /** Spin iterations the caller waits for other threads' chunks before it parks. */
    private static final int SPINS = 1 << 12;

    private final Parallel.RangeBody body;
    private final int n, chunks;
    private final Thread caller = Thread.currentThread();
    /** The next chunk to hand out; chunk 0 is the caller's own (see {@link #runAsCaller()}). */
    private final AtomicInteger next = new AtomicInteger(1);
    private final AtomicInteger unfinished;
    private volatile Throwable failure;

    ParallelJob(Parallel.RangeBody body, int n, int chunks) {
        this.body = body;
        this.n = n;
        this.chunks = chunks;
        this.unfinished = new AtomicInteger(chunks);
    }

    /** Set while a non-helper thread runs chunks (helpers are recognised by their class). */
    private static final ThreadLocal<boolean[]> IN_CHUNKS = ThreadLocal.withInitial(() -> new boolean[1]);

    /** Whether the current (non-helper) thread is running chunks of some job now. */
    static boolean callerInChunks() {
        return IN_CHUNKS.get()[0];
    }

    /** Whether chunks are left to take (a helper's cheap check before it joins). */
    boolean open() {
        return next.get() < chunks;
    }

    /** The caller runs chunk 0 (its data is likely in its cache), then takes chunks like any helper. */
    void runAsCaller() {
        boolean[] in = IN_CHUNKS.get();
        in[0] = true;
        try {
            run(0);
            work();
        } finally {
            in[0] = false;
        }
    }

    /** Takes and runs chunks until none are left. */
    void work() {
        for (int c; (c = next.getAndIncrement()) < chunks; ) run(c);
    }

    private void run(int c) {
        try {
            if (failure == null) {
                int from = (int) ((long) n * c / chunks);
                int to = (int) ((long) n * (c + 1) / chunks);
                if (to > from) body.run(from, to);
            }
        } catch (Throwable t) {
            if (failure == null) failure = t;
        } finally {
            if (unfinished.decrementAndGet() == 0 && Thread.currentThread() != caller) LockSupport.unpark(caller);
        }
    }

    /**
     * The caller waits for the chunks other threads took: a short spin, then parked; parked at
     * once when there are more threads than processors, where a spin would take a core from the
     * helper it waits for.
     */
    void await() {
        int spinLimit = Helpers.oversubscribed() ? 0 : SPINS;
        for (int spins = 0; unfinished.get() > 0; spins++) {
            if (spins < spinLimit) Thread.onSpinWait();
            else LockSupport.park(this);
        }
    }

    /** Rethrows the first failure of any chunk, on the caller's thread. */
    void rethrow() {
        Throwable t = failure;
        if (t instanceof RuntimeException e) throw e;
        if (t instanceof Error e) throw e;
        if (t != null) throw new IllegalStateException(t);
    }
}
