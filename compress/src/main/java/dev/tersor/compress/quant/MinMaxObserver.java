package dev.tersor.compress.quant;

import dev.tersor.tensor.Tensor;

/** The running minimum and maximum of everything observed (torch.ao's {@code MinMaxObserver}). */
public final class MinMaxObserver implements Observer {
    private float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;

    @Override
    public void observe(Tensor x) {
        float[] r = Observer.finiteMinMax(x);
        min = Math.min(min, r[0]);
        max = Math.max(max, r[1]);
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
