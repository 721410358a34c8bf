package dev.tersor.tensor.backend.vector;

import static dev.tersor.tensor.backend.vector.GemmKernel.L;
import static dev.tersor.tensor.backend.vector.GemmKernel.S;

import dev.tersor.tensor.backend.Parallel;
import jdk.incubator.vector.FloatVector;

/**
 * {@code C += A·Bᵀ} where both operands are contiguous along the long shared axis k:
 * {@code C[i, j] += Σ_p a[aOff + i·lda + p] · b[bOff + rows[j] + p]} (B's rows at arbitrary
 * offsets, {@code rows[j] = j·ldb} for a plain matrix). This is the shape of every
 * weight gradient (output gradient times input columns, both with positions along k) and of
 * {@code x·Wᵀ} with a short batch. Packing such a B means a transposing copy of all of it,
 * which costs as much as the arithmetic when C has few rows; here nothing is packed.
 *
 * <p>Register blocking: a 4×4 block of C keeps 16 vector accumulators; each step of L along k
 * loads four A vectors and four B vectors (8 loads for 16 fused multiply-adds, both operand
 * streams sequential). At the end of k each accumulator is summed lane by lane in a fixed order
 * (through a small buffer), so results do not depend on how the JIT compiled the reduction.
 * Edge rows and columns fall back to single dot products. Blocks of columns are split over
 * threads when the product is large.
 */
final class GemmDot {
    /** Block side. */
    private static final int B = 4;

    private GemmDot() {
    }

    /** {@code C[i, j] += Σ_p A[i, p]·B[j, p]} for {@code i < m, j < n, p < k} (C already scaled by beta). */
    static void gemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int[] bRows,
                     float[] c, int cOff, int ldc) {
        int colBlocks = (n + B - 1) / B;
        long work = (long) m * n * k;
        int grain = (int) Math.max(1, colBlocks * VectorGemm.TASK_WORK / Math.max(1, work));
        Parallel.forRange(colBlocks, grain, (q0, q1) -> {
            float[] sums = new float[B * B * L];
            int j1 = Math.min(n, q1 * B);
            for (int j = q0 * B; j < j1; j += B) {
                int cols = Math.min(B, j1 - j);
                int i = 0;
                if (cols == B) {
                    for (; i + B <= m; i += B) block(k, a, aOff + i * lda, lda, b, bOff + bRows[j], bOff + bRows[j + 1], bOff + bRows[j + 2], bOff + bRows[j + 3], sums, c, cOff + i * ldc + j, ldc);
                }
                for (; i < m; i++) {
                    for (int jj = j; jj < j + cols; jj++) {
                        c[cOff + i * ldc + jj] += VectorBackend.dotProduct(a, aOff + i * lda, b, bOff + bRows[jj], k);
                    }
                }
            }
        });
    }

    /** One 4×4 block of C starting at {@code c[ci]}, rows of A from {@code a[ai]} ({@code lda} apart), rows of B from {@code b[bi]}, {@code b[b1]}, ... */
    private static void block(int k, float[] a, int ai, int lda, float[] b, int bi, int b1, int b2, int b3, float[] sums,
                              float[] c, int ci, int ldc) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector c00 = zero, c01 = zero, c02 = zero, c03 = zero, c10 = zero, c11 = zero, c12 = zero, c13 = zero;
        FloatVector c20 = zero, c21 = zero, c22 = zero, c23 = zero, c30 = zero, c31 = zero, c32 = zero, c33 = zero;
        int a1 = ai + lda, a2 = a1 + lda, a3 = a2 + lda;
        int bound = S.loopBound(k);
        for (int p = 0; p < bound; p += L) {
            FloatVector y0 = FloatVector.fromArray(S, b, bi + p), y1 = FloatVector.fromArray(S, b, b1 + p);
            FloatVector y2 = FloatVector.fromArray(S, b, b2 + p), y3 = FloatVector.fromArray(S, b, b3 + p);
            FloatVector x = FloatVector.fromArray(S, a, ai + p);
            c00 = x.fma(y0, c00); c01 = x.fma(y1, c01); c02 = x.fma(y2, c02); c03 = x.fma(y3, c03);
            x = FloatVector.fromArray(S, a, a1 + p);
            c10 = x.fma(y0, c10); c11 = x.fma(y1, c11); c12 = x.fma(y2, c12); c13 = x.fma(y3, c13);
            x = FloatVector.fromArray(S, a, a2 + p);
            c20 = x.fma(y0, c20); c21 = x.fma(y1, c21); c22 = x.fma(y2, c22); c23 = x.fma(y3, c23);
            x = FloatVector.fromArray(S, a, a3 + p);
            c30 = x.fma(y0, c30); c31 = x.fma(y1, c31); c32 = x.fma(y2, c32); c33 = x.fma(y3, c33);
        }
        c00.intoArray(sums, 0);
        c01.intoArray(sums, L);
        c02.intoArray(sums, 2 * L);
        c03.intoArray(sums, 3 * L);
        c10.intoArray(sums, 4 * L);
        c11.intoArray(sums, 5 * L);
        c12.intoArray(sums, 6 * L);
        c13.intoArray(sums, 7 * L);
        c20.intoArray(sums, 8 * L);
        c21.intoArray(sums, 9 * L);
        c22.intoArray(sums, 10 * L);
        c23.intoArray(sums, 11 * L);
        c30.intoArray(sums, 12 * L);
        c31.intoArray(sums, 13 * L);
        c32.intoArray(sums, 14 * L);
        c33.intoArray(sums, 15 * L);
        for (int r = 0; r < B; r++) {
            int ar = ai + r * lda;
            for (int q = 0; q < B; q++) {
                float s = 0f;
                for (int t = (r * B + q) * L, end = t + L; t < end; t++) s += sums[t];
                int bq = q == 0 ? bi : q == 1 ? b1 : q == 2 ? b2 : b3;
                for (int p = bound; p < k; p++) s += a[ar + p] * b[bq + p];
                c[ci + r * ldc + q] += s;
            }
        }
    }
}
