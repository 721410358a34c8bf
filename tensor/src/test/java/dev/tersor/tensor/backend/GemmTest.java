package dev.tersor.tensor.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tersor.tensor.backend.vector.VectorBackend;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link VectorBackend#gemm} against {@link ScalarBackend#gemm}: all four transpose
 * combinations, beta 0, 1 and ½, leading dimensions wider than the matrices, non-zero offsets,
 * square sizes around the vector and tile widths and odd m ≠ n ≠ k shapes (the direct, packed
 * and dot-product paths, 12- and 8-row strips, edge tiles, several K and N blocks), on one thread
 * and on two.
 *
 * <p>Tolerance: each of the two results is a float sum of k products plus {@code beta·C} in
 * some order, so each is within {@code (k+1)·2⁻²⁴·B} of the exact value, where
 * {@code B = Σ_p |op(A)[i,p]·op(B)[p,j]| + |beta·C[i,j]|}; they differ by at most twice that.
 * Cells of C outside the m×n window (the ldc padding) must not change.
 */
class GemmTest {
    private static final Backend VECTOR = new VectorBackend();
    private static final Backend SCALAR = new ScalarBackend();
    private static final float[] BETAS = {0f, 1f, 0.5f};
    private int savedThreads;

    @BeforeEach
    void saveThreads() {
        savedThreads = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void squareSizes(int threads) {
        Parallel.setThreads(threads);
        for (int s : new int[]{1, 7, 15, 16, 17, 33, 100, 257}) allVariants(s, s, s, s * 7L + threads);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void oddShapes(int threads) {
        Parallel.setThreads(threads);
        // Direct path (small, or m < MR/2; rows or column chunks over threads), packed path
        // (edge tiles, several K blocks, the N block edge at 4096 columns, rows or B panels
        // over threads).
        int[][] shapes = {
            {1, 300, 5}, {5, 1, 700}, {3, 130, 129}, {2, 64, 2048}, {3, 1500, 2000}, {1, 4000, 2200},
            {37, 19, 301}, {300, 13, 2}, {25, 33, 64}, {130, 70, 520}, {250, 70, 520},
            {13, 4100, 200}, {61, 97, 1100},
            // 8-row strips for short multiples of 8 (convolutions with 16 or 32 channels), 12-row ones at 24
            {16, 1024, 144}, {32, 256, 288}, {24, 100, 300},
            // A·Bᵀ as unpacked 4×4 dot-product blocks (k ≥ 256, a side ≤ 64): edge rows and columns, k tails
            {16, 144, 2048}, {9, 143, 301}, {64, 30, 1000}, {70, 64, 257},
        };
        for (int[] s : shapes) allVariants(s[0], s[1], s[2], s[0] * 31L + s[1] * 7L + s[2] + threads);
    }

    @Test
    void betaZeroOverwritesNaN() {
        for (int threads : new int[]{1, 2}) {
            Parallel.setThreads(threads);
            for (int s : new int[]{5, 64, 150}) {
                Random r = new Random(s);
                float[] a = random(r, s * s), b = random(r, s * s);
                float[] c = new float[s * s];
                Arrays.fill(c, Float.NaN);
                VECTOR.gemm(false, false, s, s, s, a, 0, s, b, 0, s, 0f, c, 0, s);
                for (float v : c) assertFalse(Float.isNaN(v), "NaN leaked from C with beta = 0, size " + s);
            }
        }
    }

    @Test
    void emptyDepthScalesC() {
        float[] c = {1f, 2f, Float.NaN, 4f};
        VECTOR.gemm(false, false, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 2, 0.5f, c, 0, 2);
        assertEquals(0.5f, c[0]);
        assertEquals(2f, c[3]);
        VECTOR.gemm(false, false, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 2, 0f, c, 0, 2);
        assertEquals(0f, c[2], "beta = 0 with k = 0 clears C, NaN included");
    }

    /** Four transpose combinations × three betas, with padded strides and offsets. */
    private static void allVariants(int m, int n, int k, long seed) {
        Random r = new Random(seed);
        for (int t = 0; t < 4; t++) {
            boolean transA = (t & 1) != 0, transB = (t & 2) != 0;
            for (float beta : BETAS) {
                int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 5, ldc = n + 2;
                int aOff = 7, bOff = 2, cOff = 4;
                float[] a = random(r, aOff + (transA ? k : m) * lda);
                float[] b = random(r, bOff + (transB ? n : k) * ldb);
                float[] c = random(r, cOff + m * ldc + 3);
                float[] expected = c.clone(), actual = c.clone();
                SCALAR.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, expected, cOff, ldc);
                VECTOR.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, actual, cOff, ldc);
                String what = "m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB
                        + " beta=" + beta + " threads=" + Parallel.threads();
                for (int idx = 0; idx < c.length; idx++) {
                    int i = (idx - cOff) / ldc, j = (idx - cOff) % ldc;
                    boolean inside = idx >= cOff && i < m && j < n;
                    if (!inside) {
                        if (Float.floatToIntBits(actual[idx]) != Float.floatToIntBits(c[idx])) {
                            fail(what + ": wrote outside C at storage index " + idx);
                        }
                        continue;
                    }
                    double bound = Math.abs(beta * c[idx]);
                    for (int p = 0; p < k; p++) {
                        float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                        float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                        bound += Math.abs((double) av * bv);
                    }
                    double tol = 2.0 * (k + 1) * Math.ulp(1f) / 2 * bound + 1e-30;
                    if (Math.abs((double) actual[idx] - expected[idx]) > tol) {
                        fail(what + ": C[" + i + "," + j + "] expected " + expected[idx] + ", got " + actual[idx]
                                + " (tolerance " + tol + ")");
                    }
                }
            }
        }
    }

    private static float[] random(Random r, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = 2f * r.nextFloat() - 1f;
        return x;
    }
}
