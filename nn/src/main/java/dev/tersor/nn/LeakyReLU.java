package dev.tersor.nn;

import dev.tersor.tensor.Tensor;

/** {@code x > 0 ? x : slope·x} (slope 0.01 by default). */
public class LeakyReLU extends Module {
    private final float slope;

    /** Slope 0.01. */
    public LeakyReLU() {
        this(0.01f);
    }

    /** The given negative slope. */
    public LeakyReLU(float negativeSlope) {
        this.slope = negativeSlope;
    }

    @Override
    protected String extraRepr() {
        return "negative_slope=" + slope;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.leakyRelu(slope);
    }
}
