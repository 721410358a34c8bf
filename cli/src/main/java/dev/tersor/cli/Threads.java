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

    /** Most threads a command accepts: each is a real thread with its own stack. */
    static final int MAX = 1024;

    /** Applies {@code threads} (null: leave as is) after {@link #check}. */
    static Threads use(CommandLine cl, Integer threads) {
        check(cl, threads);
        int previous = Parallel.threads();
        if (threads != null) Parallel.setThreads(threads);
        return new Threads(previous);
    }

    /**
     * A count below 1 or above {@link #MAX} is a usage error naming {@code --threads}; more than
     * the machine's processors is allowed (to measure it) but warned about on stderr, since the
     * extra threads only compete for the same cores.
     */
    static void check(CommandLine cl, Integer threads) {
        if (threads == null) return;
        if (threads < 1 || threads > MAX) throw new ParameterException(cl, "--threads must be between 1 and " + MAX + ", got " + threads);
        int cpus = Runtime.getRuntime().availableProcessors();
        if (threads > cpus) {
            cl.getErr().printf("%s: warning: --threads %d is more than the %d processor%s here; the extra threads compete for the same cores%n",
                    cl.getCommandSpec().qualifiedName(), threads, cpus, cpus == 1 ? "" : "s");
            cl.getErr().flush();
        }
    }

    @Override
    public void close() {
        Parallel.setThreads(previous);
    }
}
