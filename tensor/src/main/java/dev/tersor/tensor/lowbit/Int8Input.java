package dev.tersor.tensor.lowbit;

/**
 * How an int8 layer quantizes its float input, one scale and zero point for the whole tensor:
 * <pre>
 * xq = clamp(rint(x · (1f/scale)) + zeroPoint, qmin, qmax)       (in float, then converted to int)
 * </pre>
 * exactly as {@code QParams.quantize} and ATen's {@code quantize_val} (the reciprocal first). The
 * layers then multiply {@code xq − zeroPoint}, which lies in [−255, 255]. A NaN input gives 0,
 * as Java's float-to-int conversion does.
 *
 * @param scale     step between integers, positive and finite
 * @param zeroPoint the integer that stands for 0.0, in [qmin, qmax]
 * @param qmin      smallest integer, at least −255
 * @param qmax      largest integer, at most 255 and at most qmin + 255 (so {@code |xq − zeroPoint| ≤ 255})
 */
public record Int8Input(float scale, int zeroPoint, int qmin, int qmax) {

    /** Validates every field. */
    public Int8Input {
        if (!(scale > 0) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("Int8Input: scale must be positive and finite, got " + scale);
        }
        if (qmin < -255 || qmax > 255 || qmin > qmax || qmax - qmin > 255) {
            throw new IllegalArgumentException("Int8Input: range [" + qmin + ", " + qmax
                    + "] must satisfy -255 <= qmin <= qmax <= 255 and qmax - qmin <= 255");
        }
        if (zeroPoint < qmin || zeroPoint > qmax) {
            throw new IllegalArgumentException("Int8Input: zero point " + zeroPoint + " outside [" + qmin + ", " + qmax + "]");
        }
    }

    /** Unsigned 8-bit activations [0, 255] (PyTorch's quint8). */
    public static Int8Input uint8(float scale, int zeroPoint) {
        return new Int8Input(scale, zeroPoint, 0, 255);
    }

    /** Signed 8-bit activations [−128, 127] (PyTorch's qint8). */
    public static Int8Input int8(float scale, int zeroPoint) {
        return new Int8Input(scale, zeroPoint, -128, 127);
    }

    /** The integer for {@code x}: {@code clamp(rint(x·(1f/scale)) + zeroPoint, qmin, qmax)}. */
    public int quantize(float x) {
        float q = (float) Math.rint(x * (1f / scale)) + zeroPoint;
        return (int) Math.max(qmin, Math.min(qmax, q));
    }
}
