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
 * The float weights are made for the call: the layer still holds a byte per weight. They and the
 * centred input go into two per-thread scratch buffers that only grow ({@link #scratch}), so a
 * call allocates nothing but its output; the buffers are handed only to a float product whose
 * operands require no gradient (nothing records or keeps them) and are free again when it returns.
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

    /** Scratch slot of the centred input. */
    static final int INPUT = 0;
    /** Scratch slot of the float weights. */
    static final int WEIGHTS = 1;
    private static final ThreadLocal<Tensor[]> SCRATCH = ThreadLocal.withInitial(() -> new Tensor[2]);

    /**
     * A tensor of {@code shape} over this thread's scratch buffer {@code slot} (grown when too
     * small, else reused; its values are stale): a contiguous view from offset 0 of the buffer.
     */
    static Tensor scratch(int slot, int... shape) {
        Tensor[] buffers = SCRATCH.get();
        int n = 1;
        for (int s : shape) n = Math.multiplyExact(n, s);
        if (buffers[slot] == null || buffers[slot].numel() < n) buffers[slot] = Tensor.zeros(n);
        return buffers[slot].narrow(0, 0, n).reshape(shape);
    }

    /** {@code xq − zp} of the values of x as floats ({@link Int8Kernel#quantizeToFloats}), in the input scratch. */
    static Tensor centered(Int8Kernel kernel, float[] x, int xOff, int[] shape, Int8Input in) {
        Tensor out = scratch(INPUT, shape);
        float[] o = out.data();
        Parallel.forRange(out.numel(), 1 << 14, (from, to) -> kernel.quantizeToFloats(x, xOff + from, to - from, in, o, from));
        out.markModified();
        return out;
    }

    /** {@code out[i] ← w[i]}: integer weights as floats. */
    static void widen(byte[] w, float[] out) {
        for (int i = 0; i < w.length; i++) out[i] = w[i];
    }

    /**
     * {@code acc[i] ← output(acc[i], mult[c], bias[c], relu)} in place, channel {@code c = (i / plane) % channels}.
     * The accumulators are exact integers below 2²⁴, so {@code (float) (int) acc == acc} and the
     * loops need no conversion: a multiply, then an add, per value, in lanes.
     */
    static Tensor requantize(Tensor acc, int channels, int plane, float[] mult, float[] bias, boolean relu) {
        float[] a = acc.data();
        int off = acc.dataOffset();
        int planes = acc.numel() / plane;
        if (plane == 1) {   // a linear layer: rows of channels
            Parallel.forRange(planes / channels, Math.max(1, (1 << 14) / channels),
                    (from, to) -> {
                        for (int r = from; r < to; r++) affine(a, off + r * channels, channels, mult, bias, relu);
                    });
        } else {
            Parallel.forRange(planes, Math.max(1, (1 << 14) / plane), (from, to) -> {
                for (int p = from; p < to; p++) {
                    int c = p % channels;
                    scaled(a, off + p * plane, plane, mult[c], bias[c], relu);
                }
            });
        }
        acc.markModified();
        return acc;
    }

    /** {@code a[at + c] ← output(a[at + c], mult[c], bias[c], relu)} for c &lt; n. */
    private static void affine(float[] a, int at, int n, float[] mult, float[] bias, boolean relu) {
        if (relu) {
            for (int c = 0; c < n; c++) a[at + c] = Math.max(a[at + c] * mult[c] + bias[c], 0f);
        } else {
            for (int c = 0; c < n; c++) a[at + c] = a[at + c] * mult[c] + bias[c];
        }
    }

    /** {@code a[at + i] ← output(a[at + i], m, b, relu)} for i &lt; n. */
    private static void scaled(float[] a, int at, int n, float m, float b, boolean relu) {
        if (relu) {
            for (int i = at; i < at + n; i++) a[i] = Math.max(a[i] * m + b, 0f);
        } else {
            for (int i = at; i < at + n; i++) a[i] = a[i] * m + b;
        }
    }
}
