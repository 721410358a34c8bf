package dev.tersor.compress.quant;

import dev.tersor.tensor.Tensor;

/**
 * A running histogram of everything observed, and a range chosen to minimise the L2 error of
 * quantizing it: torch.ao's {@code HistogramObserver} of PyTorch 1.13
 * ({@code torch/ao/quantization/observer.py}), step for step in float32 as there.
 *
 * <p><b>Histogram.</b> {@code bins} (2048) equal bins over [min, max]. The first tensor (or any
 * tensor while min = max, the earlier counts then being dropped, as torch does) sets the range
 * and is binned as {@code torch.histc}: bin
 * {@code ⌊(x − lo)·bins/(hi − lo)⌋}, the top edge in the last bin. A later tensor that widens the
 * range to [cmin, cmax] re-bins the old histogram onto the new grid: with fine width
 * {@code δ = (max − min)/(bins·upsampleRate)} (upsample rate 128), {@code d = ⌈(cmax − cmin)/(bins·δ)⌉},
 * cmax is relaxed to {@code cmin + d·bins·δ}, each old bin is spread evenly over its
 * {@code upsampleRate} fine cells starting at {@code round((min − cmin)/δ)}, and every new bin
 * takes the sum of its {@code d} fine cells (the cumulative sum is taken in double, as torch).
 * The new tensor is binned over [cmin, cmax] and added. Memory is {@code bins} floats; the
 * combination runs in O(bins) without materialising the fine grid.
 *
 * <p><b>Range search</b> ({@code _non_linear_param_search}, after caffe2's
 * {@code NormMinimization}): starting from all bins, repeatedly drop 10⁻⁵ of the mass from
 * whichever tail frees more bins, and keep the move while the L2 error of quantizing the histogram
 * to {@code 2^bits} levels over the kept bins does not grow. The error of a candidate
 * [start, end] treats each source bin's mass as uniform: for destination width
 * {@code Δ = w·(end − start + 1)/2^bits} it sums {@code density·∫x²} over the pieces of each
 * source bin relative to the centres of the destination bins it overlaps (clamped to the first
 * and last). The range is then {@code [min + w·start, min + w·(end + 1)]}, w the bin width.
 *
 * <p><b>Histogram edges.</b> PyTorch 1.13 calls {@code histc(x, min=int(min), max=int(max))}:
 * the bounds are truncated to integers, so values outside [trunc(min), trunc(max)] are dropped
 * and the others land in bins labelled with the untruncated range (later PyTorch passes the float
 * bounds). {@link Edges#EXACT} (the default) bins over the float bounds; {@link Edges#TORCH_1_13}
 * reproduces the truncation, for bit-level comparison with that release.
 */
public final class HistogramObserver implements Observer {
    /** torch.ao's defaults. */
    public static final int DEFAULT_BINS = 2048, DEFAULT_UPSAMPLE_RATE = 128;
    private static final double STEP = 1e-5;

    /** Which bounds {@code histc} bins a tensor over. */
    public enum Edges {
        /** The float range (what the algorithm means; PyTorch after 1.13). */
        EXACT,
        /** PyTorch 1.13: the range truncated toward zero to integers. */
        TORCH_1_13
    }

    private final int bins, upsampleRate, levels;
    private final Edges edges;
    private float[] histogram;
    private float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
    private float[] searched;    // cached search result, cleared by observe

    /** 2048 bins, upsample rate 128, an 8-bit search, exact edges. */
    public HistogramObserver() {
        this(DEFAULT_BINS, DEFAULT_UPSAMPLE_RATE, 8, Edges.EXACT);
    }

    /** Defaults, with the search for {@code 2^bits} levels (2 to 8). */
    public HistogramObserver(int bits) {
        this(DEFAULT_BINS, DEFAULT_UPSAMPLE_RATE, bits, Edges.EXACT);
    }

    /**
     * @param bins         histogram bins (at least 2)
     * @param upsampleRate fine cells per bin when histograms are combined (at least 1)
     * @param bits         the search minimises the error of {@code 2^bits} levels (2 to 8)
     * @param edges        the bounds each tensor is binned over
     */
    public HistogramObserver(int bins, int upsampleRate, int bits, Edges edges) {
        if (bins < 2) throw new IllegalArgumentException("histogram bins must be at least 2, got " + bins);
        if (upsampleRate < 1) throw new IllegalArgumentException("histogram upsampleRate must be at least 1, got " + upsampleRate);
        if (edges == null) throw new IllegalArgumentException("histogram edges must not be null");
        this.bins = bins;
        this.upsampleRate = upsampleRate;
        this.levels = 1 << QuantScheme.checkBits(bits);
        this.edges = edges;
        this.histogram = new float[bins];
    }

    @Override
    public void observe(Tensor x) {
        float[] r = Observer.finiteMinMax(x);
        float[] v = x.contiguous().toArray();
        searched = null;
        if (!hasData() || min == max) {
            min = r[0];
            max = r[1];
            histogram = histc(v, min, max);
            return;
        }
        float cmin = Math.min(r[0], min), cmax = Math.max(r[1], max);
        float fine = (max - min) / (float) ((long) bins * upsampleRate);
        float span = (float) bins * fine;
        long down = (long) Math.ceil((cmax - cmin) / span);
        float e = (float) down * span - (cmax - cmin);
        cmax = cmax + e;   // relax only the max, so a one-sided range keeps its 0
        long start = (long) Math.rint((min - cmin) / fine);
        float[] h = histc(v, cmin, cmax);
        if (cmin == min && cmax == max) {
            for (int i = 0; i < bins; i++) h[i] += histogram[i];
        } else {
            addRebinned(h, histogram, down, start);
        }
        histogram = h;
        min = cmin;
        max = cmax;
    }

    /** torch.histc over [lo, hi] (after {@link Edges}), float32 arithmetic. */
    private float[] histc(float[] v, float lo, float hi) {
        double left = edges == Edges.EXACT ? lo : (double) (long) lo;
        double right = edges == Edges.EXACT ? hi : (double) (long) hi;
        if (left == right) {
            float[] mm = minMax(v);
            left = mm[0];
            right = mm[1];
        }
        if (left == right) {
            left -= 1;
            right += 1;
        }
        float l = (float) left, rt = (float) right, width = rt - l, n = bins;
        float[] h = new float[bins];
        for (float f : v) {
            if (!(f >= l && f <= rt)) continue;
            int pos = (int) ((f - l) * n / width);
            if (pos >= bins) pos = bins - 1;
            h[pos] += 1f;
        }
        return h;
    }

    private static float[] minMax(float[] v) {
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (float f : v) {
            lo = Math.min(lo, f);
            hi = Math.max(hi, f);
        }
        return new float[] {lo, hi};
    }

    /**
     * Adds {@code old} (on the previous grid) to {@code h} on the new one: fine cell f holds
     * {@code old[(f − start)/upsampleRate]} for f in [start, start + bins·upsampleRate); new bin j
     * gets {@code (C((j+1)·down) − float(C(j·down)))/upsampleRate}, C the cumulative sum in double.
     */
    private void addRebinned(float[] h, float[] old, long down, long start) {
        double[] prefix = new double[bins + 1];   // prefix[k] = upsampleRate · Σ old[0..k)
        for (int k = 0; k < bins; k++) prefix[k + 1] = prefix[k] + (double) old[k] * upsampleRate;
        double previous = 0;
        for (int j = 0; j < bins; j++) {
            double c = cumulative(old, prefix, (j + 1) * down - start);
            float shifted = (float) previous;
            h[j] = h[j] + (float) ((c - shifted) / upsampleRate);
            previous = c;
        }
    }

    /** Sum of the first {@code m} fine cells of the upsampled old histogram. */
    private double cumulative(float[] old, double[] prefix, long m) {
        if (m <= 0) return 0;
        long cells = (long) bins * upsampleRate;
        if (m >= cells) return prefix[bins];
        int k = (int) (m / upsampleRate);
        return prefix[k] + (double) old[k] * (m - (long) k * upsampleRate);
    }

    @Override
    public boolean hasData() {
        return min <= max;
    }

    /** The searched range [min + w·start, min + w·(end + 1)] that the parameters cover. */
    @Override
    public float[] range() {
        if (!hasData()) return new float[] {min, max};
        if (searched == null) searched = search();
        return searched.clone();
    }

    /** The range the histogram spans (before the search). */
    public float[] histogramRange() {
        return new float[] {min, max};
    }

    /** A copy of the histogram (for reports and tests). */
    public float[] histogram() {
        return histogram.clone();
    }

    @Override
    public void reset() {
        histogram = new float[bins];
        min = Float.POSITIVE_INFINITY;
        max = Float.NEGATIVE_INFINITY;
        searched = null;
    }

    private float[] search() {
        float width = (max - min) / (float) bins;
        double total = (float) sumOf(histogram);
        float[] cSum = new float[bins];
        double acc = 0;
        for (int i = 0; i < bins; i++) {
            acc += histogram[i];
            cSum[i] = (float) acc;
        }
        double alpha = 0, beta = 1, normMin = Double.POSITIVE_INFINITY;
        int start = 0, end = bins - 1;
        while (alpha < beta) {
            double nextAlpha = alpha + STEP, nextBeta = beta - STEP;
            float lowMass = (float) (nextAlpha * total), highMass = (float) (nextBeta * total);
            int l = start, r = end;
            while (l < end && cSum[l] < lowMass) l++;
            while (r > start && cSum[r] > highMass) r--;
            int nextStart = start, nextEnd = end;
            if (l - start > end - r) {
                nextStart = l;
                alpha = nextAlpha;
            } else {
                nextEnd = r;
                beta = nextBeta;
            }
            if (nextStart == start && nextEnd == end) continue;
            double norm = quantizationError(nextStart, nextEnd);
            if (norm > normMin) break;
            normMin = norm;
            start = nextStart;
            end = nextEnd;
        }
        return new float[] {min + width * (float) start, min + width * (float) (end + 1)};
    }

    /** torch's {@code _compute_quantization_error(start, end)}: the L2 error of 2^bits levels over bins [start, end]. */
    private double quantizationError(int startBin, int endBin) {
        double binWidth = ((double) max - (double) min) / bins;
        double dstWidth = binWidth * (endBin - startBin + 1) / levels;
        if (dstWidth == 0.0) return 0.0;
        float w = (float) binWidth, dw = (float) dstWidth, half = (float) (dstWidth / 2), top = levels - 1;
        float inner = norm(-half, half, 1f);   // ∫x² over one whole destination bin, density 1
        double sum = 0;
        for (int i = 0; i < bins; i++) {
            float begin = (float) (i - startBin) * w, endX = begin + w;
            float dstBegin = clamp(floorDiv(begin, dw), top), dstEnd = clamp(floorDiv(endX, dw), top);
            float density = histogram[i] / w;
            float n = 0f;
            n += norm(begin - (dstBegin + 0.5f) * dw, half, density);
            n += (dstEnd - dstBegin - 1f) * (density * inner);
            float endCenter = dstEnd * dw + half;
            n += norm(-half, endX - endCenter, density);
            sum += n;
        }
        return (float) sum;
    }

    /** {@code density·(b³ − a³)/3}: the integral of x² over [a, b] for a uniform density. */
    private static float norm(float a, float b, float density) {
        return density * ((b * b * b - a * a * a) / 3f);
    }

    private static float clamp(float v, float top) {
        return Math.max(0f, Math.min(top, v));
    }

    /** Floor division of floats as ATen's {@code div_floor_floating}. */
    static float floorDiv(float a, float b) {
        if (b == 0f) return a / b;
        float mod = a % b;
        float div = (a - mod) / b;
        if (mod != 0f && (b < 0f) != (mod < 0f)) div -= 1f;
        if (div == 0f) return Math.copySign(0f, a / b);
        float floor = (float) Math.floor(div);
        if (div - floor > 0.5f) floor += 1f;
        return floor;
    }

    private static double sumOf(float[] v) {
        double s = 0;
        for (float f : v) s += f;
        return s;
    }
}
