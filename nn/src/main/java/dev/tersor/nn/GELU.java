package dev.tersor.nn;

import dev.tersor.tensor.GeluApproximation;
import dev.tersor.tensor.Tensor;

/**
 * {@code x·Φ(x)} (exact, PyTorch's default), or with {@link GeluApproximation#TANH}
 * {@code ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))} (PyTorch's {@code nn.GELU(approximate='tanh')}).
 */
public class GELU extends Module {
    private final GeluApproximation approximation;

    /** The exact GELU. */
    public GELU() {
        this(GeluApproximation.NONE);
    }

    /** The exact GELU ({@code NONE}) or the tanh approximation ({@code TANH}). */
    public GELU(GeluApproximation approximation) {
        if (approximation == null) throw new IllegalArgumentException("GELU: approximation must not be null (NONE or TANH)");
        this.approximation = approximation;
    }

    /** Which GELU this computes. */
    public GeluApproximation approximation() {
        return approximation;
    }

    @Override
    protected String extraRepr() {
        return approximation == GeluApproximation.NONE ? "" : "approximate='tanh'";
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.gelu(approximation);
    }
}
