package dev.tersor.tensor.sparse;

import dev.tersor.tensor.backend.Parallel;

/**
 * Sparse × dense products {@code C = A·B} with A a {@link CsrMatrix} [M, K] and B dense
 * [K, n] row-major, for {@code batch} pairs (B_b, C_b) side by side in two arrays:
 * <pre>
 * C_b[m, j] = Σ_{p ∈ row m} values[p] · B_b[columns[p], j]        (C overwritten; an empty row gives 0)
 * B_b at b[bOff + b·bStride ...], rows n apart;  C_b at c[cOff + b·cStride ...], rows n apart
 * </pre>
 * {@link #reference} is the plain loop (the test oracle). {@link #multiply} computes the same
 * sums in the same order, so bit for bit the same floats: each output row is built a tile of
 * {@value #TILE} columns at a time (the tile stays in L1 while every nonzero of the row adds
 * {@code v · B[col, tile]} to it: {@link CsrAxpy}, a Vector API loop under the vector backend),
 * a single column ({@code n = 1}) is a gathered dot product, and (matrix, row) pairs are split
 * over {@link Parallel}. The work is {@code nnz·n} multiply-adds against {@code M·K·n} dense.
 */
public final class CsrProduct {
    /** Output columns per tile of the fast loop. */
    static final int TILE = 256;
    /** Multiply-adds per parallel chunk, about. */
    private static final int GRAIN = 1 << 14;

    private CsrProduct() {
    }

    /** The reference loop: see the class comment for the layout. */
    public static void reference(CsrMatrix a, float[] b, int bOff, int bStride, float[] c, int cOff, int cStride, int n, int batch) {
        check(a, b, bOff, bStride, c, cOff, cStride, n, batch);
        for (int bi = 0; bi < batch; bi++) {
            for (int m = 0; m < a.rows(); m++) {
                int row = cOff + bi * cStride + m * n;
                for (int j = 0; j < n; j++) c[row + j] = 0f;
                for (int p = a.rowPointers[m]; p < a.rowPointers[m + 1]; p++) {
                    float v = a.values[p];
                    int src = bOff + bi * bStride + a.columns[p] * n;
                    for (int j = 0; j < n; j++) c[row + j] += v * b[src + j];
                }
            }
        }
    }

    /** The fast loop, the same floats as {@link #reference}. */
    public static void multiply(CsrMatrix a, float[] b, int bOff, int bStride, float[] c, int cOff, int cStride, int n, int batch) {
        multiply(a, b, bOff, bStride, c, cOff, cStride, n, batch, CsrAxpy.current());
    }

    /** The fast loop with a given inner loop (tests run each). */
    static void multiply(CsrMatrix a, float[] b, int bOff, int bStride, float[] c, int cOff, int cStride, int n, int batch, CsrAxpy axpy) {
        check(a, b, bOff, bStride, c, cOff, cStride, n, batch);
        int rows = a.rows();
        long perRow = Math.max(1L, (long) a.nonzeros() * n / rows);
        int grain = (int) Math.max(1, GRAIN / perRow);
        Parallel.forRange(batch * rows, grain, (lo, hi) -> {
            for (int t = lo; t < hi; t++) {
                int bi = t / rows, m = t % rows;
                int row = cOff + bi * cStride + m * n, base = bOff + bi * bStride;
                if (n == 1) dot(a, m, b, base, c, row);
                else axpyRow(a, m, b, base, c, row, n, axpy);
            }
        });
    }

    private static void dot(CsrMatrix a, int m, float[] b, int base, float[] c, int at) {
        int[] col = a.columns;
        float[] val = a.values;
        float s = 0f;
        for (int p = a.rowPointers[m], end = a.rowPointers[m + 1]; p < end; p++) s += val[p] * b[base + col[p]];
        c[at] = s;
    }

    private static void axpyRow(CsrMatrix a, int m, float[] b, int base, float[] c, int row, int n, CsrAxpy axpy) {
        int[] col = a.columns;
        float[] val = a.values;
        int lo = a.rowPointers[m], hi = a.rowPointers[m + 1];
        for (int j0 = 0; j0 < n; j0 += TILE) {
            int len = Math.min(TILE, n - j0), dst = row + j0;
            java.util.Arrays.fill(c, dst, dst + len, 0f);
            for (int p = lo; p < hi; p++) axpy.axpy(val[p], b, base + col[p] * n + j0, c, dst, len);
        }
    }

    private static void check(CsrMatrix a, float[] b, int bOff, int bStride, float[] c, int cOff, int cStride, int n, int batch) {
        if (n < 1 || batch < 1) throw new IllegalArgumentException("CsrProduct: n and batch must be positive, got n=" + n + ", batch=" + batch);
        long bNeed = bOff + (long) (batch - 1) * bStride + (long) a.cols() * n;
        long cNeed = cOff + (long) (batch - 1) * cStride + (long) a.rows() * n;
        if (bOff < 0 || cOff < 0 || bStride < 0 || cStride < 0 || bNeed > b.length || cNeed > c.length) {
            throw new IllegalArgumentException("CsrProduct: " + batch + " products of " + a + " with [" + a.cols() + ", " + n
                    + "] need " + bNeed + " input and " + cNeed + " output floats, the arrays hold " + b.length + " and " + c.length);
        }
    }
}
