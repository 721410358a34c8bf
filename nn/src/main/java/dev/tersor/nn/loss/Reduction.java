package dev.tersor.nn.loss;

/** How per-element losses become the returned value. */
public enum Reduction {
    /** Per-element losses, unreduced. */
    NONE,
    /** Their mean (for cross entropy and NLL: over the samples). */
    MEAN,
    /** Their sum. */
    SUM,
    /** Sum divided by the batch size (KL divergence's mathematically correct mean). */
    BATCH_MEAN
}
