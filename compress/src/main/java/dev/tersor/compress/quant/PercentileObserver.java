package dev.tersor.compress.quant;

import dev.tersor.tensor.Tensor;

/**
 * A per-tensor range from percentiles of everything observed: {@code [P(100 − p), P(p)]} over
 * all batches together (p = 99.99 by default), which clips rare outliers that a min-max range
 * would stretch to cover.
 *
 * <p><b>Bounded memory.</b> Values are counted in at most {@code bins} (4096) bins of one width w
 * on a grid anchored at 0 (bin i holds [i·w, (i+1)·w)), w a power of two. When the observed range
 * no longer fits, w doubles and neighbouring bins merge pairwise, which is exact because the grid
 * is anchored: no count ever moves to a bin it does not belong to. The first tensor picks w as a
 * power of two with {@code (max − min) < w·bins/2 ≤ 2·(max − min)}, so w stays below
 * {@code 4·(max − min)/bins} of the whole observed range.
 *
 * <p><b>Percentile.</b> The value at cumulative fraction q (q = p/100 for the top, 1 − p/100 for
 * the bottom) is interpolated linearly inside the bin where the count crosses {@code q·N},
 * then clamped to the exact observed [min, max]. It is within one bin width ({@link #binWidth()})
 * of the exact sample percentile.
 */
public final class PercentileObserver implements Observer {
    /** The default percentile. */
    public static final double DEFAULT_PERCENTILE = 99.99;
    /** The default number of bins. */
    public static final int DEFAULT_BINS = 4096;

    private final double percentile;
    private final int bins;
    private long[] counts;     // counts[j] is bin origin + j
    private long origin;
    private int exponent;      // w = 2^exponent
    private long total;
    private float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;

    /** The 99.99th percentile, 4096 bins. */
    public PercentileObserver() {
        this(DEFAULT_PERCENTILE, DEFAULT_BINS);
    }

    /** The {@code percentile}-th percentile (in (50, 100]), 4096 bins. */
    public PercentileObserver(double percentile) {
        this(percentile, DEFAULT_BINS);
    }

    /**
     * @param percentile p in (50, 100]: the range is [P(100 − p), P(p)]; 100 gives min and max
     * @param bins       bins kept (at least 16, even)
     */
    public PercentileObserver(double percentile, int bins) {
        if (!(percentile > 50 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in (50, 100], got " + percentile);
        }
        if (bins < 16 || bins % 2 != 0) throw new IllegalArgumentException("percentile bins must be even and at least 16, got " + bins);
        this.percentile = percentile;
        this.bins = bins;
    }

    @Override
    public void observe(Tensor x) {
        float[] r = Observer.finiteMinMax(x);
        float[] v = x.contiguous().toArray();
        if (counts == null) {
            double span = (double) r[1] - r[0];
            exponent = span > 0 ? Math.getExponent(span / (bins / 2.0)) + 1 : Math.getExponent(Math.max(Math.abs(r[0]), Float.MIN_NORMAL)) - 10;
            counts = new long[bins];
            origin = index(r[0]);
        }
        fit(Math.min(min, r[0]), Math.max(max, r[1]));
        for (float f : v) counts[(int) (index(f) - origin)]++;
        total += v.length;
        min = Math.min(min, r[0]);
        max = Math.max(max, r[1]);
    }

    private long index(double v) {
        return (long) Math.floor(Math.scalb(v, -exponent));
    }

    /** Coarsens the grid until [lo, hi] fits in the bins, then moves the window over it. */
    private void fit(float lo, float hi) {
        while (Math.floor(Math.scalb((double) hi, -exponent)) - Math.floor(Math.scalb((double) lo, -exponent)) >= bins) {
            long[] merged = new long[bins];
            long newOrigin = Math.floorDiv(origin, 2);
            for (int j = 0; j < bins; j++) {
                if (counts[j] != 0) merged[(int) (Math.floorDiv(origin + j, 2) - newOrigin)] += counts[j];
            }
            counts = merged;
            origin = newOrigin;
            exponent++;
        }
        long first = index(lo);
        if (first != origin) {
            long[] moved = new long[bins];
            for (int j = 0; j < bins; j++) {
                if (counts[j] != 0) moved[(int) (origin + j - first)] = counts[j];
            }
            counts = moved;
            origin = first;
        }
    }

    @Override
    public boolean hasData() {
        return total > 0;
    }

    /** {@code [P(100 − p), P(p)]} of everything observed. */
    @Override
    public float[] range() {
        if (!hasData()) return new float[] {min, max};
        if (percentile == 100) return new float[] {min, max};
        return new float[] {quantile(1 - percentile / 100), quantile(percentile / 100)};
    }

    /** The current bin width: the resolution of {@link #range()}. */
    public double binWidth() {
        return Math.scalb(1.0, exponent);
    }

    private float quantile(double q) {
        double target = q * total, below = 0, w = binWidth();
        for (int j = 0; j < bins; j++) {
            long c = counts[j];
            if (c > 0 && below + c >= target) {
                double v = (origin + j) * w + w * (target - below) / c;
                return (float) Math.max(min, Math.min(max, v));
            }
            below += c;
        }
        return max;
    }

    @Override
    public void reset() {
        counts = null;
        total = 0;
        min = Float.POSITIVE_INFINITY;
        max = Float.NEGATIVE_INFINITY;
    }
}
