package dev.tersor.tensor.backend;

/**
 * Splits index ranges over the calling thread and {@code threads() - 1} helper threads. The
 * thread count is {@code -Dtersor.threads=N}, else {@link #setThreads(int)}, else the number of
 * available processors.
 *
 * <p>A parallel call cuts its range into chunks and hands them out from a shared counter
 * ({@link ParallelJob}); the caller runs the first chunk and takes more like the helpers, and a helper that starts late finds the
 * work already taken, so no call waits on a thread being woken. Helpers stay awake for a short
 * while after a call ({@link Helpers}), so back-to-back layers of a forward pass reach them
 * without a wake-up. A call made from inside a chunk runs whole on its thread (the nesting is
 * fixed by the code, so it is the same every run); a call from another user thread while the
 * helpers are busy runs the same chunks a free call would, one after another on its caller.
 * Chunk boundaries depend only on the range, the grain and {@code threads()}, never on which
 * thread runs which chunk or whether helpers were free, so results do not depend on scheduling.
 */
public final class Parallel {

    /** Work on the half-open index range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static volatile int threads = initialThreads();
    private static volatile Helpers helpers;

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

    /** Number of threads parallel kernels use, the caller's included. */
    public static int threads() {
        return threads;
    }

    /**
     * Threads a parallel call made here would really use: 1 inside a chunk (nested calls run
     * whole on their thread), else {@link #threads()}. Kernel plans are keyed by it.
     */
    public static int effectiveThreads() {
        return Helpers.insideChunk() ? 1 : threads;
    }

    /** Sets the number of threads parallel kernels use (at least 1). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (n == threads) return;
        Helpers old = helpers;
        helpers = null;
        threads = n;
        if (old != null) old.stop();
    }

    private static Helpers helpers() {
        Helpers h = helpers;
        if (h != null) return h;
        synchronized (Parallel.class) {
            if (helpers == null) helpers = new Helpers(threads - 1);
            return helpers;
        }
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@code threads()} chunks of at
     * least {@code grain} indices each. Returns when every chunk has finished.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1) body.run(0, n);    // (here, not in run: keeps this method small enough to inline)
        else run(body, n, chunks);
    }

    /** Runs {@code body(i)} for {@code i in [0, tasks)}, one task per index, spread over the threads. */
    public static void forEachTask(int tasks, RangeBody body) {
        if (tasks <= 0) return;
        if (tasks == 1) body.run(0, 1);
        else run(body, tasks, tasks);
    }

    private static void run(RangeBody body, int n, int chunks) {
        if (threads == 1) {
            body.run(0, n);
            return;
        }
        if (Helpers.insideChunk()) {
            body.run(0, n);      // nested in a chunk: this thread is the parallelism already
            return;
        }
        Helpers h = helpers();
        ParallelJob job = new ParallelJob(body, n, chunks);
        if (!h.offer(job)) {
            job.runAsCaller();   // the same chunks, one after another on this thread: the same results
            job.rethrow();
            return;
        }
        try {
            job.runAsCaller();
            job.await();
        } finally {
            h.finish(job);
        }
        job.rethrow();
    }
}
