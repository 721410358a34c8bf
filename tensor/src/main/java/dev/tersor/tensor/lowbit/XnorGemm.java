package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.backend.Parallel;

/**
 * The XNOR-popcount GEMM on packed sign bits ({@link PackedBits#packRows}): for A [m, k] and
 * B [n, k] as ±1 matrices,
 * <pre>
 * C[i, j] = Σ_p A[i, p]·B[j, p] = k − 2·popcount(a_i XOR b_j)
 * </pre>
 * (the row padding bits are 0 in both operands and never counted). Rows of A are split over
 * {@link Parallel}; the inner loop is the Vector API BIT_COUNT kernel on JDK 19+ with the vector
 * backend, else scalar {@link Long#bitCount}.
 */
public final class XnorGemm {
    private XnorGemm() {
    }

    /**
     * {@code C = A·Bᵀ} on packed rows.
     *
     * @param a packed A: [m, words(k)]
     * @param b packed B: [n, words(k)]
     * @return C [m, n], row-major
     */
    public static int[] gemm(long[] a, long[] b, int m, int n, int k) {
        return gemm(XnorKernels.current(), a, b, m, n, k);
    }

    static int[] gemm(XnorKernel kernel, long[] a, long[] b, int m, int n, int k) {
        int words = PackedBits.words(k);
        if ((long) m * words > a.length || (long) n * words > b.length) {
            throw new IllegalArgumentException("XnorGemm: A needs " + (long) m * words + " words and B " + (long) n * words
                    + " for m=" + m + ", n=" + n + ", k=" + k + "; got " + a.length + " and " + b.length);
        }
        int stride = kernel.accStride(n);
        long[] bl = kernel.layout(b.length == n * words ? b : java.util.Arrays.copyOf(b, n * words), n, words);
        int[] c = new int[Math.multiplyExact(m, n)];
        int[] oneSegment = {0};
        Parallel.forRange(m, Math.max(4, (1 << 16) / Math.max(1, words * stride)), (from, to) -> {
            int[] acc = new int[(to - from) * stride];
            kernel.accumulate(a, from * words, words, to - from, oneSegment, words, bl, n, acc);
            for (int i = from; i < to; i++) {
                for (int j = 0; j < n; j++) c[i * n + j] = k - 2 * acc[(i - from) * stride + j];
            }
        });
        return c;
    }

}
