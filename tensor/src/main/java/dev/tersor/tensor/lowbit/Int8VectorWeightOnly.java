package dev.tersor.tensor.lowbit;

import static dev.tersor.tensor.lowbit.Int8VectorTiles.B;
import static dev.tersor.tensor.lowbit.Int8VectorTiles.I;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Int8Kernel#weightDots} on the Vector API: the dequantization fused into the product.
 * Each step loads L weight bytes of a row, widens them to float lanes in registers
 * ({@code B2F}: {@code vpmovsxbd} and {@code vcvtdq2ps}) and multiplies them with L activations
 * by FMA; four rows share every activation load, so the weights are read once, a byte each, and
 * no float copy of them is written. On the memory-bound batch-1 4096→4096 product this reads
 * what the integer kernels read (measured in {@code WeightOnlyGemvBenchmark}, docs/compress.md).
 */
final class Int8VectorWeightOnly {
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, I.vectorShape());
    private static final int ROWS = 4;

    private Int8VectorWeightOnly() {
    }

    static void dots(byte[] w, int cols, int r0, int r1, float[] x, int xOff, float[] dots, int dOff) {
        int r = r0;
        for (; r + ROWS <= r1; r += ROWS) block(w, cols, r, x, xOff, dots, dOff + r - r0);
        for (; r < r1; r++) dots[dOff + r - r0] = row(w, cols, r, x, xOff);
    }

    private static void block(byte[] w, int cols, int r, float[] x, int xOff, float[] dots, int d) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int w0 = r * cols, w1 = w0 + cols, w2 = w1 + cols, w3 = w2 + cols;
        int k = 0, bound = F.loopBound(cols);
        for (; k < bound; k += F.length()) {
            FloatVector xv = FloatVector.fromArray(F, x, xOff + k);
            a0 = widen(w, w0 + k).fma(xv, a0);
            a1 = widen(w, w1 + k).fma(xv, a1);
            a2 = widen(w, w2 + k).fma(xv, a2);
            a3 = widen(w, w3 + k).fma(xv, a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; k < cols; k++) {
            float xk = x[xOff + k];
            s0 += xk * w[w0 + k];
            s1 += xk * w[w1 + k];
            s2 += xk * w[w2 + k];
            s3 += xk * w[w3 + k];
        }
        dots[d] = s0;
        dots[d + 1] = s1;
        dots[d + 2] = s2;
        dots[d + 3] = s3;
    }

    private static float row(byte[] w, int cols, int r, float[] x, int xOff) {
        FloatVector a = FloatVector.zero(F);
        int wo = r * cols, k = 0, bound = F.loopBound(cols);
        for (; k < bound; k += F.length()) a = widen(w, wo + k).fma(FloatVector.fromArray(F, x, xOff + k), a);
        float s = a.reduceLanes(VectorOperators.ADD);
        for (; k < cols; k++) s += x[xOff + k] * w[wo + k];
        return s;
    }

    private static FloatVector widen(byte[] w, int offset) {
        return (FloatVector) ByteVector.fromArray(B, w, offset).convertShape(VectorOperators.B2F, F, 0);
    }
}
