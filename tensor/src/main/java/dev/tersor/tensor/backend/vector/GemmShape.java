package dev.tersor.tensor.backend.vector;

/** The key of a GEMM plan: {@code op(A)} [m, k] times {@code op(B)} [k, n] on {@code threads} threads. */
record GemmShape(boolean transA, boolean transB, int m, int n, int k, int threads) {
    /** {@code "NT 128x64x32 t2"}: transposes of A and B, then m×n×k and the threads. */
    String text() {
        return (transA ? "T" : "N") + (transB ? "T" : "N") + " " + m + "x" + n + "x" + k + " t" + threads;
    }

    long work() {
        return (long) m * n * k;
    }
}
