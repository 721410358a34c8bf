package dev.tersor.compress.quant;

import dev.tersor.tensor.Tensor;

/**
 * An exponential moving average of each batch's minimum and maximum (torch.ao's
 * {@code MovingAverageMinMaxObserver}): the first batch sets the range, later ones move it by
 * {@code min ← min + c·(batch_min − min)} with averaging constant c (0.01 by default).
 */
public final class MovingAverageMinMaxObserver implements Observer {
    /** torch.ao's default averaging constant. */
    public static final float DEFAULT_MOMENTUM = 0.01f;
    private final float momentum;
    private float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;

    /** Averaging constant 0.01. */
    public MovingAverageMinMaxObserver() {
        this(DEFAULT_MOMENTUM);
    }

    /** Averaging constant {@code momentum} in (0, 1]. */
    public MovingAverageMinMaxObserver(float momentum) {
        if (!(momentum > 0 && momentum <= 1)) {
            throw new IllegalArgumentException("moving-average momentum must be in (0, 1], got " + momentum);
        }
        this.momentum = momentum;
    }

    @Override
    public void observe(Tensor x) {
        float[] r = Observer.finiteMinMax(x);
        if (!hasData()) {
            min = r[0];
            max = r[1];
        } else {
            min = min + momentum * (r[0] - min);
            max = max + momentum * (r[1] - max);
        }
    }

    @Override
    public boolean hasData() {
        return min <= max;
    }

    @Override
    public float[] range() {
        return new float[] {min, max};
    }

    @Override
    public void reset() {
        min = Float.POSITIVE_INFINITY;
        max = Float.NEGATIVE_INFINITY;
    }
}
