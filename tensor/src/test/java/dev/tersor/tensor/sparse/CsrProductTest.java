package dev.tersor.tensor.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tersor.tensor.backend.Parallel;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link CsrProduct} against a dense double-precision product, and the fast loop against the reference bit for bit. */
class CsrProductTest {
    /** A [rows, cols] matrix with ~density nonzeros, row 1 empty and the last row fully dense. */
    static float[] sparse(Random rnd, int rows, int cols, double density) {
        float[] w = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                boolean keep = r == rows - 1 || (r != 1 && rnd.nextDouble() < density);
                if (keep) w[r * cols + c] = (float) rnd.nextGaussian();
            }
        }
        return w;
    }

    static float[] gaussian(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    @Test
    void matchesTheDenseProductOnOddShapes() {
        Random rnd = new Random(7);
        int before = Parallel.threads();
        try {
            for (int threads : new int[] {1, 3}) {
                Parallel.setThreads(threads);
                for (int n : new int[] {1, 7, 15, 16, 17, 1003}) {
                    for (int[] mk : new int[][] {{1, 1}, {3, 5}, {9, 31}, {17, 300}}) {
                        int m = Math.max(mk[0], 2), k = mk[1], batch = 1 + n % 3;
                        float[] dense = sparse(rnd, m, k, 0.2);
                        CsrMatrix a = CsrMatrix.fromDense(dense, m, k);
                        int bOff = 3, bStride = k * n + 5, cOff = 2, cStride = m * n + 1;
                        float[] b = gaussian(rnd, bOff + batch * bStride);
                        float[] ref = new float[cOff + batch * cStride], fast = new float[ref.length];
                        java.util.Arrays.fill(ref, 42f);
                        java.util.Arrays.fill(fast, 42f);
                        CsrProduct.reference(a, b, bOff, bStride, ref, cOff, cStride, n, batch);
                        for (CsrAxpy axpy : CsrAxpy.available()) {
                            java.util.Arrays.fill(fast, 42f);
                            CsrProduct.multiply(a, b, bOff, bStride, fast, cOff, cStride, n, batch, axpy);
                            assertArrayEquals(ref, fast, "fast vs reference, m=" + m + " k=" + k + " n=" + n + " threads=" + threads + " " + axpy);
                        }
                        for (int bi = 0; bi < batch; bi++) {
                            for (int r = 0; r < m; r++) {
                                for (int j = 0; j < n; j++) {
                                    double s = 0;
                                    for (int c = 0; c < k; c++) s += (double) dense[r * k + c] * b[bOff + bi * bStride + c * n + j];
                                    assertEquals(s, ref[cOff + bi * cStride + r * n + j], 1e-4 * (1 + Math.abs(s)),
                                            "m=" + m + " k=" + k + " n=" + n + " [" + bi + ", " + r + ", " + j + "]");
                                }
                            }
                            // the gaps between the output matrices are not written
                            if (bi > 0) assertEquals(42f, ref[cOff + bi * cStride - 1]);
                            if (m > 2) assertEquals(0f, ref[cOff + bi * cStride + n], "the empty row 1 is zero");
                        }
                        assertEquals(42f, ref[0]);
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void theVectorLoopLoadsWhereTheModuleIs() {
        boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        assertEquals(module ? 2 : 1, CsrAxpy.available().size());
    }

    @Test
    void arraysTooSmallAreRejected() {
        CsrMatrix a = CsrMatrix.fromDense(new float[] {1, 0, 0, 1}, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CsrProduct.multiply(a, new float[3], 0, 0, new float[4], 0, 0, 2, 1));
        assertEquals("CsrProduct: 1 products of CsrMatrix[2, 2], 2 nonzeros with [2, 2] need 4 input and 4 output floats, "
                + "the arrays hold 3 and 4", e.getMessage());
    }
}
