package dev.tersor.compress.sparse;

/** Where the magnitude threshold of {@link MagnitudePruning} is taken. */
public enum PruningScope {
    /** One threshold over all chosen layers: the smallest |w| of the whole set go first (layers end up unevenly sparse). */
    GLOBAL,
    /** One threshold per layer: every chosen layer reaches the target sparsity. */
    LAYER
}
