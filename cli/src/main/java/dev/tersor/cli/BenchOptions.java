package dev.tersor.cli;

import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.Parallel;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Options every {@code tersor bench} subcommand shares: threads, backend, output, timing plan. */
final class BenchOptions {

    @Option(names = "--threads", paramLabel = "T",
            description = "Threads for parallel kernels (default: -Dtersor.threads, else the number of processors).")
    Integer threads;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Kernel backend: scalar or vector (default: -Dtersor.backend, else the fastest that loads).")
    String backend;

    @Option(names = "--json", description = "End stdout with one line of JSON; progress goes to stderr.")
    boolean json;

    @Option(names = "--min-reps", paramLabel = "R", defaultValue = "10",
            description = "At least this many timed repetitions (default: ${DEFAULT-VALUE}).")
    int minReps;

    @Option(names = "--warmup-seconds", paramLabel = "S", defaultValue = "10",
            description = "Cap on the warm-up; it stops earlier once two 1-second windows agree within 5%% (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--time-seconds", paramLabel = "S", defaultValue = "1",
            description = "Keep repeating until the timed phase lasts this long (default: ${DEFAULT-VALUE}).")
    double timeSeconds;

    /** Checks the shared options; throws a {@link ParameterException} naming the first bad one. */
    void validate(CommandLine cl) {
        Threads.check(cl, threads);
        if (minReps < 1) throw new ParameterException(cl, "--min-reps must be >= 1, got " + minReps);
        if (!(warmupSeconds >= 0) || Double.isInfinite(warmupSeconds)) {
            throw new ParameterException(cl, "--warmup-seconds must be a finite number >= 0, got " + warmupSeconds);
        }
        if (!(timeSeconds >= 0) || Double.isInfinite(timeSeconds)) {
            throw new ParameterException(cl, "--time-seconds must be a finite number >= 0, got " + timeSeconds);
        }
        if (backend != null) {
            try {
                Backends.named(backend);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl, "--backend: " + e.getMessage());
            }
        }
    }

    Timing.Plan plan() {
        return Timing.Plan.standard(warmupSeconds, minReps, timeSeconds);
    }

    /**
     * Switches to the requested backend and thread count until {@link Applied#close()}, which
     * restores what was in force before (so tests running in one JVM do not leak settings).
     */
    Applied apply() {
        Backend previousBackend = Backends.current();
        int previousThreads = Parallel.threads();
        if (backend != null) Backends.use(Backends.named(backend));
        if (threads != null) Parallel.setThreads(threads);
        return new Applied(previousBackend, previousThreads);
    }

    /** Restores the backend and thread count on close. */
    record Applied(Backend previousBackend, int previousThreads) implements AutoCloseable {
        @Override
        public void close() {
            Backends.use(previousBackend);
            Parallel.setThreads(previousThreads);
        }
    }
}
