package dev.tersor.compress.quant;

/**
 * How values map to integers: {@code q = clamp(rint(x / scale) + zeroPoint, qmin, qmax)},
 * dequantized as {@code (q − zeroPoint)·scale}. {@code affine} schemes have a zero point chosen
 * from the range; symmetric ones keep it at 0. {@code perChannel} gives each output channel
 * (dimension 0 of a weight) its own scale.
 *
 * <pre>{@code
 * QuantScheme.signed(8, true)        // int8 weights [-128, 127], per channel, zero point 0 (torch.ao qint8)
 * QuantScheme.affine(8)              // uint8 activations [0, 255] with a zero point (torch.ao quint8)
 * QuantScheme.unsigned(4)            // [0, 15], zero point 0 (LSQ/PACT activations after ReLU)
 * QuantScheme.narrowSigned(4, false) // [-7, 7] (PAMS, LSQ weights use signed(b))
 * }</pre>
 *
 * @param bits       2 to 8
 * @param qmin       smallest integer
 * @param qmax       largest integer
 * @param affine     whether the zero point is free (else 0)
 * @param perChannel one scale per output channel
 */
public record QuantScheme(int bits, int qmin, int qmax, boolean affine, boolean perChannel) {

    /** Smallest and largest bit widths the quantizers support. */
    public static final int MIN_BITS = 2, MAX_BITS = 8;

    public QuantScheme {
        checkBits(bits);
        if (qmin >= qmax) throw new IllegalArgumentException("quantization range: qmin " + qmin + " must be below qmax " + qmax);
        long levels = (long) qmax - qmin + 1;
        if (levels > (1L << bits)) {
            throw new IllegalArgumentException("quantization range [" + qmin + ", " + qmax + "] needs more than " + bits + " bits");
        }
        if (!affine && (qmin > 0 || qmax < 0)) {
            throw new IllegalArgumentException("a symmetric scheme must contain 0, got [" + qmin + ", " + qmax + "]");
        }
    }

    /** Throws an IllegalArgumentException naming the setting unless {@code 2 <= bits <= 8}. */
    public static int checkBits(int bits) {
        if (bits < MIN_BITS || bits > MAX_BITS) {
            throw new IllegalArgumentException("bits must be between " + MIN_BITS + " and " + MAX_BITS + ", got " + bits);
        }
        return bits;
    }

    /** Two's-complement range [−2^(b−1), 2^(b−1)−1], zero point 0. */
    public static QuantScheme signed(int bits, boolean perChannel) {
        checkBits(bits);
        return new QuantScheme(bits, -(1 << (bits - 1)), (1 << (bits - 1)) - 1, false, perChannel);
    }

    /** Symmetric range without the most negative value, [−(2^(b−1)−1), 2^(b−1)−1], zero point 0. */
    public static QuantScheme narrowSigned(int bits, boolean perChannel) {
        checkBits(bits);
        return new QuantScheme(bits, -((1 << (bits - 1)) - 1), (1 << (bits - 1)) - 1, false, perChannel);
    }

    /** [0, 2^b−1] with zero point 0: non-negative inputs (after ReLU). */
    public static QuantScheme unsigned(int bits) {
        checkBits(bits);
        return new QuantScheme(bits, 0, (1 << bits) - 1, false, false);
    }

    /** [0, 2^b−1] with a zero point chosen from the range, per tensor. */
    public static QuantScheme affine(int bits) {
        checkBits(bits);
        return new QuantScheme(bits, 0, (1 << bits) - 1, true, false);
    }

    /** The same scheme with one scale per output channel, or one per tensor. */
    public QuantScheme withPerChannel(boolean on) {
        return new QuantScheme(bits, qmin, qmax, affine, on);
    }

    /** Number of integer levels, {@code qmax − qmin + 1}. */
    public int levels() {
        return qmax - qmin + 1;
    }

    /**
     * Scale and zero point for a range, as torch.ao's {@code calculate_qparams}: the range is first
     * widened to contain 0; symmetric: {@code scale = max(|min|, |max|) / ((qmax − qmin) / 2)};
     * affine: {@code scale = (max − min) / (qmax − qmin)}, {@code zp = clamp(qmin − rint(min / scale))};
     * a scale below {@code 2^-24}·(float eps) becomes float epsilon. Unsigned symmetric schemes
     * (qmin 0) use {@code scale = max / qmax}.
     */
    public QParams qparams(float min, float max) {
        return qparams(new float[] {min}, new float[] {max});
    }

    /** Per-channel (or, for length 1, per-tensor) scales and zero points from ranges. */
    public QParams qparams(float[] min, float[] max) {
        if (min.length != max.length || min.length == 0) {
            throw new IllegalArgumentException("qparams: " + min.length + " minima and " + max.length + " maxima");
        }
        float[] scale = new float[min.length];
        int[] zp = new int[min.length];
        for (int c = 0; c < min.length; c++) {
            if (!Float.isFinite(min[c]) || !Float.isFinite(max[c])) {
                throw new IllegalArgumentException("qparams: range [" + min[c] + ", " + max[c] + "] is not finite");
            }
            if (min[c] > max[c]) throw new IllegalArgumentException("qparams: min " + min[c] + " > max " + max[c]);
            float lo = Math.min(min[c], 0f), hi = Math.max(max[c], 0f);
            float s;
            if (!affine) {
                float m = Math.max(-lo, hi);
                s = qmin == 0 ? m / qmax : m / ((qmax - qmin) / 2f);
                zp[c] = 0;
            } else {
                s = (hi - lo) / (qmax - qmin);
            }
            s = Math.max(s, QParams.EPS);
            if (affine) zp[c] = Math.max(qmin, Math.min(qmax, qmin - (int) Math.rint(lo / s)));
            scale[c] = s;
        }
        return new QParams(scale, zp, qmin, qmax);
    }
}
