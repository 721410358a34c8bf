package dev.tersor.nn;

import dev.tersor.tensor.Tensor;

/** Values limited to [min, max] (−1, 1 by default). */
public class Hardtanh extends Module {
    private final float min, max;

    /** [−1, 1]. */
    public Hardtanh() {
        this(-1f, 1f);
    }

    /** [min, max]. */
    public Hardtanh(float min, float max) {
        if (!(min < max)) throw new IllegalArgumentException("Hardtanh: min " + min + " must be below max " + max);
        this.min = min;
        this.max = max;
    }

    @Override
    protected String extraRepr() {
        return "min_val=" + min + ", max_val=" + max;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.hardtanh(min, max);
    }
}
