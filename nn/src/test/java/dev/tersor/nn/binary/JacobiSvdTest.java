package dev.tersor.nn.binary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class JacobiSvdTest {

    static double[] random(int n, long seed) {
        Random r = new Random(seed);
        double[] a = new double[n * n];
        for (int i = 0; i < a.length; i++) a[i] = r.nextGaussian();
        return a;
    }

    static void assertOrthogonal(double[] q, int n, double tol) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += q[k * n + i] * q[k * n + j];
                assertEquals(i == j ? 1 : 0, s, tol, "QᵀQ[" + i + "," + j + "]");
            }
        }
    }

    static void assertReconstructs(double[] a, JacobiSvd svd, int n, double tol) {
        double[] u = svd.u(), s = svd.singularValues(), v = svd.v();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double x = 0;
                for (int k = 0; k < n; k++) x += u[i * n + k] * s[k] * v[j * n + k];
                assertEquals(a[i * n + j], x, tol);
            }
        }
    }

    @Test
    void decomposesRandomMatrices() {
        for (int n : new int[] {1, 2, 3, 10, 36}) {
            double[] a = random(n, n);
            JacobiSvd svd = JacobiSvd.of(a, n);
            assertReconstructs(a, svd, n, 1e-10);
            assertOrthogonal(svd.u(), n, 1e-10);
            assertOrthogonal(svd.v(), n, 1e-10);
            double[] s = svd.singularValues();
            for (int i = 0; i < n; i++) {
                assertTrue(s[i] >= 0);
                if (i > 0) assertTrue(s[i - 1] >= s[i]);
            }
        }
    }

    @Test
    void rankDeficientMatrixStillGetsOrthogonalFactors() {
        int n = 5;
        double[] x = random(n, 3);
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) a[i * n + j] = x[i] * x[j];   // rank 1
        JacobiSvd svd = JacobiSvd.of(a, n);
        assertReconstructs(a, svd, n, 1e-10);
        assertOrthogonal(svd.u(), n, 1e-10);
        assertOrthogonal(svd.polar(), n, 1e-10);
        assertEquals(0, svd.singularValues()[1], 1e-10);
        JacobiSvd zero = JacobiSvd.of(new double[9], 3);
        assertOrthogonal(zero.u(), 3, 1e-12);
    }

    @Test
    void polarFactorSolvesProcrustes() {
        int n = 6;
        double[] m = random(n, 9);
        double[] r = JacobiSvd.of(m, n).polar();
        assertOrthogonal(r, n, 1e-10);
        double best = trace(r, m, n);
        for (long seed = 0; seed < 20; seed++) {
            double[] q = JacobiSvd.of(random(n, 100 + seed), n).polar();
            assertTrue(trace(q, m, n) <= best + 1e-9, "tr(QᵀM) of a random orthogonal Q exceeds the polar factor's");
        }
        assertEquals(sum(JacobiSvd.of(m, n).singularValues()), best, 1e-9);   // max tr(RᵀM) = nuclear norm
    }

    private static double trace(double[] r, double[] m, int n) {
        double t = 0;
        for (int i = 0; i < n * n; i++) t += r[i] * m[i];
        return t;
    }

    private static double sum(double[] s) {
        double t = 0;
        for (double v : s) t += v;
        return t;
    }

    @Test
    void rejectsNonSquareInput() {
        assertThrows(IllegalArgumentException.class, () -> JacobiSvd.of(new double[5], 2));
    }
}
