package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.backend.Parallel;

/**
 * The scalar reference of the {@link L1Kernels}: each kernel is its formula as a loop nest,
 * rows split over {@link Parallel}. It is the test oracle for every other implementation and
 * what runs on a JVM without the Vector API. Layouts as in {@link L1Kernels}: A [m, k] filters,
 * B [k, n] columns, G [m, n], all row-major.
 *
 * <p>Also holds the exact derivatives of {@code C = −Σ|A − B|} ({@link #signGradA},
 * {@link #signGradB}), which adder ops use for {@link AdderBackward.Rule#EXACT}: a reference for
 * gradient checks, not a training rule, so there is no fast version of them.
 */
public final class L1Distance implements L1Kernels {
    /** Multiply-adds per parallel chunk, roughly. */
    private static final int GRAIN = 1 << 15;

    @Override
    public String name() {
        return "scalar";
    }

    /** {@code C[i, j] = −Σ_p |A[i, p] − B[p, j]|}. */
    @Override
    public void negL1(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        Parallel.forRange(m, rowGrain(n, k), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int ci = cOff + i * n;
                for (int j = 0; j < n; j++) c[ci + j] = 0f;
                for (int p = 0; p < k; p++) {
                    float av = a[aOff + i * k + p];
                    int bp = bOff + p * n;
                    for (int j = 0; j < n; j++) c[ci + j] -= Math.abs(av - b[bp + j]);
                }
            }
        });
    }

    /** {@code dA[i, p] = Σ_j G[i, j]·(B[p, j] − A[i, p])}. */
    @Override
    public void diffGrad(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] g, int gOff,
                         float[] da, int daOff) {
        Parallel.forRange(m, rowGrain(n, k), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                for (int p = 0; p < k; p++) {
                    float av = a[aOff + i * k + p], s = 0f;
                    int bp = bOff + p * n, gi = gOff + i * n;
                    for (int j = 0; j < n; j++) s += g[gi + j] * (b[bp + j] - av);
                    da[daOff + i * k + p] = s;
                }
            }
        });
    }

    /** {@code dB[p, j] = Σ_i G[i, j]·clamp(A[i, p] − B[p, j], −1, 1)}. */
    @Override
    public void hardTanhGrad(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] g, int gOff,
                             float[] db, int dbOff) {
        Parallel.forRange(k, rowGrain(n, m), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int bp = bOff + p * n, dp = dbOff + p * n;
                for (int j = 0; j < n; j++) db[dp + j] = 0f;
                for (int i = 0; i < m; i++) {
                    float av = a[aOff + i * k + p];
                    int gi = gOff + i * n;
                    for (int j = 0; j < n; j++) db[dp + j] += g[gi + j] * hardTanh(av - b[bp + j]);
                }
            }
        });
    }

    /** The exact filter derivative: {@code dA[i, p] = Σ_j G[i, j]·sign(B[p, j] − A[i, p])} (0 at ties). */
    public static void signGradA(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] g, int gOff,
                                 float[] da, int daOff) {
        Parallel.forRange(m, rowGrain(n, k), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                for (int p = 0; p < k; p++) {
                    float av = a[aOff + i * k + p], s = 0f;
                    int bp = bOff + p * n, gi = gOff + i * n;
                    for (int j = 0; j < n; j++) s += g[gi + j] * Math.signum(b[bp + j] - av);
                    da[daOff + i * k + p] = s;
                }
            }
        });
    }

    /** The exact column derivative: {@code dB[p, j] = Σ_i G[i, j]·sign(A[i, p] − B[p, j])} (0 at ties). */
    public static void signGradB(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] g, int gOff,
                                 float[] db, int dbOff) {
        Parallel.forRange(k, rowGrain(n, m), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int bp = bOff + p * n, dp = dbOff + p * n;
                for (int j = 0; j < n; j++) db[dp + j] = 0f;
                for (int i = 0; i < m; i++) {
                    float av = a[aOff + i * k + p];
                    int gi = gOff + i * n;
                    for (int j = 0; j < n; j++) db[dp + j] += g[gi + j] * Math.signum(av - b[bp + j]);
                }
            }
        });
    }

    /** {@code clamp(x, −1, 1)}; NaN stays NaN. */
    static float hardTanh(float x) {
        return Math.max(-1f, Math.min(1f, x));
    }

    /** Rows per chunk so that a chunk does about {@link #GRAIN} inner steps. */
    private static int rowGrain(int n, int k) {
        return (int) Math.max(1, GRAIN / Math.max(1L, (long) n * k));
    }
}
