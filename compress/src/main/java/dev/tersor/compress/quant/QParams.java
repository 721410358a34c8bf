package dev.tersor.compress.quant;

import java.util.Arrays;

/**
 * Quantization parameters: one scale and zero point per tensor (length 1) or per output channel,
 * and the integer range. {@code q = clamp(rint(x · (1/scale)) + zeroPoint, qmin, qmax)} (the
 * reciprocal first, as ATen's {@code quantize_val}), {@code x̂ = (q − zeroPoint) · scale}.
 */
public record QParams(float[] scale, int[] zeroPoint, int qmin, int qmax) {

    /** The smallest scale (float32 machine epsilon, as torch.ao's observers). */
    public static final float EPS = Math.ulp(1f);

    public QParams {
        if (scale.length == 0 || scale.length != zeroPoint.length) {
            throw new IllegalArgumentException("QParams: " + scale.length + " scales and " + zeroPoint.length + " zero points");
        }
        for (int i = 0; i < scale.length; i++) {
            if (!(scale[i] > 0) || !Float.isFinite(scale[i])) {
                throw new IllegalArgumentException("QParams: scale " + i + " must be positive and finite, got " + scale[i]);
            }
            if (zeroPoint[i] < qmin || zeroPoint[i] > qmax) {
                throw new IllegalArgumentException("QParams: zero point " + zeroPoint[i] + " outside [" + qmin + ", " + qmax + "]");
            }
        }
        scale = scale.clone();
        zeroPoint = zeroPoint.clone();
    }

    /** Per-tensor parameters. */
    public static QParams perTensor(float scale, int zeroPoint, int qmin, int qmax) {
        return new QParams(new float[] {scale}, new int[] {zeroPoint}, qmin, qmax);
    }

    /** True when there is one scale per channel. */
    public boolean isPerChannel() {
        return scale.length > 1;
    }

    /** Number of scales (1 per tensor). */
    public int channels() {
        return scale.length;
    }

    /** The scale for channel {@code c} (any c for per-tensor parameters). */
    public float scale(int c) {
        return scale[scale.length == 1 ? 0 : c];
    }

    /** The zero point for channel {@code c} (any c for per-tensor parameters). */
    public int zeroPoint(int c) {
        return zeroPoint[zeroPoint.length == 1 ? 0 : c];
    }

    /** The integer for {@code x} in channel {@code c}. */
    public int quantize(float x, int c) {
        float q = (float) Math.rint(x * (1f / scale(c))) + zeroPoint(c);
        return (int) Math.max(qmin, Math.min(qmax, q));
    }

    /** The value integer {@code q} stands for in channel {@code c}. */
    public float dequantize(int q, int c) {
        return (q - zeroPoint(c)) * scale(c);
    }

    @Override
    public float[] scale() {
        return scale.clone();
    }

    @Override
    public int[] zeroPoint() {
        return zeroPoint.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QParams p && qmin == p.qmin && qmax == p.qmax && Arrays.equals(scale, p.scale)
                && Arrays.equals(zeroPoint, p.zeroPoint);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(scale) + Arrays.hashCode(zeroPoint) + 7 * qmin + qmax;
    }

    @Override
    public String toString() {
        return "QParams[" + (scale.length == 1 ? "scale=" + scale[0] + ", zero_point=" + zeroPoint[0]
                : scale.length + " channels") + ", range=[" + qmin + ", " + qmax + "]]";
    }
}
