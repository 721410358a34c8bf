package dev.tersor.tensor.backend;

import java.nio.file.Path;

/**
 * A test's private plan cache: points {@link Plans} at {@code dir}, sets the thread count and
 * backend, clears the decision log; {@link #close()} restores the mode, threads, backend and the
 * default directory, so tests that plan shapes do not leak settings into one another.
 */
public final class PlanSandbox implements AutoCloseable {
    private final PlanMode mode = Plans.mode();
    private final int threads = Parallel.threads();
    private final Backend backend = Backends.current();

    private PlanSandbox(Path dir, int threads, Backend backend) {
        Backends.use(backend);   // the machine key names the vector width of the current backend
        Parallel.setThreads(threads);
        Plans.setDirectory(dir);
        Plans.clearDecisions();
    }

    /** Plans in {@code dir} on {@code threads} threads with {@code backend} until {@link #close()}. */
    public static PlanSandbox open(Path dir, int threads, Backend backend) {
        return new PlanSandbox(dir, threads, backend);
    }

    @Override
    public void close() {
        Plans.setDirectory(null);
        Plans.setMode(mode);
        Parallel.setThreads(threads);
        Backends.use(backend);
    }
}
