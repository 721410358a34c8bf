package dev.tersor.compress.prune;

/**
 * The numerical rank of a small dense matrix as {@code torch.linalg.matrix_rank} defines it: the
 * number of singular values above σ_max·max(m, n)·ε with ε = 2⁻²³ (float32's machine epsilon; the
 * matrices are float32 feature maps). Singular values by one-sided Jacobi (Hestenes) rotations of
 * the columns in double precision, sweeping until every pair is orthogonal to 1e-15.
 */
final class MatrixRank {
    static final double EPS_F32 = Math.ulp(1f);
    private static final int MAX_SWEEPS = 60;

    private MatrixRank() {
    }

    /** The rank of the row-major m×n matrix {@code a[offset ...]}; {@code work} needs m·n doubles. */
    static int of(float[] a, int offset, int m, int n, double[] work) {
        // columns of the transpose when n > m, so there are at most min(m, n) ≤ rows columns to rotate
        boolean t = n > m;
        int rows = t ? n : m, cols = t ? m : n;
        boolean any = false;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float v = a[offset + i * n + j];
                any |= v != 0;
                if (t) work[i * rows + j] = v;      // column i of the transpose = row i
                else work[j * rows + i] = v;        // column j
            }
        }
        if (!any) return 0;
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < cols - 1; p++) {
                for (int q = p + 1; q < cols; q++) {
                    double alpha = 0, beta = 0, gamma = 0;
                    int op = p * rows, oq = q * rows;
                    for (int i = 0; i < rows; i++) {
                        double x = work[op + i], y = work[oq + i];
                        alpha += x * x;
                        beta += y * y;
                        gamma += x * y;
                    }
                    if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma == 0) continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double tan = Math.signum(zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    if (zeta == 0) tan = 1;
                    double c = 1 / Math.sqrt(1 + tan * tan), s = c * tan;
                    for (int i = 0; i < rows; i++) {
                        double x = work[op + i], y = work[oq + i];
                        work[op + i] = c * x - s * y;
                        work[oq + i] = s * x + c * y;
                    }
                }
            }
            if (!rotated) break;
        }
        double[] sigma = new double[cols];
        double max = 0;
        for (int j = 0; j < cols; j++) {
            double s = 0;
            for (int i = 0; i < rows; i++) s += work[j * rows + i] * work[j * rows + i];
            sigma[j] = Math.sqrt(s);
            max = Math.max(max, sigma[j]);
        }
        double tol = max * Math.max(m, n) * EPS_F32;
        int rank = 0;
        for (double s : sigma) if (s > tol) rank++;
        return rank;
    }
}
