package dev.tersor.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.testing.Fixtures;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ConvolutionTest {

    // ---- gradient checks ----

    @Test
    void conv2dGradientsBasic() {
        GradCheck.check(in -> Functional.conv2d(in[0], in[1], in[2], Conv2dOptions.of(1, 1)),
                GradCheck.leaf(1, 2, 3, 5, 4), GradCheck.leaf(2, 4, 3, 3, 3), GradCheck.leaf(3, 4));
        // stride 1 with many more output than input channels: the input gradient takes col2im, not the flipped conv
        GradCheck.check(in -> Functional.conv2d(in[0], in[1], null, Conv2dOptions.of(1, 1)),
                GradCheck.leaf(39, 2, 1, 4, 5), GradCheck.leaf(40, 3, 1, 3, 3));
    }

    @Test
    void conv2dGradientsStrideDilationAsymmetric() {
        Conv2dOptions o = new Conv2dOptions(2, 1, 1, 2, 2, 1, 1);
        GradCheck.check(in -> Functional.conv2d(in[0], in[1], null, o),
                GradCheck.leaf(4, 2, 2, 7, 6), GradCheck.leaf(5, 3, 2, 2, 3));
    }

    @Test
    void conv2dGradientsGrouped() {
        Conv2dOptions o = Conv2dOptions.of(1, 1).withGroups(2);
        GradCheck.check(in -> Functional.conv2d(in[0], in[1], in[2], o),
                GradCheck.leaf(6, 2, 4, 5, 5), GradCheck.leaf(7, 6, 2, 3, 3), GradCheck.leaf(8, 6));
    }

    @Test
    void conv2dGradientsDepthwiseWithMultiplier() {
        Conv2dOptions o = Conv2dOptions.of(2, 1).withGroups(3);
        GradCheck.check(in -> Functional.conv2d(in[0], in[1], in[2], o),
                GradCheck.leaf(9, 2, 3, 6, 5), GradCheck.leaf(10, 6, 1, 3, 3), GradCheck.leaf(11, 6));
    }

    @Test
    void conv2dGradientsPointwise() {
        GradCheck.check(in -> Functional.conv2d(in[0], in[1], in[2]),
                GradCheck.leaf(12, 2, 4, 3, 5), GradCheck.leaf(13, 3, 4, 1, 1), GradCheck.leaf(14, 3));
        // 1×1 kernels use the image as the column matrix: in conv's col2im-side gradient and in convT's forward
        GradCheck.check(in -> Functional.conv2d(in[0], in[1], null, Conv2dOptions.DEFAULT.withGroups(2)),
                GradCheck.leaf(41, 2, 4, 3, 2), GradCheck.leaf(42, 12, 2, 1, 1));
        GradCheck.check(in -> Functional.convTranspose2d(in[0], in[1], in[2], ConvTranspose2dOptions.DEFAULT.withGroups(2)),
                GradCheck.leaf(43, 2, 4, 3, 2), GradCheck.leaf(44, 4, 3, 1, 1), GradCheck.leaf(45, 6));
    }

    @Test
    void conv2dGradientsNonContiguousInputs() {
        // the input is an [N, H, C, W] leaf permuted to [N, C, H, W]; the weight a transposed view leaf
        Tensor x = Tensor.randn(new Generator(15), 2, 5, 3, 4).permute(0, 2, 1, 3).requiresGrad(true);
        Tensor w = Tensor.randn(new Generator(16), 3, 2, 3, 3).transpose(0, 1).requiresGrad(true);   // [2, 3, 3, 3]
        assertTrue(!x.isContiguous() && !w.isContiguous());
        GradCheck.check(in -> Functional.conv2d(in[0], in[1], null, Conv2dOptions.of(1, 1)), x, w);
        Tensor y = GradCheck.leaf(17, 2, 6, 5, 4);
        GradCheck.check(in -> Functional.conv2d(in[0].permute(0, 2, 1, 3), in[1], null, Conv2dOptions.of(2, 0)),
                y, GradCheck.leaf(18, 2, 5, 2, 2));
    }

    @Test
    void convTranspose2dGradients() {
        ConvTranspose2dOptions o = ConvTranspose2dOptions.of(2, 1).withOutputPadding(1);
        GradCheck.check(in -> Functional.convTranspose2d(in[0], in[1], in[2], o),
                GradCheck.leaf(19, 2, 3, 3, 4), GradCheck.leaf(20, 3, 2, 3, 3), GradCheck.leaf(21, 2));
    }

    @Test
    void convTranspose2dGradientsStride1() {
        // stride 1: the backward's input and weight gradients come from one pass over the spread
        // output gradient (both products per chunk), with a partial last chunk at batch 3
        GradCheck.check(in -> Functional.convTranspose2d(in[0], in[1], in[2], ConvTranspose2dOptions.of(1, 1)),
                GradCheck.leaf(46, 3, 4, 5, 6), GradCheck.leaf(47, 4, 3, 3, 3), GradCheck.leaf(48, 3));
        GradCheck.check(in -> Functional.convTranspose2d(in[0], in[1], null, ConvTranspose2dOptions.of(1, 0).withGroups(2)),
                GradCheck.leaf(49, 3, 4, 4, 5), GradCheck.leaf(50, 4, 2, 3, 2));
    }

    @Test
    void convTranspose2dGradientsGroupedDilatedAndDepthwise() {
        ConvTranspose2dOptions grouped = new ConvTranspose2dOptions(1, 2, 1, 0, 0, 1, 2, 1, 2);
        GradCheck.check(in -> Functional.convTranspose2d(in[0], in[1], null, grouped),
                GradCheck.leaf(22, 1, 4, 4, 3), GradCheck.leaf(23, 4, 3, 3, 2));
        ConvTranspose2dOptions depthwise = ConvTranspose2dOptions.of(2, 0).withGroups(3);
        GradCheck.check(in -> Functional.convTranspose2d(in[0].transpose(2, 3), in[1], in[2], depthwise),
                GradCheck.leaf(24, 2, 3, 4, 3), GradCheck.leaf(25, 3, 1, 2, 2), GradCheck.leaf(26, 3));
    }

    @Test
    void unfoldAndFoldGradients() {
        Conv2dOptions o = new Conv2dOptions(2, 1, 1, 0, 1, 2, 1);
        GradCheck.check(in -> Functional.unfold(in[0], 3, 2, o), GradCheck.leaf(27, 2, 2, 5, 6));
        // fold of [1, 2·2·2, L] blocks of a 4×5 image, stride 1: overlapping blocks sum
        GradCheck.check(in -> Functional.fold(in[0], 4, 5, 2, 1, 0, 1), GradCheck.leaf(28, 1, 8, 12));
        GradCheck.check(in -> Functional.fold(in[0].transpose(1, 2), 4, 5, 2, 1, 0, 1), GradCheck.leaf(29, 1, 12, 8));
    }

    // ---- goldens and identities ----

    @Test
    void conv2dHandComputed() {
        // 1×1×3×3 input 1..9, 2×2 kernel [[1, 0], [0, -1]], bias 10: y = x[i, j] − x[i+1, j+1] + 10 = 6 everywhere
        Tensor x = Tensor.arange(1, 10, 1).reshape(1, 1, 3, 3);
        Tensor w = Tensor.fromArray(new float[] {1, 0, 0, -1}, 1, 1, 2, 2);
        Tensor y = Functional.conv2d(x, w, Tensor.fromArray(new float[] {10}, 1));
        assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
        assertArrayEquals(new float[] {6, 6, 6, 6}, y.toArray());
        // padding 1 with a 3×3 box filter: corners see 4 pixels, edges 6, the centre 9
        Tensor box = Functional.conv2d(Tensor.ones(1, 1, 3, 3), Tensor.ones(1, 1, 3, 3), null, Conv2dOptions.of(1, 1));
        assertArrayEquals(new float[] {4, 6, 4, 6, 9, 6, 4, 6, 4}, box.toArray());
    }

    @Test
    void convTransposeIsTheAdjointOfConv() {
        // <conv(x), y> == <x, convT(y)> for the same weight and options
        Conv2dOptions c = new Conv2dOptions(2, 3, 1, 2, 2, 1, 2);
        ConvTranspose2dOptions t = new ConvTranspose2dOptions(2, 3, 1, 2, 0, 0, 2, 1, 2);
        Tensor x = Tensor.randn(new Generator(30), 2, 4, 9, 11);
        Tensor w = Tensor.randn(new Generator(31), 6, 2, 3, 2);
        Tensor cx = Functional.conv2d(x, w, null, c);
        Tensor y = Tensor.randn(new Generator(32), cx.shape());
        Tensor ty = Functional.convTranspose2d(y, w, null, t.withOutputPadding(outputPadding(x, y, t, w)[0], outputPadding(x, y, t, w)[1]));
        assertArrayEquals(x.shape(), ty.shape());
        assertEquals(cx.mul(y).sum().item(), x.mul(ty).sum().item(), 1e-3);
    }

    /** The output padding that makes convT(y) as large as x. */
    private static int[] outputPadding(Tensor x, Tensor y, ConvTranspose2dOptions t, Tensor w) {
        int oh = (y.size(2) - 1) * t.strideH() - 2 * t.padH() + t.dilationH() * (w.size(2) - 1) + 1;
        int ow = (y.size(3) - 1) * t.strideW() - 2 * t.padW() + t.dilationW() * (w.size(3) - 1) + 1;
        return new int[] {x.size(2) - oh, x.size(3) - ow};
    }

    @Test
    void unfoldMatchesConvolutionAsMatmul() {
        // conv2d(x, w) == W[K, C·kh·kw] · unfold(x), reshaped
        Tensor x = Tensor.randn(new Generator(33), 2, 3, 6, 7);
        Tensor w = Tensor.randn(new Generator(34), 4, 3, 3, 2);
        Conv2dOptions o = new Conv2dOptions(1, 2, 1, 0, 2, 1, 1);
        Tensor y = Functional.conv2d(x, w, null, o);
        Tensor viaUnfold = w.reshape(4, -1).matmul(Functional.unfold(x, 3, 2, o)).reshape(y.shape());
        Fixtures.assertClose(y.toArray(), viaUnfold.toArray(), 1e-5, 1e-5, "conv2d vs unfold");
        // fold(unfold(ones)) counts how many blocks cover each pixel
        Tensor cover = Functional.fold(Functional.unfold(Tensor.ones(1, 1, 3, 3), 2, 1, 0, 1), 3, 3, 2, 1, 0, 1);
        assertArrayEquals(new float[] {1, 2, 1, 2, 4, 2, 1, 2, 1}, cover.toArray());
    }

    @Test
    void batchSplitOverThreadsMatchesOneThread() {
        // the batch-parallel path (per-thread weight-gradient partials) against the sequential one
        Supplier<float[][]> run = () -> {
            Tensor x = GradCheck.leaf(35, 6, 4, 7, 7);
            Tensor w = GradCheck.leaf(36, 6, 2, 3, 3);
            Tensor b = GradCheck.leaf(37, 6);
            Tensor dw = GradCheck.leaf(38, 12, 1, 3, 3);
            Tensor y = Functional.conv2d(x, w, b, Conv2dOptions.of(1, 1).withGroups(2));
            Tensor z = Functional.conv2d(y, dw, null, Conv2dOptions.of(2, 1).withGroups(6));   // depthwise ×2
            Tensor t = Functional.convTranspose2d(z, dw, null, ConvTranspose2dOptions.of(2, 1).withGroups(6));
            t.mul(t).sum().backward();
            return new float[][] {t.toArray(), x.grad().toArray(), w.grad().toArray(), b.grad().toArray(), dw.grad().toArray()};
        };
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[][] one = run.get();
            Parallel.setThreads(3);
            float[][] three = run.get();
            for (int i = 0; i < one.length; i++) Fixtures.assertClose(one[i], three[i], 1e-4, 1e-4, "tensor " + i);
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void stride1ConvolutionsMatchDirectLoops() {
        // Stride-1 convolutions read shifted rows of a spread image (ShiftedWindows) instead of
        // im2col: forward, input and weight gradients against plain loops, on shapes that cover
        // no / partial / full padding, dilation, uneven kernels, groups, several images per chunk
        // with a partial last chunk (16×16: three per chunk, batch 5), on one thread and on two.
        int[][] cases = {
            // n, c, h, w, k, kh, kw, padH, padW, dilation, groups
            {5, 3, 16, 16, 4, 3, 3, 1, 1, 1, 1},
            {5, 2, 16, 13, 3, 3, 3, 0, 0, 1, 1},
            {3, 2, 9, 10, 3, 3, 3, 2, 2, 2, 1},
            {2, 3, 7, 8, 2, 5, 3, 2, 1, 1, 1},
            {2, 2, 6, 9, 4, 1, 3, 0, 1, 1, 1},
            {3, 4, 8, 8, 6, 3, 3, 1, 1, 1, 2},
            {2, 3, 9, 9, 2, 5, 5, 1, 1, 1, 1},
            {13, 2, 8, 8, 3, 3, 3, 1, 1, 1, 1},
            {3, 2, 32, 32, 3, 3, 3, 1, 1, 1, 1},   // weight gradient through the spread image too (1/16 dropped)
            {4, 1, 12, 12, 6, 5, 5, 2, 2, 1, 1},   // one input channel, one group: a GEMM (LeNet's first conv)
            {3, 4, 8, 8, 8, 3, 3, 1, 1, 1, 4},     // depthwise ×2: direct loops, weight gradient by dot products
        };
        int before = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (int[] t : cases) {
                    Conv2dOptions o = new Conv2dOptions(1, 1, t[7], t[8], t[9], t[9], t[10]);
                    Tensor x = GradCheck.leaf(t[0] * 100L + t[5], t[0], t[1], t[2], t[3]);
                    Tensor w = GradCheck.leaf(t[4] * 10L + t[6], t[4], t[1] / t[10], t[5], t[6]);
                    Tensor y = Functional.conv2d(x, w, null, o);
                    Tensor g = Tensor.randn(new Generator(t[2] * 7L + t[3]), y.shape());
                    y.mul(g).sum().backward();
                    float[][] ref = directConv(x.toArray(), x.shape(), w.toArray(), w.shape(), g.toArray(), y.shape(), o);
                    String what = Shape.str(x.shape()) + " * " + Shape.str(w.shape()) + " " + o + ", threads " + threads;
                    Fixtures.assertClose(ref[0], y.toArray(), 1e-4, 1e-4, "forward " + what);
                    Fixtures.assertClose(ref[1], x.grad().toArray(), 1e-4, 1e-4, "input gradient " + what);
                    Fixtures.assertClose(ref[2], w.grad().toArray(), 1e-4, 1e-4, "weight gradient " + what);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** Stride-1 conv2d by its definition: {output, dL/dx, dL/dw} for L = Σ output·g. */
    private static float[][] directConv(float[] x, int[] xs, float[] w, int[] ws, float[] g, int[] ys, Conv2dOptions o) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], k = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        int oh = ys[2], ow = ys[3], kg = k / o.groups();
        float[] y = new float[n * k * oh * ow], dx = new float[x.length], dw = new float[w.length];
        for (int b = 0; b < n; b++) {
            for (int a = 0; a < k; a++) {
                for (int ci = 0; ci < cg; ci++) {
                    int ch = a / kg * cg + ci;
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            int wi = ((a * cg + ci) * kh + i) * kw + j;
                            for (int oy = 0; oy < oh; oy++) {
                                int iy = oy - o.padH() + i * o.dilationH();
                                if (iy < 0 || iy >= h) continue;
                                for (int ox = 0; ox < ow; ox++) {
                                    int ix = ox - o.padW() + j * o.dilationW();
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

    @Test
    void optionsFactories() {
        assertEquals(new Conv2dOptions(2, 2, 1, 1, 3, 3, 4), Conv2dOptions.of(2, 1).withDilation(3).withGroups(4));
        assertEquals(new Conv2dOptions(1, 2, 3, 4, 1, 1, 1), Conv2dOptions.DEFAULT.withStride(1, 2).withPadding(3, 4));
        assertEquals(new ConvTranspose2dOptions(2, 2, 1, 1, 1, 1, 1, 1, 1), ConvTranspose2dOptions.of(2, 1).withOutputPadding(1));
    }

    // ---- bad inputs ----

    @Test
    void conv2dRejectsBadInputs() {
        Tensor x = Tensor.zeros(2, 3, 8, 8);
        assertMessage(() -> Functional.conv2d(x, Tensor.zeros(16, 4, 3, 3), null),
                "conv2d: input [2, 3, 8, 8] has 3 channels but weight [16, 4, 3, 3] expects 4 (groups 1)");
        assertMessage(() -> Functional.conv2d(Tensor.zeros(3, 8, 8), Tensor.zeros(4, 3, 3, 3), null),
                "conv2d", "[3, 8, 8]", "[4, 3, 3, 3]", "4-D");
        assertMessage(() -> Functional.conv2d(x, Tensor.zeros(4, 3, 9, 9), null), "conv2d", "[2, 3, 8, 8]", "[4, 3, 9, 9]", "larger");
        assertMessage(() -> Functional.conv2d(x, Tensor.zeros(4, 3, 3, 3), Tensor.zeros(5)), "conv2d", "bias [5]", "[4]");
        assertMessage(() -> Functional.conv2d(x, Tensor.zeros(4, 1, 3, 3), null, Conv2dOptions.DEFAULT.withGroups(3)),
                "conv2d", "[4, 1, 3, 3]", "not divisible by groups 3");
        assertMessage(() -> Conv2dOptions.of(0, 1), "stride");
        assertMessage(() -> Conv2dOptions.of(1, -1), "padding");
        assertMessage(() -> Conv2dOptions.DEFAULT.withGroups(0), "groups");
    }

    @Test
    void convTranspose2dRejectsBadInputs() {
        assertMessage(() -> Functional.convTranspose2d(Tensor.zeros(1, 3, 4, 4), Tensor.zeros(4, 2, 3, 3), null,
                ConvTranspose2dOptions.DEFAULT), "convTranspose2d", "[1, 3, 4, 4]", "[4, 2, 3, 3]");
        assertMessage(() -> Functional.convTranspose2d(Tensor.zeros(1, 2, 1, 1), Tensor.zeros(2, 2, 1, 1), null,
                ConvTranspose2dOptions.of(1, 1)), "convTranspose2d", "[1, 2, 1, 1]", "empty output");
        assertMessage(() -> ConvTranspose2dOptions.of(2, 0).withOutputPadding(2), "output padding", "stride");
    }

    @Test
    void unfoldAndFoldRejectBadInputs() {
        assertMessage(() -> Functional.unfold(Tensor.zeros(1, 1, 2, 2), 3, 1, 0, 1), "unfold", "[1, 1, 2, 2]");
        assertMessage(() -> Functional.fold(Tensor.zeros(1, 4, 5), 3, 3, 2, 1, 0, 1), "fold", "[1, 4, 5]", "5 blocks");
        assertMessage(() -> Functional.fold(Tensor.zeros(1, 5, 4), 3, 3, 2, 1, 0, 1), "fold", "[1, 5, 4]", "multiple");
    }

    /** Asserts an IllegalArgumentException whose message contains every fragment. */
    static void assertMessage(Runnable r, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }
}
