package dev.tersor.tensor;

import static dev.tersor.tensor.ConvolutionTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.ScalarBackend;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolingTest {

    /** A leaf holding a random permutation of values 1/8 apart: no ties within finite-difference reach. */
    static Tensor distinct(long seed, int... shape) {
        int n = Shape.numel(shape);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i - n / 2) / 8f;
        Generator g = new Generator(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = g.nextInt(i + 1);
            float t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return Tensor.fromArray(v, shape).requiresGrad(true);
    }

    // ---- gradient checks ----

    @Test
    void maxPoolGradients() {
        GradCheck.check(in -> Functional.maxPool2d(in[0], Pool2dOptions.of(3, 2, 1)), distinct(1, 2, 2, 7, 6));
        GradCheck.check(in -> Functional.maxPool2d(in[0], Pool2dOptions.of(2, 2, 1).withCeilMode(true).withDilation(2, 1)),
                distinct(2, 1, 3, 6, 7));
        GradCheck.check(in -> Functional.maxPool2d(in[0], Pool2dOptions.of(2)), distinct(3, 3, 4, 5));   // 3-D input
    }

    @Test
    void maxPoolGradientsNonContiguous() {
        Tensor x = distinct(4, 2, 6, 3, 5);   // [N, H, C, W]
        GradCheck.check(in -> Functional.maxPool2d(in[0].permute(0, 2, 1, 3), Pool2dOptions.of(3, 1, 1)), x);
    }

    @Test
    void avgPoolGradients() {
        for (boolean ceil : new boolean[] {false, true}) {
            for (boolean include : new boolean[] {false, true}) {
                Pool2dOptions o = Pool2dOptions.of(3, 2, 1).withCeilMode(ceil).withCountIncludePad(include);
                GradCheck.check(in -> Functional.avgPool2d(in[0], o), GradCheck.leaf(5, 2, 2, 6, 7));
            }
        }
        GradCheck.check(in -> Functional.avgPool2d(in[0].transpose(2, 3), Pool2dOptions.of(2)), GradCheck.leaf(6, 1, 2, 5, 4));
    }

    @Test
    void adaptiveAvgPoolGradients() {
        GradCheck.check(in -> Functional.adaptiveAvgPool2d(in[0], 3, 2), GradCheck.leaf(7, 2, 2, 7, 5));
        GradCheck.check(in -> Functional.adaptiveAvgPool2d(in[0], 5, 4), GradCheck.leaf(8, 1, 3, 3));   // larger than input
        GradCheck.check(in -> Functional.adaptiveAvgPool2d(in[0].transpose(1, 3), 1, 1), GradCheck.leaf(9, 2, 4, 3, 2));
    }

    /**
     * Values and gradient routing against a direct loop over each window (first maximum wins,
     * NaN propagates, an all-padding window gives -∞), over whole and clipped windows: values
     * drawn from a few levels so ties are common, with NaN, -0 and +0 among them. On every
     * backend, with gradients and without (then no indices are kept: another code path), on
     * planes smaller and larger than a vector's worth of windows.
     */
    @Test
    void maxPoolMatchesADirectLoopOverEachWindow() {
        Pool2dOptions[] options = {
            Pool2dOptions.of(2), Pool2dOptions.of(3, 1, 0), Pool2dOptions.of(3, 2, 1), Pool2dOptions.of(2, 2, 1).withCeilMode(true),
            Pool2dOptions.of(2, 1, 0).withKernel(2, 3).withStride(1, 2), Pool2dOptions.of(2, 1, 0).withDilation(2, 1),
            Pool2dOptions.of(3, 3, 1).withCeilMode(true).withDilation(1, 2)};
        int[][] shapes = {{2, 3, 7, 8}, {1, 2, 13, 12}, {1, 1, 4, 5}};
        Backend before = Backends.current();
        try {
            for (Backend backend : List.of(new ScalarBackend(), before)) {
                Backends.use(backend);
                Generator g = new Generator(11);
                for (int[] shape : shapes) {
                    for (Pool2dOptions o : options) checkAgainstDirectLoop(g, o, shape, backend.name() + " " + Arrays.toString(shape) + " " + o);
                }
            }
        } finally {
            Backends.use(before);
        }
    }

    @Test
    void maxPoolOfAnEmptyBatchIsEmpty() {
        Tensor y = Functional.maxPool2d(Tensor.zeros(0, 3, 6, 6).requiresGrad(true), Pool2dOptions.of(2));
        assertArrayEquals(new int[] {0, 3, 3, 3}, y.shape());
        try (var scope = Tensor.noGrad()) {
            assertArrayEquals(new int[] {0, 3, 3, 3}, Functional.maxPool2d(Tensor.zeros(0, 3, 6, 6), Pool2dOptions.of(2)).shape());
        }
    }

    private static void checkAgainstDirectLoop(Generator g, Pool2dOptions o, int[] shape, String where) {
        float[] levels = {-1f, -0f, 0f, 0.5f, 0.5f, 2f, Float.NaN, Float.NEGATIVE_INFINITY};
        int h = shape[2], w = shape[3], planes = shape[0] * shape[1];
        float[] v = new float[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = levels[g.nextInt(levels.length)];
        int oh = o.outH(h), ow = o.outW(w);
        float[] want = new float[planes * oh * ow], grad = new float[v.length];
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float best = Float.NEGATIVE_INFINITY;
                    int at = -1;
                    for (int i = 0; i < o.kernelH(); i++) {
                        for (int j = 0; j < o.kernelW(); j++) {
                            int iy = oy * o.strideH() - o.padH() + i * o.dilationH(), ix = ox * o.strideW() - o.padW() + j * o.dilationW();
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            float t = v[p * h * w + iy * w + ix];
                            if (at < 0 || t > best || Float.isNaN(t)) {
                                best = t;
                                at = p * h * w + iy * w + ix;
                            }
                        }
                    }
                    want[(p * oh + oy) * ow + ox] = best;
                    if (at >= 0) grad[at] += 1f;
                }
            }
        }
        Tensor x = Tensor.fromArray(v, shape).requiresGrad(true);
        Tensor y = Functional.maxPool2d(x, o);
        y.sum().backward();
        assertSameBits(want, y.toArray(), where + ", with gradients");
        assertArrayEquals(grad, x.grad().toArray(), where + ": gradient routing");
        try (var scope = Tensor.noGrad()) {
            assertSameBits(want, Functional.maxPool2d(x, o).toArray(), where + ", without gradients");
        }
        assertSameBits(want, Functional.maxPool2d(Tensor.fromArray(v, shape), o).toArray(), where + ", an input without gradients");
    }

    private static void assertSameBits(float[] want, float[] got, String where) {
        assertEquals(want.length, got.length, where + ": length");
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), where + ": output " + i + " (signed zeros and NaN included)");
        }
    }

    // ---- hand-computed goldens ----

    @Test
    void maxPoolTieSendsGradientToFirstMaximum() {
        // 1×1×3×3 with maxima 9 at (0, 1) and (2, 0): a 3×3 window picks (0, 1), the first in row-major order
        Tensor x = Tensor.fromArray(new float[] {1, 9, 2, 3, 4, 5, 9, 6, 7}, 1, 1, 3, 3).requiresGrad(true);
        Tensor y = Functional.maxPool2d(x, 3);
        assertArrayEquals(new float[] {9}, y.toArray());
        y.sum().backward();
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0, 0, 0, 0}, x.grad().toArray());
    }

    @Test
    void maxPoolOverlappingWindowsAccumulate() {
        // 2×2 windows at stride 1 over [[0, 5, 0], [1, 2, 1]]: both windows pick the 5, which gets both gradients
        Tensor x = Tensor.fromArray(new float[] {0, 5, 0, 1, 2, 1}, 1, 1, 2, 3).requiresGrad(true);
        Tensor y = Functional.maxPool2d(x, Pool2dOptions.of(2, 1, 0));
        assertArrayEquals(new float[] {5, 5}, y.toArray());
        y.sum().backward();
        assertArrayEquals(new float[] {0, 2, 0, 0, 0, 0}, x.grad().toArray());
    }

    @Test
    void avgPoolBorderDivisors() {
        // 3×3 ones, window 3, stride 1, padding 1: excluding padding every mean is 1; including it,
        // corners are 4/9, edges 6/9, the centre 9/9
        Tensor ones = Tensor.ones(1, 1, 3, 3);
        Pool2dOptions o = Pool2dOptions.of(3, 1, 1);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, Functional.avgPool2d(ones, o.withCountIncludePad(false)).toArray());
        float[] with = Functional.avgPool2d(ones, o).toArray();
        float[] expected = {4 / 9f, 6 / 9f, 4 / 9f, 6 / 9f, 1, 6 / 9f, 4 / 9f, 6 / 9f, 4 / 9f};
        for (int i = 0; i < 9; i++) assertEquals(expected[i], with[i], 1e-6);
        // exact values 1..9, countIncludePad false: the corner window holds 1, 2, 4, 5 → mean 3
        Tensor x = Tensor.arange(1, 10, 1).reshape(1, 1, 3, 3).requiresGrad(true);
        Tensor y = Functional.avgPool2d(x, o.withCountIncludePad(false));
        assertEquals(3f, y.get(0, 0, 0, 0), 1e-6);
        assertEquals(5f, y.get(0, 0, 1, 1), 1e-6);
        // gradient of the corner output alone: 1/4 to each of its four pixels
        y.backward(Tensor.fromArray(new float[] {1, 0, 0, 0, 0, 0, 0, 0, 0}, 1, 1, 3, 3));
        assertArrayEquals(new float[] {0.25f, 0.25f, 0, 0.25f, 0.25f, 0, 0, 0, 0}, x.grad().toArray());
    }

    @Test
    void avgPoolCeilModeWindowHangingOffTheEnd() {
        // width 5, kernel 2, stride 2, ceil: the last window covers column 4 only; no padding, so
        // with countIncludePad the divisor is clipped to the input too (PyTorch): 1 column × 2 rows
        Tensor x = Tensor.arange(0, 10, 1).reshape(1, 1, 2, 5);
        Tensor y = Functional.avgPool2d(x, Pool2dOptions.of(2).withCeilMode(true));
        assertArrayEquals(new int[] {1, 1, 1, 3}, y.shape());
        assertArrayEquals(new float[] {(0 + 1 + 5 + 6) / 4f, (2 + 3 + 7 + 8) / 4f, (4 + 9) / 2f}, y.toArray());
    }

    @Test
    void adaptiveWindows() {
        // 5 → 3: windows [0, 2), [1, 4), [3, 5)
        Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4, 5}, 1, 1, 5).reshape(1, 1, 1, 5);
        assertArrayEquals(new float[] {1.5f, 3f, 4.5f}, Functional.adaptiveAvgPool2d(x, 1, 3).toArray());
    }

    @Test
    void outputSizes() {
        assertEquals(4, Pool2dOptions.of(3, 2, 1).withCeilMode(true).outH(6));    // the last window starts at 5, inside the input
        assertEquals(3, Pool2dOptions.of(3, 2, 1).outH(6));
        assertEquals(3, Pool2dOptions.of(2, 2, 1).withCeilMode(true).outH(5));    // a 4th window would start in the padding: dropped
        assertEquals(1, Pool2dOptions.of(4, 3, 0).withCeilMode(true).outH(2));   // as PyTorch: a window larger than the input
        assertEquals(0, Pool2dOptions.of(4, 3, 0).outH(2));
    }

    // ---- bad inputs ----

    @Test
    void rejectsBadInputs() {
        assertMessage(() -> Functional.maxPool2d(Tensor.zeros(5, 5), 2), "maxPool2d", "[5, 5]", "3-D");
        assertMessage(() -> Functional.maxPool2d(Tensor.zeros(1, 1, 2, 2), 3), "maxPool2d", "[1, 1, 2, 2]", "too small");
        assertMessage(() -> Functional.avgPool2d(Tensor.zeros(1, 1, 4, 4), Pool2dOptions.of(2).withDilation(2)),
                "avgPool2d", "dilation", "[1, 1, 4, 4]");
        assertMessage(() -> Functional.adaptiveAvgPool2d(Tensor.zeros(1, 2, 3, 3), 0, 2), "adaptiveAvgPool2d", "output height");
        assertMessage(() -> Pool2dOptions.of(3, 1, 2), "padding", "half");
        assertMessage(() -> Pool2dOptions.of(2, 0, 0), "stride");
        assertMessage(() -> Pool2dOptions.of(0), "kernel");
    }
}
