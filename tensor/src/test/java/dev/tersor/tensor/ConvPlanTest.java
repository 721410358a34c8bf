package dev.tersor.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.ConvPlan.Algorithm;
import dev.tersor.tensor.ConvPlanner.Role;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.backend.PlanMode;
import dev.tersor.tensor.backend.PlanSandbox;
import dev.tersor.tensor.backend.Plans;
import dev.tersor.tensor.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every convolution plan (each algorithm × samples per chunk × batch split that
 * {@link ConvPlanner#valid} accepts, the planner's candidates among them) against the
 * definition of the convolution, for each map: forward (with bias), weight gradient, both at
 * once, and raise (the input gradient by col2im or direct loops), on strides, padding,
 * dilation, groups, depthwise, 1×1 and partial last chunks, on one thread and two; and
 * measure mode, whose trials must leave the real outputs and gradients right.
 */
class ConvPlanTest {
    // n, c, h, w, k, kh, kw, stride, pad, dilation, groups
    private static final int[][] CASES = {
        {5, 3, 9, 8, 4, 3, 3, 1, 1, 1, 1},
        {3, 2, 9, 10, 3, 3, 3, 2, 1, 1, 1},
        {3, 2, 9, 9, 3, 3, 3, 1, 2, 2, 1},
        {2, 4, 7, 6, 6, 3, 3, 1, 1, 1, 2},
        {3, 4, 8, 8, 8, 3, 3, 1, 1, 1, 4},     // depthwise × 2
        {4, 3, 6, 7, 5, 1, 1, 1, 0, 1, 1},     // 1×1: the image is the column matrix
        {3, 3, 7, 7, 2, 1, 1, 2, 0, 1, 1},
        {4, 1, 12, 12, 6, 5, 5, 1, 2, 1, 1},   // one input channel, one group (LeNet's first conv)
        {2, 2, 5, 5, 3, 3, 3, 1, 0, 1, 1},
    };

    @Test
    void everyPlanOfEveryMapMatchesTheDefinition() {
        int before = Parallel.threads();
        int checked = 0;
        try {
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (int[] t : CASES) checked += checkCase(t, threads);
            }
        } finally {
            Parallel.setThreads(before);
        }
        assertTrue(checked > 150, "only " + checked + " plans checked");
    }

    @Test
    void measureModeTimesOnScratchAndKeepsTheResults(@TempDir Path dir) throws IOException {
        try (var sandbox = PlanSandbox.open(dir, 2, Backends.current())) {
            Plans.setMode(PlanMode.MEASURE);
            long before = Plans.measurements();
            int[] t = {3, 2, 11, 10, 5, 3, 3, 1, 1, 1, 1};   // a shape no other test plans
            ConvKernels k = kernels(t);
            Random r = new Random(5);
            float[] x = random(r, t[0] * k.im.imageSize()), w = random(r, k.weightSize()), g = random(r, t[0] * k.smallSize());
            float[] bias = random(r, t[4]);
            float[][] ref = reference(k, x, w, g, bias);
            for (int call = 0; call < Plans.MEASURE_ON_CALL + 1; call++) {
                Tensor xt = Tensor.wrap(x.clone(), new int[] {t[0], t[1], t[2], t[3]}).requiresGrad(true);
                Tensor wt = Tensor.wrap(w.clone(), new int[] {t[4], t[1], t[5], t[6]}).requiresGrad(true);
                Tensor y = Functional.conv2d(xt, wt, Tensor.wrap(bias.clone(), new int[] {t[4]}), new Conv2dOptions(1, 1, 1, 1, 1, 1, 1));
                y.mul(Tensor.wrap(g.clone(), y.shape())).sum().backward();
                Fixtures.assertClose(ref[0], y.toArray(), 1e-4, 1e-4, "forward, call " + call);
                Fixtures.assertClose(ref[1], xt.grad().toArray(), 1e-4, 1e-4, "input gradient, call " + call);
                Fixtures.assertClose(ref[2], wt.grad().toArray(), 1e-4, 1e-4, "weight gradient, call " + call);
            }
            assertTrue(Plans.measurements() > before, "the shape was measured");
            assertTrue(Files.readString(Plans.file()).contains("conv\tforward 2x11x10->5x11x10 k3x3 s1x1 p1x1 d1x1 g1 n3 t2\t"));
        }
    }

    @Test
    void candidatesStartWithTheHeuristicAndCoverEveryAlgorithm() {
        Set<Algorithm> seen = new LinkedHashSet<>();
        for (int[] t : CASES) {
            ConvKernels k = kernels(t);
            for (Role role : Role.values()) {
                List<ConvPlan> c = ConvPlanner.candidates(k, role, 2);
                assertEquals(ConvPlanner.heuristic(k, role, 2), c.get(0), role + " " + ConvPlanner.key(k, role).text());
                for (ConvPlan p : c) {
                    assertTrue(ConvPlanner.valid(k, role, p), p.text());
                    seen.add(p.algorithm());
                }
            }
        }
        assertEquals(Set.of(Algorithm.values()), seen);
        // the former choices: spread image for stride 1, im2col otherwise, direct loops for depthwise
        assertEquals(Algorithm.SHIFTED_WINDOWS, ConvPlanner.heuristic(kernels(CASES[0]), Role.FORWARD, 2).algorithm());
        assertEquals(Algorithm.IM2COL_GEMM, ConvPlanner.heuristic(kernels(CASES[1]), Role.FORWARD, 2).algorithm());
        assertEquals(Algorithm.DIRECT, ConvPlanner.heuristic(kernels(CASES[4]), Role.WEIGHT, 2).algorithm());
        assertEquals(Algorithm.IM2COL_GEMM, ConvPlanner.heuristic(kernels(CASES[0]), Role.RAISE, 2).algorithm());
    }

    @Test
    void planTextRoundTripsAndRejectsGarbage() {
        for (ConvPlan p : new ConvPlan[] {new ConvPlan(Algorithm.SHIFTED_WINDOWS, 4, true), new ConvPlan(Algorithm.DIRECT, 1, false)}) {
            assertEquals(p, ConvPlan.parse(p.text()));
        }
        for (String bad : new String[] {"", "SHIFTED_WINDOWS", "FFT per=1 split=batch", "DIRECT per=0 split=batch",
            "DIRECT per=1 split=maybe", "IM2COL_GEMM per=x split=batch"}) {
            assertNull(ConvPlan.parse(bad), bad);
        }
    }

    private static ConvKernels kernels(int[] t) {
        Conv2dOptions o = new Conv2dOptions(t[7], t[7], t[8], t[8], t[9], t[9], t[10]);
        return new ConvKernels(Im2col.conv(t[1], t[2], t[3], t[5], t[6], o), t[0], t[4], t[10]);
    }

    /** Every valid plan of every map of one case; returns how many (map, plan) pairs were checked. */
    private static int checkCase(int[] t, int threads) {
        int n = t[0], c = t[1], kOut = t[4], groups = t[10];
        ConvKernels k = kernels(t);
        Random r = new Random(t[0] * 1000L + t[1] * 100L + t[5] * 10L + t[7]);
        float[] x = random(r, n * k.im.imageSize()), w = random(r, k.weightSize()), g = random(r, n * k.smallSize());
        float[] bias = random(r, kOut);
        float[][] ref = reference(k, x, w, g, bias);
        String shape = ConvPlanner.key(k, Role.FORWARD).text();
        int checked = 0;
        for (Role role : Role.values()) {
            for (ConvPlan p : allPlans(k, role, threads)) {
                String what = role + " " + p.text() + " on " + shape + " (threads " + threads + ")";
                if (role == Role.RAISE) {
                    float[] dx = new float[x.length];
                    k.raise(p, g, 0, w, 0, dx, null);
                    Fixtures.assertClose(ref[1], dx, 1e-4, 1e-4, what);
                } else {
                    float[] y = role == Role.WEIGHT ? null : new float[g.length];
                    float[] dw = role == Role.FORWARD ? null : new float[w.length];
                    k.lower(p, x, 0, w, 0, y, y == null ? null : bias, dw == null ? null : g, 0, dw);
                    if (y != null) Fixtures.assertClose(ref[0], y, 1e-4, 1e-4, what);
                    if (dw != null) Fixtures.assertClose(ref[2], dw, 1e-4, 1e-4, what);
                }
                checked++;
            }
        }
        assertTrue(c % groups == 0);
        return checked;
    }

    /** The planner's candidates plus every other valid (algorithm, samples per chunk, split). */
    private static List<ConvPlan> allPlans(ConvKernels k, Role role, int threads) {
        Set<ConvPlan> plans = new LinkedHashSet<>(ConvPlanner.candidates(k, role, threads));
        for (Algorithm a : Algorithm.values()) {
            for (int per : new int[] {1, 2, 3, k.batch}) {
                for (boolean split : new boolean[] {true, false}) plans.add(new ConvPlan(a, Math.min(per, k.batch), split));
            }
        }
        List<ConvPlan> out = new ArrayList<>();
        for (ConvPlan p : plans) if (ConvPlanner.valid(k, role, p)) out.add(p);
        return out;
    }

    /** By the definition: {output + bias, dL/dx, dL/dw} for L = Σ output·g. */
    private static float[][] reference(ConvKernels kk, float[] x, float[] w, float[] g, float[] bias) {
        Im2col im = kk.im;
        int n = kk.batch, c = im.channels, h = im.height, wd = im.width, k = kk.groups * kk.kg, cg = kk.cg;
        int oh = im.outH, ow = im.outW, kg = kk.kg;
        float[] y = new float[g.length], dx = new float[x.length], dw = new float[w.length];
        for (int b = 0; b < n; b++) {
            for (int a = 0; a < k; a++) {
                for (int p = 0; p < oh * ow; p++) y[(b * k + a) * oh * ow + p] = bias[a];
                for (int ci = 0; ci < cg; ci++) {
                    int ch = a / kg * cg + ci;
                    for (int i = 0; i < im.kh; i++) {
                        for (int j = 0; j < im.kw; j++) {
                            int wi = ((a * cg + ci) * im.kh + i) * im.kw + j;
                            for (int oy = 0; oy < oh; oy++) {
                                int iy = oy * im.sh - im.ph + i * im.dh;
                                if (iy < 0 || iy >= h) continue;
                                for (int ox = 0; ox < ow; ox++) {
                                    int ix = ox * im.sw - im.pw + j * im.dw;
                                    if (ix < 0 || ix >= wd) continue;
                                    int xi = ((b * c + ch) * h + iy) * wd + ix, yi = ((b * k + a) * oh + oy) * ow + ox;
                                    y[yi] += w[wi] * x[xi];
                                    dx[xi] += w[wi] * g[yi];
                                    dw[wi] += g[yi] * x[xi];
                                }
                            }
                        }
                    }
                }
            }
        }
        return new float[][] {y, dx, dw};
    }

    private static float[] random(Random r, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) v[i] = 2f * r.nextFloat() - 1f;
        return v;
    }
}
