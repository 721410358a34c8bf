package dev.tersor.tensor.lowbit;

import static dev.tersor.tensor.lowbit.Int8VectorTiles.I;
import static dev.tersor.tensor.lowbit.Int8VectorTiles.L;
import static dev.tersor.tensor.lowbit.Int8VectorTiles.MR;
import static dev.tersor.tensor.lowbit.Int8VectorTiles.W2;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link Int8Kernel} loops on the Vector API: int lanes, channels along the lanes
 * ({@link Int8VectorTiles} holds the micro-kernels). Panels are one vector of channels for
 * groups of at most L channels, else two; quantization rounds with the {@code 1.5·2²³} trick
 * (exactly {@code rint} below 2²², and any larger magnitude clamps to the same end of the range),
 * and the epilogue converts, multiplies, adds and stores a vector of channels at once (a scatter
 * with the output's channel stride for convolutions). Only {@link Int8Kernels} loads this class,
 * and only when {@code jdk.incubator.vector} is in the boot layer.
 */
final class Int8VectorKernel implements Int8Kernel {
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, I.vectorShape());
    /** {@code 1.5·2²³}: adding and subtracting it rounds a float below 2²² to the nearest integer, ties to even. */
    private static final float ROUND = 12582912f;

    private Int8VectorKernel() {
    }

    /** The kernel, or null when the vectors are too short to hold a useful panel (fewer than 8 int lanes). */
    static Int8Kernel create() {
        return L >= 8 && Int8VectorTiles.B != null && F.length() == L ? new Int8VectorKernel() : null;
    }

    @Override
    public String name() {
        return "vector-i32x" + L;
    }

    @Override
    public int panelWidth(int m) {
        return m <= L ? L : W2;
    }

    @Override
    public int tileRows(int width) {
        return width == W2 ? MR : 12;
    }

    @Override
    public void quantize(float[] x, int xOff, int n, Int8Input in, int[] d, int dOff) {
        int zp = in.zeroPoint();
        float inv = 1f / in.scale();
        FloatVector vInv = FloatVector.broadcast(F, inv), round = FloatVector.broadcast(F, ROUND);
        FloatVector zpF = FloatVector.broadcast(F, (float) zp);
        FloatVector lo = FloatVector.broadcast(F, (float) in.qmin()), hi = FloatVector.broadcast(F, (float) in.qmax());
        IntVector zpI = IntVector.broadcast(I, zp);
        for (int i = 0; i < n; i += L) {   // the last vector masked: convolution rows are often shorter than a vector
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(F, x, xOff + i, m).mul(vInv);
            v = v.add(round).sub(round).add(zpF).min(hi).max(lo);
            ((IntVector) v.convert(VectorOperators.F2I, 0)).sub(zpI).intoArray(d, dOff + i, m.cast(I));
        }
    }

    @Override
    public void weightDots(byte[] w, int cols, int r0, int r1, float[] x, int xOff, float[] dots, int dOff) {
        Int8VectorWeightOnly.dots(w, cols, r0, r1, x, xOff, dots, dOff);
    }

    /**
     * Positions whose sources are consecutive (a stride-1 row) are copied a vector at a time: the
     * last vector of a run may write past it, into cells a later run or row overwrites (or the
     * slack).
     */
    @Override
    public void gather(int[] d, int[] koff, int kShift, int kr, int[] base, int q0, int np, int rows, int[] b) {
        int[] runStart = new int[np + 1], runSrc = new int[np];
        int runs = 0;
        for (int r = 0; r < np; r++) {
            if (r == 0 || base[q0 + r] != base[q0 + r - 1] + 1) {
                runStart[runs] = r;
                runSrc[runs++] = base[q0 + r];
            }
        }
        runStart[runs] = np;
        boolean scalar = runs * 2 > np;   // mostly single positions (strided convolutions, linear rows)
        for (int k = 0; k < kr; k++) {
            int src = koff[k] + kShift, dst = k * rows;
            if (scalar) {
                for (int r = 0; r < np; r++) b[dst + r] = d[src + base[q0 + r]];
            } else {
                for (int s = 0; s < runs; s++) {
                    int len = runStart[s + 1] - runStart[s];   // a run longer than a vector (a row wider than L) takes several
                    for (int o = 0; o < len; o += L) IntVector.fromArray(I, d, src + runSrc[s] + o).intoArray(b, dst + runStart[s] + o);
                }
            }
        }
    }

    @Override
    public void quantizeToFloats(float[] x, int xOff, int n, Int8Input in, float[] d, int dOff) {
        float zp = in.zeroPoint();
        FloatVector vInv = FloatVector.broadcast(F, 1f / in.scale()), round = FloatVector.broadcast(F, ROUND);
        FloatVector zpF = FloatVector.broadcast(F, zp), zero = FloatVector.broadcast(F, -zp);
        FloatVector lo = FloatVector.broadcast(F, (float) in.qmin()), hi = FloatVector.broadcast(F, (float) in.qmax());
        int i = 0;
        for (int whole = F.loopBound(n); i < whole; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + i).mul(vInv);
            centered(v, round, zpF, lo, hi, zero).intoArray(d, dOff + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector v = FloatVector.fromArray(F, x, xOff + i, m).mul(vInv);
            centered(v, round, zpF, lo, hi, zero).intoArray(d, dOff + i, m);
        }
    }

    /** {@code clamp(rint(v) + zp, lo, hi) − zp} of v = x/s; NaN quantizes to 0, as {@link Int8Input}. */
    private static FloatVector centered(FloatVector v, FloatVector round, FloatVector zpF, FloatVector lo, FloatVector hi, FloatVector zero) {
        FloatVector q = v.add(round).sub(round).add(zpF).min(hi).max(lo).sub(zpF);
        return q.blend(zero, v.test(VectorOperators.IS_NAN));
    }

    @Override
    public void tile(byte[] w, int wOff, int width, int kr, int[] b, int rows, int np, int[] acc) {
        Int8VectorTiles.tile(w, wOff, width, kr, b, rows, np, acc);
    }

    @Override
    public void store(int[] acc, int width, int np, int valid, float[] mult, float[] bias, int c0, boolean relu,
                      int[] obase, int q0, int[] chOff, float[] y) {
        boolean contiguous = chOff.length < 2 || chOff[1] == 1;
        for (int j0 = 0; j0 < valid; j0 += L) {
            FloatVector m = FloatVector.fromArray(F, mult, c0 + j0), bv = FloatVector.fromArray(F, bias, c0 + j0);
            VectorMask<Float> lanes = F.indexInRange(j0, valid);
            for (int r = 0; r < np; r++) {
                FloatVector v = ((FloatVector) IntVector.fromArray(I, acc, r * width + j0).convert(VectorOperators.I2F, 0)).mul(m).add(bv);
                if (relu) v = v.lanewise(VectorOperators.MAX, 0f);
                if (contiguous) v.intoArray(y, obase[q0 + r] + c0 + j0, lanes);
                else v.intoArray(y, obase[q0 + r], chOff, c0 + j0, lanes);
            }
        }
    }

    @Override
    public byte[] shiftedWeights(byte[] weight, int m, int kr) {
        return Int8VectorShifted.weights(weight, m, kr);
    }

    @Override
    public int[] widenShifted(byte[] w) {
        return Int8VectorShifted.widen(w);
    }

    @Override
    public byte[] unpackShifted(byte[] w, int m, int kr) {
        return Int8VectorShifted.unpack(w, m, kr);
    }

    @Override
    public void shifted(int[] w, int m, int kr, int[] d, int dOff, int[] koff, int s0, int s1, int[] out, boolean[] valid,
                        float[] mult, float[] bias, boolean relu, float[] y, int yOff, int plane) {
        Int8VectorShifted.run(w, m, kr, d, dOff, koff, s0, s1, out, valid, mult, bias, relu, y, yOff, plane);
    }
}
