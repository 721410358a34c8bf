package dev.tersor.tensor.backend;

/** The closed set of reductions of a contiguous run to one float. */
public enum ReduceOp {
    /** {@code Σ x[i]} */
    SUM,
    /** {@code max x[i]} (NaN propagates; −∞ for an empty run) */
    MAX,
    /** {@code min x[i]} (NaN propagates; +∞ for an empty run) */
    MIN,
    /** {@code Σ x[i]²} */
    SUM_SQUARES
}
