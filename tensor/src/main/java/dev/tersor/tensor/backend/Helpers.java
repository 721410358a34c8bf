package dev.tersor.tensor.backend;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The helper threads of {@link Parallel}: one job slot, and daemon threads that take chunks of
 * whatever job is in it. After a job a helper keeps polling the slot for {@code
 * -Dtersor.spinMicros} (default 100 µs) before it parks, so the next layer's call finds it awake;
 * a parked helper is unparked by the next offer. The caller does its share of every job, so the
 * helpers plus the caller are exactly {@code threads()} busy threads. With more threads than
 * processors nobody spins: a spinning thread would take a core from one doing the work.
 */
final class Helpers {
    private static final long SPIN_NANOS = 1000L * Long.getLong("tersor.spinMicros", 100L);
    private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();

    /** Whether {@link Parallel#threads()} exceeds the processors (then waits park at once instead of spinning). */
    static boolean oversubscribed() {
        return Parallel.threads() > PROCESSORS;
    }

    private final AtomicReference<ParallelJob> slot = new AtomicReference<>();
    private final Worker[] workers;
    private volatile boolean stopped;

    Helpers(int count) {
        workers = new Worker[count];
        for (int i = 0; i < count; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /** Puts {@code job} in the slot; false when another job holds it (the caller then runs its chunks in turn). */
    boolean offer(ParallelJob job) {
        if (!slot.compareAndSet(null, job)) return false;
        for (Worker w : workers) if (w.parked) LockSupport.unpark(w);
        return true;
    }

    /** Whether the current thread is running a chunk now: a helper, or a caller running its chunks (free or busy slot alike). */
    static boolean insideChunk() {
        return Thread.currentThread() instanceof Worker || ParallelJob.callerInChunks();
    }

    /** Empties the slot once {@code job} has finished. */
    void finish(ParallelJob job) {
        slot.compareAndSet(job, null);
    }

    void stop() {
        stopped = true;
        for (Worker w : workers) LockSupport.unpark(w);
    }

    private final class Worker extends Thread {
        volatile boolean parked;

        Worker(int index) {
            super("tersor-" + index);
            setDaemon(true);
        }

        @Override
        public void run() {
            ParallelJob last = null;
            while (!stopped) {
                ParallelJob job = awaitJob(last);
                if (job == null) continue;
                job.work();
                last = job;
            }
        }

        /** Polls the slot for a job other than {@code last}, spinning for a while, then parked. */
        private ParallelJob awaitJob(ParallelJob last) {
            long spin = oversubscribed() ? 0 : SPIN_NANOS;
            long spinUntil = System.nanoTime() + spin;
            for (int i = 0; !stopped; i++) {
                ParallelJob job = slot.get();
                if (job != null && job != last && job.open()) return job;
                if ((i & 63) != 63 || System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                job = slot.get();
                if (job == null || job == last || !job.open()) LockSupport.park(this);
                parked = false;
                spinUntil = System.nanoTime() + spin;
            }
            return null;
        }
    }
}
