package dev.tersor.tensor.backend;

/**
 * The reference backend: plain loops over {@link ScalarMath}, one element at a time. It is the
 * oracle every other backend is tested against, and the fallback on a JVM without the Vector API.
 */
public final class ScalarBackend implements Backend {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public void unary(UnaryOp op, float p, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = ScalarMath.unary(op, p, x[xOff + i]);
    }

    @Override
    public void binary(BinaryOp op, float[] a, int aOff, float[] b, int bOff, float[] z, int zOff, int n) {
        for (int i = 0; i < n; i++) z[zOff + i] = ScalarMath.binary(op, a[aOff + i], b[bOff + i]);
    }

    @Override
    public void binaryScalarRight(BinaryOp op, float[] a, int aOff, float s, float[] z, int zOff, int n) {
        for (int i = 0; i < n; i++) z[zOff + i] = ScalarMath.binary(op, a[aOff + i], s);
    }

    @Override
    public void binaryScalarLeft(BinaryOp op, float s, float[] b, int bOff, float[] z, int zOff, int n) {
        for (int i = 0; i < n; i++) z[zOff + i] = ScalarMath.binary(op, s, b[bOff + i]);
    }

    @Override
    public float reduce(ReduceOp op, float[] x, int off, int n) {
        float acc = ScalarMath.identity(op);
        for (int i = 0; i < n; i++) acc = ScalarMath.accumulate(op, acc, x[off + i]);
        return acc;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        int[] rows = new int[Math.max(0, transB ? n : k)];
        for (int r = 0; r < rows.length; r++) rows[r] = r * ldb;
        gemmRows(transA, transB, m, n, k, a, aOff, lda, b, bOff, rows, beta, c, cOff, ldc);
    }

    @Override
    public void gemmRows(boolean transA, boolean transB, int m, int n, int k,
                         float[] a, int aOff, int lda, float[] b, int bOff, int[] bRows,
                         float beta, float[] c, int cOff, int ldc) {
        Backend.checkRows(bRows, transB ? n : k);
        for (int i = 0; i < m; i++) {
            int cRow = cOff + i * ldc;
            for (int j = 0; j < n; j++) c[cRow + j] = beta == 0f ? 0f : beta * c[cRow + j];
            for (int p = 0; p < k; p++) {
                float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                for (int j = 0; j < n; j++) {
                    float bv = transB ? b[bOff + bRows[j] + p] : b[bOff + bRows[p] + j];
                    c[cRow + j] += av * bv;
                }
            }
        }
    }
}
