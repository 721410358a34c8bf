package dev.tersor.tensor.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
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
 * and on two; and {@link Backend#gemmRows} with B's rows at random offsets (the unpacked path).
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

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void rowTables(int threads) {
        Parallel.setThreads(threads);
        // gemmRows: B's rows at random, overlapping offsets. Unpacked 8-row strips read in place
        // (m <= 64, not transposed: full and partial edge panels, p0 past a K block at k > 512),
        // packed (m > 64), dot-product (transposed, k >= 256) and direct (small) paths.
        int[][] shapes = {
            {16, 1089, 144}, {20, 100, 600}, {64, 97, 300}, {1, 64, 40}, {3, 40, 5},
            {80, 70, 200}, {16, 144, 1089}, {70, 64, 257}, {130, 33, 40},
            {12, 4200, 30},   // unpacked across two N blocks (4096 columns each)
        };
        for (int[] s : shapes) variants(s[0], s[1], s[2], s[0] * 17L + s[1] * 5L + s[2] + threads, true);
    }

    @Test
    void rowTableTooShortIsRejected() {
        float[] a = new float[6], b = new float[6], c = new float[4];
        for (Backend be : new Backend[] {VECTOR, SCALAR}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> be.gemmRows(false, false, 2, 2, 3, a, 0, 3, b, 0, new int[] {0, 2}, 0f, c, 0, 2));
            assertTrue(e.getMessage().contains("needs 3 offsets, got 2"), e.getMessage());
        }
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
        variants(m, n, k, seed, false);
    }

    /**
     * {@link #allVariants}; with {@code table}, through {@code gemmRows} with B's stored rows at
     * random offsets inside b (rows overlap and come in no order).
     */
    private static void variants(int m, int n, int k, long seed, boolean table) {
        Random r = new Random(seed);
        for (int t = 0; t < 4; t++) {
            boolean transA = (t & 1) != 0, transB = (t & 2) != 0;
            for (float beta : BETAS) {
                int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 5, ldc = n + 2;
                int aOff = 7, bOff = 2, cOff = 4;
                float[] a = random(r, aOff + (transA ? k : m) * lda);
                float[] b = random(r, bOff + (transB ? n : k) * ldb);
                float[] c = random(r, cOff + m * ldc + 3);
                int[] rows = new int[transB ? n : k];
                int rowLength = transB ? k : n;
                for (int q = 0; q < rows.length; q++) rows[q] = table ? r.nextInt(b.length - bOff - rowLength + 1) : q * ldb;
                float[] expected = c.clone(), actual = c.clone();
                if (table) {
                    SCALAR.gemmRows(transA, transB, m, n, k, a, aOff, lda, b, bOff, rows, beta, expected, cOff, ldc);
                    VECTOR.gemmRows(transA, transB, m, n, k, a, aOff, lda, b, bOff, rows, beta, actual, cOff, ldc);
                } else {
                    SCALAR.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, expected, cOff, ldc);
                    VECTOR.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, actual, cOff, ldc);
                }
                String what = (table ? "rows " : "") + "m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB
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
                        float bv = transB ? b[bOff + rows[j] + p] : b[bOff + rows[p] + j];
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
