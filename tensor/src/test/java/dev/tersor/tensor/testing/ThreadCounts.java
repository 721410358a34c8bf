package dev.tersor.tensor.testing;

import dev.tersor.tensor.backend.Parallel;
import java.util.function.IntConsumer;

/** Runs a test body under several {@link Parallel} thread counts, putting the caller's count back afterwards (also when the body fails). */
public final class ThreadCounts {
    private ThreadCounts() {
    }

    /** {@code body.accept(t)} with {@code Parallel.setThreads(t)} for each t of {@code counts}, in order. */
    public static void each(int[] counts, IntConsumer body) {
        int before = Parallel.threads();
        try {
            for (int t : counts) {
                Parallel.setThreads(t);
                body.accept(t);
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
