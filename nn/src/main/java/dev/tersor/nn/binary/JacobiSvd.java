package dev.tersor.nn.binary;

/**
 * Singular value decomposition of a small square matrix by one-sided Jacobi rotations
 * (Hestenes): {@code A = U·diag(s)·Vᵀ} with U and V orthogonal and s ≥ 0 sorted descending.
 * Columns of U for zero singular values are completed to an orthonormal basis, so U is always
 * orthogonal (the Procrustes solution {@code U·Vᵀ} needs that). Double precision; O(n³) per
 * sweep, a handful of sweeps: meant for the n ≤ ~100 rotation matrices of RBNN.
 * Matrices are row-major {@code double[n·n]}.
 */
public final class JacobiSvd {
    private static final int MAX_SWEEPS = 60;
    private final int n;
    private final double[] u, s, v;

    private JacobiSvd(int n, double[] u, double[] s, double[] v) {
        this.n = n;
        this.u = u;
        this.s = s;
        this.v = v;
    }

    /** Decomposes the n×n matrix {@code a} (row-major; not modified). */
    public static JacobiSvd of(double[] a, int n) {
        if (n < 1 || a.length != n * n) throw new IllegalArgumentException("JacobiSvd: need an n×n matrix, got " + a.length + " values for n=" + n);
        // work on columns: w[j] is column j of A·V
        double[][] w = new double[n][n], vc = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) w[j][i] = a[i * n + j];
            vc[i][i] = 1;
        }
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double alpha = dot(w[p], w[p]), beta = dot(w[q], w[q]), gamma = dot(w[p], w[q]);
                    if (gamma == 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    if (zeta == 0) t = 1;
                    double c = 1 / Math.sqrt(1 + t * t), sn = c * t;
                    rotate(w[p], w[q], c, sn);
                    rotate(vc[p], vc[q], c, sn);
                }
            }
            if (!rotated) break;
        }
        Integer[] order = new Integer[n];
        double[] norm = new double[n];
        for (int j = 0; j < n; j++) {
            order[j] = j;
            norm[j] = Math.sqrt(dot(w[j], w[j]));
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(norm[y], norm[x]));
        double[] s = new double[n];
        double[][] uc = new double[n][];
        double[][] vs = new double[n][];
        double tiny = (norm[order[0]] == 0 ? 1 : norm[order[0]]) * n * 1e-14;
        for (int r = 0; r < n; r++) {
            int j = order[r];
            s[r] = norm[j];
            vs[r] = vc[j];
            if (norm[j] > tiny) {
                uc[r] = new double[n];
                for (int i = 0; i < n; i++) uc[r][i] = w[j][i] / norm[j];
            } else {
                s[r] = 0;
            }
        }
        complete(uc, n);
        double[] u = new double[n * n], v = new double[n * n];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < n; i++) {
                u[i * n + r] = uc[r][i];
                v[i * n + r] = vs[r][i];
            }
        }
        return new JacobiSvd(n, u, s, v);
    }

    /** Fills null columns with unit vectors orthogonal to the others (Gram–Schmidt on the standard basis). */
    private static void complete(double[][] cols, int n) {
        int e = 0;
        for (int r = 0; r < n; r++) {
            if (cols[r] != null) continue;
            while (true) {
                double[] c = new double[n];
                c[e++ % n] = 1;
                for (int q = 0; q < n; q++) {
                    if (cols[q] == null) continue;
                    double d = dot(c, cols[q]);
                    for (int i = 0; i < n; i++) c[i] -= d * cols[q][i];
                }
                double len = Math.sqrt(dot(c, c));
                if (len > 1e-6) {
                    for (int i = 0; i < n; i++) c[i] /= len;
                    cols[r] = c;
                    break;
                }
            }
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static void rotate(double[] a, double[] b, double c, double s) {
        for (int i = 0; i < a.length; i++) {
            double x = a[i], y = b[i];
            a[i] = c * x - s * y;
            b[i] = s * x + c * y;
        }
    }

    /** The size n. */
    public int size() {
        return n;
    }

    /** U (n×n, row-major, orthogonal). */
    public double[] u() {
        return u.clone();
    }

    /** Singular values, descending. */
    public double[] singularValues() {
        return s.clone();
    }

    /** V (n×n, row-major, orthogonal). */
    public double[] v() {
        return v.clone();
    }

    /** The orthogonal polar factor {@code U·Vᵀ}: the orthogonal R maximising {@code tr(Rᵀ·A)} (Procrustes). */
    public double[] polar() {
        double[] r = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int k = 0; k < n; k++) sum += u[i * n + k] * v[j * n + k];
                r[i * n + j] = sum;
            }
        }
        return r;
    }
}
