package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;

/**
 * The integer product of a batched int8 layer computed by the float kernels, exactly. With
 * {@code d = xq − zp} and integer weights W held as floats, every partial sum of
 * {@code Σ_k d[k]·W[c, k]}, in any order and with fused multiply-adds, is an integer of magnitude
 * at most {@code max|d| · Σ_k |W[c, k]|}; when that bound is below 2²⁴ every one of them is exact
 * in float32, so the float product equals the int32 accumulator and
 * {@link Int8Reference#output} gives the same bits as the integer kernels. {@link #exact} checks
 * the bound once per layer from the weights and the input range.
 *
 * <p>Why: without a widening int8 dot product (VNNI) a lane-wise int32 multiply-add does one
 * product per lane per instruction, against two fused multiply-adds per cycle for float, so a
 * batched, compute-bound layer runs faster on the packed float GEMM; the integer loops keep the
 * small and memory-bound products (batch 1), where moving a quarter of the weight bytes wins.
 * The float weights are made for the call and dropped: the layer still holds a byte per weight.
 */
final class ExactFloatProduct {
    /** Output pixels times batch from which a convolution takes the float product. */
    static final int MIN_POSITIONS = 2048;
    /** Rows of x from which a linear layer takes the float product. */
    static final int MIN_ROWS = 32;
    private static final double LIMIT = 1 << 24;

    private ExactFloatProduct() {
    }

    /** Whether {@code max|xq − zp| · Σ_k |w[c, k]| < 2²⁴} for every channel c of w [channels, kr] (row-major). */
    static boolean exact(byte[] w, int channels, int kr, Int8Input in) {
        long maxAbsX = Math.max(Math.abs((long) in.qmin() - in.zeroPoint()), Math.abs((long) in.qmax() - in.zeroPoint()));
        for (int c = 0; c < channels; c++) {
            long l1 = 0;
            for (int k = 0; k < kr; k++) l1 += Math.abs(w[c * kr + k]);
            if (l1 * maxAbsX >= LIMIT) return false;
        }
        return true;
    }

    /** {@code xq − zp} of the values of x as floats, in a new tensor of {@code shape} ({@link Int8Kernel#quantizeToFloats}). */
    static Tensor centered(Int8Kernel kernel, float[] x, int xOff, int[] shape, Int8Input in) {
        Tensor out = Tensor.zeros(shape);
        float[] o = out.data();
        Parallel.forRange(o.length, 1 << 14, (from, to) -> kernel.quantizeToFloats(x, xOff + from, to - from, in, o, from));
        out.markModified();
        return out;
    }

    /** The integer weights as floats. */
    static float[] floats(byte[] w) {
        float[] f = new float[w.length];
        for (int i = 0; i < f.length; i++) f[i] = w[i];
        return f;
    }

    /** {@code acc[i] ← output(acc[i], mult[c], bias[c], relu)} in place, channel {@code c = (i / plane) % channels}. */
    static Tensor requantize(Tensor acc, int channels, int plane, float[] mult, float[] bias, boolean relu) {
        float[] a = acc.data();
        int off = acc.dataOffset();
        int planes = acc.numel() / plane;
        Parallel.forRange(planes, Math.max(1, (1 << 14) / plane), (from, to) -> {
            for (int p = from; p < to; p++) {
                int c = p % channels, base = off + p * plane;
                float m = mult[c], b = bias[c];
                for (int i = base; i < base + plane; i++) a[i] = Int8Reference.output((int) a[i], m, b, relu);
            }
        });
        acc.markModified();
        return acc;
    }
}
