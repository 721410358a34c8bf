package dev.tersor.tensor.backend;

/**
 * The kernels every op is built from. Arrays are plain {@code float[]} with an offset; all runs
 * are contiguous. Implementations are found through {@link java.util.ServiceLoader} and ranked
 * by {@link #priority()} (see {@link Backends}). {@link ScalarBackend} is the readable
 * reference and the test oracle for every other implementation.
 *
 * <p>Kernels are single-threaded except {@link #gemm}, which may split its work over
 * {@link Parallel}; callers parallelise elementwise work over chunks themselves.
 */
public interface Backend {

    /** Short name used by {@code -Dtersor.backend=NAME}, e.g. {@code "scalar"}. */
    String name();

    /** Higher wins when no backend is named explicitly. */
    int priority();

    /** Bits of the SIMD vectors the kernels use (0 for scalar code): part of the plan cache's machine key. */
    default int vectorBits() {
        return 0;
    }

    /** {@code y[yOff+i] = op(x[xOff+i]; p)} for {@code i < n}. {@code x} and {@code y} may alias exactly. */
    void unary(UnaryOp op, float p, float[] x, int xOff, float[] y, int yOff, int n);

    /** {@code z[zOff+i] = op(a[aOff+i], b[bOff+i])} for {@code i < n}. Outputs may alias inputs exactly. */
    void binary(BinaryOp op, float[] a, int aOff, float[] b, int bOff, float[] z, int zOff, int n);

    /** {@code z[zOff+i] = op(a[aOff+i], s)}: the right operand is one broadcast scalar. */
    void binaryScalarRight(BinaryOp op, float[] a, int aOff, float s, float[] z, int zOff, int n);

    /** {@code z[zOff+i] = op(s, b[bOff+i])}: the left operand is one broadcast scalar. */
    void binaryScalarLeft(BinaryOp op, float s, float[] b, int bOff, float[] z, int zOff, int n);

    /** Reduces {@code x[off .. off+n)} to one value. */
    float reduce(ReduceOp op, float[] x, int off, int n);

    /** {@code Σ a[aOff+i]·b[bOff+i]}. */
    default float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    /**
     * One tap of a max pooling over {@code n} windows at once: window {@code i} reads
     * {@code v = x[xOff + corner[i]]}. The first tap ({@code first}) stores it into
     * {@code best[bOff+i]}; a later one replaces {@code best[bOff+i]} when {@code v} is greater
     * or NaN (the first maximum wins and NaN propagates, PyTorch's rule; a select, so signed zeros
     * stay as they are). {@code at} (null for values only) gets the winner's index
     * {@code corner[i] + atOff} alongside. Applying a tap twice changes nothing.
     */
    default void maxPoolTap(float[] x, int xOff, int[] corner, int atOff, boolean first,
                            float[] best, int[] at, int bOff, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xOff + corner[i]];
            if (first || v > best[bOff + i] || v != v) {
                best[bOff + i] = v;
                if (at != null) at[bOff + i] = corner[i] + atOff;
            }
        }
    }

    /**
     * Row-major single-precision matrix product {@code C = op(A)·op(B) + beta·C}, with
     * {@code op(A)} of shape [m, k] and {@code op(B)} of shape [k, n].
     *
     * <p>{@code A} is stored as [m, k] with row stride {@code lda} when {@code transA} is false,
     * else as [k, m] (so {@code op(A) = Aᵀ}); likewise {@code B} as [k, n] or, transposed,
     * [n, k], with row stride {@code ldb}. {@code C} is [m, n] with row stride {@code ldc}.
     * {@code beta == 0} overwrites {@code C} (NaN in C does not leak through). May run on
     * several threads through {@link Parallel}.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float[] a, int aOff, int lda,
              float[] b, int bOff, int ldb,
              float beta, float[] c, int cOff, int ldc);

    /**
     * {@link #gemm} with B's stored rows at arbitrary offsets instead of one stride: stored row
     * {@code r} of B starts at {@code b[bOff + bRows[r]]}, for {@code r < k} without
     * {@code transB} (rows of [k, n]) and {@code r < n} with it (rows of [n, k]). Rows may
     * overlap. A stride-1 convolution reads its column matrix straight from a spread image this
     * way: column row (c, i, j) is the image shifted by tap (i, j), so no im2col copy is made.
     */
    void gemmRows(boolean transA, boolean transB, int m, int n, int k,
                  float[] a, int aOff, int lda,
                  float[] b, int bOff, int[] bRows,
                  float beta, float[] c, int cOff, int ldc);

    /** Checks that a {@link #gemmRows} row table holds at least {@code needed} offsets. */
    static void checkRows(int[] bRows, int needed) {
        if (bRows == null || bRows.length < needed) {
            throw new IllegalArgumentException("gemmRows: the row table of B needs " + needed + " offsets, got "
                    + (bRows == null ? "null" : bRows.length));
        }
    }
}
