package dev.tersor.tensor;

/** Which GELU {@link Tensor#gelu(GeluApproximation)} computes (PyTorch's {@code approximate=}). */
public enum GeluApproximation {
    /** {@code x·Φ(x)} with the exact normal CDF Φ (PyTorch's {@code approximate='none'}, the default). */
    NONE,
    /**
     * {@code ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))} (PyTorch's {@code approximate='tanh'}, as in
     * GPT-2 and BERT checkpoints); within about 1e-3 of the exact one.
     */
    TANH
}
