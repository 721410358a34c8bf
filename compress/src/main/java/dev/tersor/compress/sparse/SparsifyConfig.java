package dev.tersor.compress.sparse;

import java.util.List;

/**
 * What {@link Sparsifier} prunes, and how far.
 *
 * @param sparsity       target fraction of zero weights in [0, 1) (of all chosen layers together for
 *                       {@link PruningScope#GLOBAL}, of each for {@link PruningScope#LAYER})
 * @param scope          one threshold over the chosen layers, or one per layer
 * @param layers         dotted paths of the Conv2d/Linear layers to prune; empty: every one
 * @param keepFirstLast  leave the model's first and last Conv2d/Linear dense (they are small and
 *                       sensitive; Zhu &amp; Gupta and most recipes keep them)
 */
public record SparsifyConfig(double sparsity, PruningScope scope, List<String> layers, boolean keepFirstLast) {

    public SparsifyConfig {
        MagnitudePruning.checkSparsity(sparsity);
        if (scope == null) throw new IllegalArgumentException("pruning scope is required (GLOBAL or LAYER)");
        layers = layers == null ? List.of() : List.copyOf(layers);
    }

    /** Every Conv2d/Linear layer to {@code sparsity} with one global threshold. */
    public static SparsifyConfig global(double sparsity) {
        return new SparsifyConfig(sparsity, PruningScope.GLOBAL, List.of(), false);
    }
}
