package dev.tersor.tensor.lowbit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.ScalarBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The L1 kernels: the scalar reference against the formulas evaluated in double, and every other
 * implementation (the Vector API one) against the reference for m, n, k around the vector
 * length L (1, 7, L−1, L, L+1, 1003), odd shapes, shapes that cross the packing block sizes
 * (k past 256, n past 4096) and non-zero offsets, with cells around the output untouched.
 * Tolerance: two summation orders of the same terms, {@code 2·len·2⁻²⁴·Σ|terms|} plus 1e-6·len
 * for the regrouped filter gradient ({@code G·Bᵀ − A·ΣG}).
 */
class L1DistanceTest {
    private static final L1Kernels SCALAR = new L1Distance();
    private static final int OFF = 3, PAD = 5;
    private static final float SENTINEL = 12345.5f;

    private static int vectorLength() {
        return L1Kernels.available().stream().anyMatch(k -> k.name().equals("vector"))
                ? dev.tersor.tensor.backend.vector.VectorL1Distance.vectorLength() : 8;
    }

    /** (m, n, k) triples: each axis around L with the others small, odd shapes, and blocked-path shapes. */
    private static List<int[]> shapes() {
        int l = vectorLength();
        int[] around = IntStream.of(1, 7, l - 1, l, l + 1, 1003).filter(v -> v > 0).distinct().toArray();
        List<int[]> s = new ArrayList<>();
        for (int v : around) {
            s.add(new int[] {v, 9, 5});
            s.add(new int[] {6, v, 5});
            s.add(new int[] {6, 9, v});
            s.add(new int[] {13, v, 11});
        }
        s.add(new int[] {16, 196, 150});     // LeNet conv2 on one image
        s.add(new int[] {17, 3 * l + 5, 37});
        s.add(new int[] {29, 2 * l + 1, 300}); // k crosses the 256-deep block
        s.add(new int[] {5, 4100, 3});         // n crosses the 4096-wide block
        s.add(new int[] {84, 64, 120});        // LeNet fc2 on a batch
        s.add(new int[] {1, 1, 1});
        return s;
    }

    @Test
    void referenceMatchesTheFormulasInDouble() {
        Random r = new Random(1);
        int m = 5, n = 7, k = 6;
        float[] a = data(r, m * k), b = data(r, k * n), g = data(r, m * n);
        float[] c = new float[m * n], da = new float[m * k], db = new float[k * n];
        SCALAR.negL1(m, n, k, a, 0, b, 0, c, 0);
        SCALAR.diffGrad(m, n, k, a, 0, b, 0, g, 0, da, 0);
        SCALAR.hardTanhGrad(m, n, k, a, 0, b, 0, g, 0, db, 0);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s -= Math.abs((double) a[i * k + p] - b[p * n + j]);
                assertEquals(s, c[i * n + j], 1e-5, "negL1");
            }
            for (int p = 0; p < k; p++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += (double) g[i * n + j] * (b[p * n + j] - a[i * k + p]);
                assertEquals(s, da[i * k + p], 1e-5, "diffGrad");
            }
        }
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int i = 0; i < m; i++) s += g[i * n + j] * Math.max(-1, Math.min(1, (double) a[i * k + p] - b[p * n + j]));
                assertEquals(s, db[p * n + j], 1e-5, "hardTanhGrad");
            }
        }
    }

    @Test
    void hardTanhClampsAtPlusMinusOneExactly() {
        // A − B = 3, 1, 0.5, −0.25, −1, −2: HT = 1, 1, 0.5, −0.25, −1, −1 times G = 2.
        float[] a = {0f}, b = {-3f, -1f, -0.5f, 0.25f, 1f, 2f}, g = {2f, 2f, 2f, 2f, 2f, 2f};
        for (L1Kernels kernels : L1Kernels.available()) {
            float[] db = new float[6];
            kernels.hardTanhGrad(1, 6, 1, a, 0, b, 0, g, 0, db, 0);
            assertEquals(List.of(2f, 2f, 1f, -0.5f, -2f, -2f), boxed(db), kernels.name());
        }
    }

    @Test
    void everyImplementationMatchesTheReference() {
        List<L1Kernels> others = L1Kernels.available().stream().filter(k -> !(k instanceof L1Distance)).toList();
        assumeTrue(!others.isEmpty(), "only the scalar L1 kernels load on this JVM");
        Random r = new Random(7);
        for (L1Kernels kernels : others) {
            for (int pass = 0; pass < 2; pass++) {          // cold, then after the first pass compiled them
                for (int[] s : shapes()) check(kernels, r, s[0], s[1], s[2]);
            }
        }
    }

    @Test
    void currentFollowsTheBackend() {
        Backend before = Backends.current();
        try {
            Backends.use(new ScalarBackend());
            assertTrue(L1Kernels.current() instanceof L1Distance);
            for (L1Kernels k : L1Kernels.available()) {
                if (k.name().equals("vector")) {
                    Backends.use(Backends.named("vector"));
                    assertEquals("vector", L1Kernels.current().name());
                }
            }
        } finally {
            Backends.use(before);
        }
    }

    private static void check(L1Kernels kernels, Random r, int m, int n, int k) {
        String where = kernels.name() + " m=" + m + " n=" + n + " k=" + k;
        float[] a = padded(r, m * k), b = padded(r, k * n), g = padded(r, m * n);
        // negL1
        float[] want = new float[m * n], got = sentinels(m * n);
        SCALAR.negL1(m, n, k, a, OFF, b, OFF, want, 0);
        kernels.negL1(m, n, k, a, OFF, b, OFF, got, OFF);
        for (int i = 0; i < m * n; i++) {
            double bound = 2.0 * k * 0x1p-24 * Math.abs(want[i]) + 1e-6;
            near(want[i], got[OFF + i], bound, where + " negL1 at " + i);
        }
        untouched(got, m * n, where + " negL1");
        // diffGrad
        want = new float[m * k];
        got = sentinels(m * k);
        SCALAR.diffGrad(m, n, k, a, OFF, b, OFF, g, OFF, want, 0);
        kernels.diffGrad(m, n, k, a, OFF, b, OFF, g, OFF, got, OFF);
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                double mag = 0;
                for (int j = 0; j < n; j++) mag += Math.abs(g[OFF + i * n + j]) * (Math.abs(b[OFF + p * n + j]) + Math.abs(a[OFF + i * k + p]));
                near(want[i * k + p], got[OFF + i * k + p], 2.0 * n * 0x1p-24 * mag + 1e-6 * n, where + " diffGrad at " + i + "," + p);
            }
        }
        untouched(got, m * k, where + " diffGrad");
        // hardTanhGrad
        want = new float[k * n];
        got = sentinels(k * n);
        SCALAR.hardTanhGrad(m, n, k, a, OFF, b, OFF, g, OFF, want, 0);
        kernels.hardTanhGrad(m, n, k, a, OFF, b, OFF, g, OFF, got, OFF);
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                double mag = 0;
                for (int i = 0; i < m; i++) mag += Math.abs(g[OFF + i * n + j]);
                near(want[p * n + j], got[OFF + p * n + j], 2.0 * m * 0x1p-24 * mag + 1e-6, where + " hardTanhGrad at " + p + "," + j);
            }
        }
        untouched(got, k * n, where + " hardTanhGrad");
    }

    private static void near(float want, float got, double bound, String what) {
        if (!(Math.abs((double) want - got) <= bound)) fail(what + ": " + got + " vs reference " + want + " (bound " + bound + ")");
    }

    private static float[] data(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * 1.5);
        return x;
    }

    private static float[] padded(Random r, int n) {
        float[] x = new float[OFF + n + PAD];
        for (int i = 0; i < x.length; i++) x[i] = i < OFF || i >= OFF + n ? Float.NaN : (float) (r.nextGaussian() * 1.5);
        return x;
    }

    private static float[] sentinels(int n) {
        float[] x = new float[OFF + n + PAD];
        java.util.Arrays.fill(x, SENTINEL);
        return x;
    }

    private static void untouched(float[] x, int n, String what) {
        for (int i = 0; i < OFF; i++) assertEquals(SENTINEL, x[i], what + ": wrote before the output");
        for (int i = OFF + n; i < x.length; i++) assertEquals(SENTINEL, x[i], what + ": wrote past the output");
    }

    private static List<Float> boxed(float[] x) {
        List<Float> out = new ArrayList<>();
        for (float v : x) out.add(v);
        return out;
    }
}
