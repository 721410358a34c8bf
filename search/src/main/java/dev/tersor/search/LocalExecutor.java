package dev.tersor.search;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Evaluations on a local thread pool. Each worker thread gets its own {@link Fitness} from the
 * factory (a model in training mode may not be shared between threads, and BN recalibration
 * trains): for a supernet, {@link SupernetFitness#perWorker}. With one thread, everything runs in
 * the caller's thread. Scores do not depend on the thread count when the fitness is deterministic.
 * <pre>{@code
 * try (TrialExecutor ex = new LocalExecutor(2, SupernetFitness.perWorker(supernet, calibration, validation))) { ... }
 * }</pre>
 */
public final class LocalExecutor implements TrialExecutor {
    private final int threads;
    private final ThreadLocal<Fitness> fitness;
    private final ExecutorService pool;

    /** {@code threads} workers, each scoring with a fitness made by {@code perWorker} on first use. */
    public LocalExecutor(int threads, Supplier<Fitness> perWorker) {
        if (threads < 1) throw new IllegalArgumentException("LocalExecutor: threads must be >= 1, got " + threads);
        this.threads = threads;
        this.fitness = ThreadLocal.withInitial(perWorker);
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "tersor-search-trial");
            t.setDaemon(true);
            return t;
        });
    }

    /** One thread (the caller's) scoring with {@code fitness}. */
    public static LocalExecutor serial(Fitness fitness) {
        return new LocalExecutor(1, () -> fitness);
    }

    /** Number of worker threads. */
    public int threads() {
        return threads;
    }

    @Override
    public List<Double> evaluate(List<Architecture> archs, Done done) {
        List<Double> out = new ArrayList<>();
        if (pool == null) {
            for (int i = 0; i < archs.size(); i++) {
                double s = fitness.get().score(archs.get(i));
                done.accept(i, s);
                out.add(s);
            }
            return out;
        }
        List<Future<Double>> futures = new ArrayList<>();
        for (int i = 0; i < archs.size(); i++) {
            int position = i;
            futures.add(pool.submit(() -> {
                double s = fitness.get().score(archs.get(position));
                synchronized (done) {
                    done.accept(position, s);
                }
                return s;
            }));
        }
        try {
            for (Future<Double> f : futures) out.add(f.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while evaluating candidates", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IllegalStateException(c);
        }
        return out;
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
