package dev.tersor.search;

/** How good an architecture is, higher is better (e.g. validation accuracy); must be deterministic for a result to be reproducible. */
@FunctionalInterface
public interface Fitness {
    /** The score of {@code arch}. */
    double score(Architecture arch);
}
