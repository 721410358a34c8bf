package dev.tersor.tensor.lowbit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.ScalarBackend;
import org.junit.jupiter.api.Test;

/**
 * The adder ops: exact goldens for the forward and for both gradient rules on hand-computed
 * cases, the AdderNet rules against their definition evaluated in double on random convolutions
 * (padding, stride, dilation, batch), the adaptive learning rate, the true derivative against
 * finite differences away from the kinks, and argument errors.
 */
class AdderTest {
    private static final AdderBackward RULES = AdderBackward.addernet(0);   // the rules without rescaling

    // ---- hand-computed goldens ----

    /**
     * x = [1, −2], W = [[0.5, 1], [−1, 3]], g = [1, 2]:
     * y = [−(0.5 + 3), −(2 + 5)] = [−3.5, −7];
     * AdderNet dW[o, i] = g[o]·(x[i] − W[o, i]) = [[0.5, −3], [4, −10]];
     * dx[i] = Σ_o g[o]·HT(W[o, i] − x[i]) = [1·HT(−0.5) + 2·HT(−2), 1·HT(3) + 2·HT(5)] = [−2.5, 3];
     * exact dW = g·sign(x − W) = [[1, −1], [2, −2]], dx = Σ g·sign(W − x) = [−3, 3].
     */
    @Test
    void linearGoldens() {
        Tensor x = Tensor.fromArray(new float[] {1, -2}, 1, 2).requiresGrad(true);
        Tensor w = Tensor.fromArray(new float[] {0.5f, 1, -1, 3}, 2, 2).requiresGrad(true);
        Tensor g = Tensor.fromArray(new float[] {1, 2}, 1, 2);
        Tensor y = Adder.linear(x, w, null, RULES);
        assertArrayEquals(new float[] {-3.5f, -7f}, y.toArray());
        y.backward(g);
        assertArrayEquals(new float[] {0.5f, -3f, 4f, -10f}, w.grad().toArray());
        assertArrayEquals(new float[] {-2.5f, 3f}, x.grad().toArray());

        x.zeroGrad();
        w.zeroGrad();
        Adder.linear(x, w, null, AdderBackward.EXACT).backward(g);
        assertArrayEquals(new float[] {1f, -1f, 2f, -2f}, w.grad().toArray());
        assertArrayEquals(new float[] {-3f, 3f}, x.grad().toArray());

        // η = 0.2 over k = 4 filter elements: dW·0.2·√4/‖dW‖, ‖dW‖ = √125.25.
        w.zeroGrad();
        Adder.linear(x, w, null, AdderBackward.ADDERNET).backward(g);
        float s = (float) (0.4 / Math.sqrt(125.25));
        assertArrayEquals(new float[] {0.5f * s, -3f * s, 4f * s, -10f * s}, w.grad().toArray(), 1e-7f);
    }

    /**
     * x = [[1, 2, 0], [−1, 3, 1], [0, −2, 2]], W = [[1, 0], [0, −1]], stride 1, no padding, g = 1:
     * the four patches minus W are [0, 2, −1, 4], [1, 0, 3, 2], [−2, 3, 0, −1], [2, 1, −2, 3], so
     * y = [[−7, −6], [−6, −8]], dW = Σ(patch − W) = [[1, 6], [0, 8]], and scattering
     * HT(W − patch) back gives dx = [[0, −2, 0], [2, −4, −2], [0, 2, −1]].
     */
    @Test
    void convolutionGoldens() {
        Tensor x = Tensor.fromArray(new float[] {1, 2, 0, -1, 3, 1, 0, -2, 2}, 1, 1, 3, 3).requiresGrad(true);
        Tensor w = Tensor.fromArray(new float[] {1, 0, 0, -1}, 1, 1, 2, 2).requiresGrad(true);
        Tensor y = Adder.conv2d(x, w, null, Conv2dOptions.DEFAULT, RULES);
        assertArrayEquals(new float[] {-7, -6, -6, -8}, y.toArray());
        y.backward(Tensor.ones(1, 1, 2, 2));
        assertArrayEquals(new float[] {1, 6, 0, 8}, w.grad().toArray());
        assertArrayEquals(new float[] {0, -2, 0, 2, -4, -2, 0, 2, -1}, x.grad().toArray());
    }

    @Test
    void tiesGiveZeroInEveryRule() {
        for (AdderBackward rule : new AdderBackward[] {RULES, AdderBackward.EXACT, AdderBackward.ADDERNET}) {
            Tensor x = Tensor.fromArray(new float[] {2, -1}, 1, 2).requiresGrad(true);
            Tensor w = Tensor.fromArray(new float[] {2, -1}, 1, 2).requiresGrad(true);
            Tensor y = Adder.linear(x, w, null, rule);
            assertEquals(0f, y.item(), 0f);   // −0 or +0
            y.backward(Tensor.ones(1, 1));
            assertArrayEquals(new float[] {0, 0}, x.grad().toArray(), 0f, rule.toString());
            assertArrayEquals(new float[] {0, 0}, w.grad().toArray(), 0f, rule.toString());
        }
    }

    // ---- the rules against their definition on random convolutions ----

    @Test
    void convolutionRulesMatchTheirDefinition() {
        int[][] cases = {   // n, c, h, w, k, kh, kw, stride, pad, dilation
            {2, 3, 7, 6, 5, 3, 3, 1, 1, 1},
            {3, 2, 9, 8, 4, 3, 2, 2, 1, 1},
            {1, 4, 8, 8, 3, 2, 2, 1, 2, 2},
            {5, 6, 12, 12, 16, 5, 5, 1, 0, 1},   // LeNet conv2 shapes
        };
        for (Backend backend : Backends.available()) {
            Backend before = Backends.current();
            Backends.use(backend);
            try {
                for (int[] c : cases) checkConvolution(c);
            } finally {
                Backends.use(before);
            }
        }
    }

    private static void checkConvolution(int[] s) {
        int n = s[0], c = s[1], h = s[2], wd = s[3], k = s[4], kh = s[5], kw = s[6], st = s[7], pad = s[8], dil = s[9];
        Generator gen = new Generator(11);
        Tensor x = Tensor.randn(gen, n, c, h, wd).requiresGrad(true);
        Tensor w = Tensor.randn(gen, k, c, kh, kw).requiresGrad(true);
        Conv2dOptions o = Conv2dOptions.of(st, pad).withDilation(dil);
        Tensor y = Adder.conv2d(x, w, null, o, RULES);
        int oh = y.size(2), ow = y.size(3);
        Tensor g = Tensor.randn(gen, y.shape());
        y.backward(g);
        float[] xs = x.toArray(), ws = w.toArray(), gs = g.toArray(), ys = y.toArray();
        double[] wantY = new double[ys.length], wantW = new double[ws.length], wantX = new double[xs.length];
        for (int b = 0; b < n; b++) {
            for (int f = 0; f < k; f++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int yi = ((b * k + f) * oh + oy) * ow + ox;
                        for (int ch = 0; ch < c; ch++) {
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int iy = oy * st - pad + i * dil, ix = ox * st - pad + j * dil;
                                    boolean inside = iy >= 0 && iy < h && ix >= 0 && ix < wd;
                                    int xi = inside ? ((b * c + ch) * h + iy) * wd + ix : -1;
                                    int wi = ((f * c + ch) * kh + i) * kw + j;
                                    double xv = inside ? xs[xi] : 0, wv = ws[wi];
                                    wantY[yi] -= Math.abs(xv - wv);
                                    wantW[wi] += gs[yi] * (xv - wv);
                                    if (inside) wantX[xi] += gs[yi] * Math.max(-1, Math.min(1, wv - xv));
                                }
                            }
                        }
                    }
                }
            }
        }
        String where = Backends.current().name() + " " + java.util.Arrays.toString(s);
        assertClose(wantY, ys, 1e-5, where + " forward");
        assertClose(wantW, w.grad().toArray(), 1e-4, where + " dW");
        assertClose(wantX, x.grad().toArray(), 1e-5, where + " dx");
    }

    private static void assertClose(double[] want, float[] got, double rel, String what) {
        assertEquals(want.length, got.length, what + " length");
        double scale = 1;
        for (double v : want) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], rel * scale, what + " at " + i);
        }
    }

    @Test
    void linearAcceptsLeadingAxesAndBias() {
        Generator gen = new Generator(3);
        Tensor x = Tensor.randn(gen, 2, 3, 5), w = Tensor.randn(gen, 4, 5), b = Tensor.randn(gen, 4);
        Tensor y = Adder.linear(x, w, b, AdderBackward.ADDERNET);
        assertArrayEquals(new int[] {2, 3, 4}, y.shape());
        Tensor flat = Adder.linear(x.reshape(6, 5), w, b, AdderBackward.ADDERNET);
        assertArrayEquals(flat.toArray(), y.toArray());
        for (int r = 0; r < 6; r++) {
            for (int o = 0; o < 4; o++) {
                double s = 0;
                for (int i = 0; i < 5; i++) s -= Math.abs(x.reshape(6, 5).get(r, i) - w.get(o, i));
                assertEquals(s + b.get(o), flat.get(r, o), 1e-5);
            }
        }
    }

    // ---- the adaptive learning rate ----

    @Test
    void adaptiveLearningRateRescalesTheFilterGradientOnly() {
        Generator gen = new Generator(5);
        Tensor x0 = Tensor.randn(gen, 2, 3, 6, 6), w0 = Tensor.randn(gen, 4, 3, 3, 3), g = Tensor.randn(gen, 2, 4, 6, 6);
        Conv2dOptions o = Conv2dOptions.of(1, 1);
        Tensor[] plain = grads(x0, w0, g, o, RULES);
        Tensor[] scaled = grads(x0, w0, g, o, AdderBackward.addernet(0.3));
        assertArrayEquals(plain[0].toArray(), scaled[0].toArray(), "the input gradient is not rescaled");
        float[] p = plain[1].toArray(), q = scaled[1].toArray();
        double norm = 0, scaledNorm = 0;
        for (int i = 0; i < p.length; i++) {
            norm += (double) p[i] * p[i];
            scaledNorm += (double) q[i] * q[i];
        }
        double factor = 0.3 * Math.sqrt(p.length) / Math.sqrt(norm);
        for (int i = 0; i < p.length; i++) assertEquals(p[i] * factor, q[i], 1e-5 * Math.abs(p[i] * factor) + 1e-7);
        assertEquals(0.3 * Math.sqrt(4 * 3 * 3 * 3), Math.sqrt(scaledNorm), 1e-4, "‖dW‖ = η·√k");
        assertEquals(1.0, AdderBackward.addernet(0).scale(123, 10));
        assertEquals(0.2 * Math.sqrt(9) / 1e-12, AdderBackward.ADDERNET.scale(0, 9), 1, "the norm is clamped at 1e-12");
    }

    private static Tensor[] grads(Tensor x0, Tensor w0, Tensor g, Conv2dOptions o, AdderBackward rule) {
        Tensor x = x0.copy().requiresGrad(true), w = w0.copy().requiresGrad(true);
        Adder.conv2d(x, w, null, o, rule).backward(g);
        return new Tensor[] {x.grad(), w.grad()};
    }

    // ---- the true derivative, for reference ----

    /** Away from the kinks (|x − W| ≥ 0.05 everywhere, padding included) the exact rule is the gradient. */
    @Test
    void exactRuleMatchesFiniteDifferences() {
        Tensor x = offGrid(new Generator(8), 0.08f, 2, 2, 5, 4);
        Tensor w = offGrid(new Generator(9), 0.03f, 3, 2, 3, 3);
        GradCheck.check(in -> Adder.conv2d(in[0], in[1], null, Conv2dOptions.of(2, 1), AdderBackward.EXACT), x, w);
        Tensor xl = offGrid(new Generator(10), 0.08f, 3, 7);
        Tensor wl = offGrid(new Generator(11), 0.03f, 4, 7);
        GradCheck.check(in -> Adder.linear(in[0], in[1], null, AdderBackward.EXACT), xl, wl);
    }

    /** Values {@code 0.1·z + shift} for integers z in [−15, 15]: differences of 0.08- and 0.03-grids never come near 0. */
    private static Tensor offGrid(Generator gen, float shift, int... shape) {
        float[] v = Tensor.rand(gen, shape).toArray();
        for (int i = 0; i < v.length; i++) v[i] = 0.1f * (Math.round(v[i] * 30) - 15) + shift;
        return Tensor.fromArray(v, shape).requiresGrad(true);
    }

    // ---- plumbing ----

    @Test
    void gradientsOnlyWhereRequiredAndBackendsAgree() {
        Generator gen = new Generator(12);
        Tensor x = Tensor.randn(gen, 2, 3, 5, 5), w = Tensor.randn(gen, 4, 3, 3, 3).requiresGrad(true);
        Adder.conv2d(x, w, Conv2dOptions.of(1, 1)).sum().backward();
        assertNull(x.grad());
        assertTrue(w.grad() != null);

        Backend before = Backends.current();
        try {
            Backends.use(new ScalarBackend());
            float[] scalar = Adder.conv2d(x, w, Conv2dOptions.of(1, 1)).toArray();
            Backends.use(before);
            float[] current = Adder.conv2d(x, w, Conv2dOptions.of(1, 1)).toArray();
            assertArrayEquals(scalar, current, 1e-4f);
        } finally {
            Backends.use(before);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        Tensor x = Tensor.zeros(1, 3, 5, 5);
        var e = assertThrows(IllegalArgumentException.class, () -> Adder.conv2d(x, Tensor.zeros(4, 2, 3, 3), Conv2dOptions.DEFAULT));
        assertTrue(e.getMessage().contains("3 channels") && e.getMessage().contains("[4, 2, 3, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Adder.conv2d(x, Tensor.zeros(3, 1, 3, 3), null, Conv2dOptions.DEFAULT.withGroups(3), AdderBackward.ADDERNET));
        assertTrue(e.getMessage().contains("groups"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Adder.conv2d(x, Tensor.zeros(4, 3, 7, 7), Conv2dOptions.DEFAULT));
        assertTrue(e.getMessage().contains("larger than the padded input"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Adder.linear(Tensor.zeros(2, 5), Tensor.zeros(3, 4)));
        assertTrue(e.getMessage().contains("[3, 4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AdderBackward.addernet(-1));
        assertThrows(IllegalArgumentException.class, () -> AdderBackward.addernet(Double.NaN));
    }
}
