package dev.tersor.compress.prune;

import dev.tersor.nn.Module;

/**
 * Scores the channel groups of a traced model: a higher score is a more important group (the
 * lowest-scoring groups are pruned first). Groups that cannot be pruned get {@code NaN}.
 */
@FunctionalInterface
public interface ChannelCriterion {
    /** One score per group of {@code graph} (indexed by group id). */
    double[] scores(Module model, ChannelGraph graph);
}
