package dev.tersor.cli;

import dev.tersor.tensor.backend.Parallel;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * {@code --threads T} for the commands outside {@code bench}: sets {@link Parallel}'s thread
 * count until {@link #close()}, which restores the previous one (tests run many commands in one JVM).
 * <pre>{@code
 * try (Threads t = Threads.use(cl, threads)) { ... }   // threads may be null: keep the current count
 * }</pre>
 */
final class Threads implements AutoCloseable {
    private final int previous;

    private Threads(int previous) {
        this.previous = previous;
    }

    /** Applies {@code threads} (null: leave as is); a count below 1 is a usage error naming {@code --threads}. */
    static Threads use(CommandLine cl, Integer threads) {
        if (threads != null && threads < 1) throw new ParameterException(cl, "--threads must be >= 1, got " + threads);
        int previous = Parallel.threads();
        if (threads != null) Parallel.setThreads(threads);
        return new Threads(previous);
    }

    @Override
    public void close() {
        Parallel.setThreads(previous);
    }
}
