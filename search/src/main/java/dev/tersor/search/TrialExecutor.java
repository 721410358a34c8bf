package dev.tersor.search;

import java.util.List;

/**
 * Runs the evaluations of a batch of candidates, possibly at the same time; the strategies hand
 * it every candidate of a generation at once. {@link LocalExecutor} is a local thread pool; a
 * remote or multi-process executor implements the same call.
 */
public interface TrialExecutor extends AutoCloseable {
    /**
     * Scores {@code archs}, calling {@code done} with each one's position in the list and score as
     * soon as it is known (from any thread, one call at a time), so a run killed halfway keeps the
     * scores it had; returns the scores in the list's order.
     */
    List<Double> evaluate(List<Architecture> archs, Done done);

    /** Receives one finished evaluation. */
    @FunctionalInterface
    interface Done {
        void accept(int position, double score);
    }

    /** Releases threads or connections. */
    @Override
    default void close() {
    }
}
