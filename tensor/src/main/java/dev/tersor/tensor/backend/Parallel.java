package dev.tersor.tensor.backend;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Splits index ranges over one dedicated {@link ForkJoinPool}. Its size is
 * {@code -Dtersor.threads=N}, else {@link #setThreads(int)}, else the number of available
 * processors. With one thread, or a range below the grain, work runs on the caller's thread.
 */
public final class Parallel {

    /** Work on the half-open index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static volatile ForkJoinPool pool = newPool(initialThreads());

    private Parallel() {
    }

    private static int initialThreads() {
        String prop = System.getProperty("tersor.threads");
        if (prop == null || prop.isBlank()) return Runtime.getRuntime().availableProcessors();
        try {
            int n = Integer.parseInt(prop.trim());
            if (n < 1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("tersor.threads must be a positive integer, got '" + prop + "'");
        }
    }

    private static ForkJoinPool newPool(int threads) {
        // (numbered here: a worker's pool index is only assigned once it starts, so naming by
        // getPoolIndex() called every worker "tersor-0" in profiles)
        AtomicInteger next = new AtomicInteger();
        return new ForkJoinPool(threads, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("tersor-" + next.getAndIncrement());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** Number of threads parallel kernels use. */
    public static int threads() {
        return pool.getParallelism();
    }

    /** Sets the number of threads parallel kernels use (at least 1). */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (threads == pool.getParallelism()) return;
        ForkJoinPool old = pool;
        pool = newPool(threads);
        old.shutdown();
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@code threads()} chunks of at
     * least {@code grain} indices each. Returns when every chunk has finished.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        int threads = threads();
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == pool) {
            if (n > 0) body.run(0, n);
            return;
        }
        pool.invoke(new Chunks(body, n, chunks, 0, chunks));
    }

    /** Runs {@code body(i)} for {@code i in [0, tasks)}, one task per index, spread over the pool. */
    public static void forEachTask(int tasks, RangeBody body) {
        if (tasks <= 0) return;
        if (tasks == 1 || threads() == 1 || ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == pool) {
            body.run(0, tasks);
            return;
        }
        pool.invoke(new Chunks(body, tasks, tasks, 0, tasks));
    }

    private static final class Chunks extends RecursiveAction {
        private final RangeBody body;
        private final int n, chunks, lo, hi;

        Chunks(RangeBody body, int n, int chunks, int lo, int hi) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                int from = (int) ((long) n * lo / chunks);
                int to = (int) ((long) n * hi / chunks);
                if (to > from) body.run(from, to);
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Chunks(body, n, chunks, lo, mid), new Chunks(body, n, chunks, mid, hi));
        }
    }
}
