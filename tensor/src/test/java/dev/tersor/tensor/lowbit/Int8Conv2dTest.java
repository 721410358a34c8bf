package dev.tersor.tensor.lowbit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;
import dev.tersor.tensor.testing.ThreadCounts;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Int8Conv2d against a hand-computed case, the reference against float conv2d, every kernel against the reference. */
class Int8Conv2dTest {

    @Test
    void handComputedCaseWithPadding() {
        // x [1, 1, 2, 2] = [[1, 2], [3, 4]], scale 1, zp 1 → xq - zp = x; W [1, 1, 2, 2] = [[1, -1], [2, 0]], pad 1
        // out [3, 3]: acc[oy, ox] = Σ_ij x[oy - 1 + i, ox - 1 + j]·W[i, j]
        //   (0,0): x00·W11 = 0          (0,1): x00·W10 + x01·W11 = 2     (0,2): x01·W10 = 4
        //   (1,0): x00·W01 + x10·W11 = -1   (1,1): x00·W00 + x01·W01 + x10·W10 + x11·W11 = 1 - 2 + 6 = 5
        //   (1,2): x01·W00 + x11·W10 = 2 + 8 = 10   (2,0): x10·W01 = -3   (2,1): x10·W00 + x11·W01 = -1   (2,2): x11·W00 = 4
        // y = acc·(1·0.5) + 0.25
        byte[] w = {1, -1, 2, 0};
        Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        float[] acc = {0, 2, 4, -1, 5, 10, -3, -1, 4};
        float[] want = new float[9];
        for (int i = 0; i < 9; i++) want[i] = acc[i] * 0.5f + 0.25f;
        for (Int8Kernel kernel : Int8Kernels.available()) {
            Tensor y = Int8Conv2d.pack(kernel, w, new int[] {1, 1, 2, 2}, Conv2dOptions.of(1, 1), new float[] {0.5f},
                    new Int8Input(1f, 1, -100, 100), new float[] {0.25f}, false).apply(x);
            assertArrayEquals(new int[] {1, 1, 3, 3}, y.shape());
            assertArrayEquals(want, y.toArray(), 0f, kernel.name());
        }
    }

    @Test
    void referenceIsFloatConvOnIntegers() {
        Random rnd = new Random(4);
        Conv2dOptions[] opts = {Conv2dOptions.of(1, 1), new Conv2dOptions(2, 1, 1, 2, 1, 2, 2), Conv2dOptions.of(1, 1).withGroups(4)};
        for (Conv2dOptions o : opts) {
            int n = 2, c = 4, h = 7, wd = 6, k = 8, kh = 3, kw = 2;
            int[] shape = {k, c / o.groups(), kh, kw};
            float[] x = new float[n * c * h * wd];
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextInt(201) - 100;
            byte[] w = Int8LinearTest.randomBytes(rnd, k * shape[1] * kh * kw);
            float[] wf = new float[w.length];
            for (int i = 0; i < w.length; i++) wf[i] = w[i];
            float[] got = Int8Reference.conv2d(x, n, c, h, wd, w, shape, o, new float[] {1f}, new Int8Input(1f, 0, -128, 127), null, false);
            float[] want = Functional.conv2d(Tensor.fromArray(x, n, c, h, wd), Tensor.fromArray(wf, shape), null, o).toArray();
            assertArrayEquals(want, got, 0f, o.toString());
        }
    }

    @Test
    void everyKernelMatchesTheReferenceBitForBit() {
        Random rnd = new Random(11);
        // n, c, h, w, k, kh, kw, stride, pad, dilation, groups
        int[][] cases = {
            {1, 3, 9, 9, 5, 3, 3, 1, 1, 1, 1}, {2, 16, 8, 8, 16, 3, 3, 1, 1, 1, 1}, {1, 1, 28, 28, 6, 5, 5, 1, 0, 1, 1},
            {3, 6, 14, 14, 16, 5, 5, 1, 0, 1, 1}, {1, 32, 7, 9, 40, 3, 3, 2, 1, 1, 1}, {2, 8, 10, 10, 12, 1, 1, 2, 0, 1, 1},
            {1, 8, 11, 13, 8, 3, 3, 1, 2, 2, 1}, {2, 12, 6, 6, 18, 3, 1, 1, 1, 1, 3}, {1, 24, 9, 9, 24, 3, 3, 1, 1, 1, 24},
            {1, 8, 5, 5, 16, 3, 3, 2, 1, 1, 8}, {1, 64, 8, 8, 33, 3, 3, 1, 1, 1, 1}, {1, 4, 30, 3, 2, 2, 2, 1, 0, 1, 1},
            {16, 1, 28, 28, 6, 5, 5, 1, 2, 1, 1},    // a partial channel vector of the last image would scatter past the output
            {1, 3, 4, 37, 72, 3, 3, 1, 1, 1, 1}};    // wide (no shifted loop) with rows longer than two vectors of any width: runs copied in pieces
        ThreadCounts.each(new int[] {1, 2}, t -> {
            for (int[] s : cases) {
                int n = s[0], c = s[1], h = s[2], wd = s[3], k = s[4], kh = s[5], kw = s[6];
                Conv2dOptions o = new Conv2dOptions(s[7], s[7], s[8], s[8], s[9], s[9], s[10]);
                int[] shape = {k, c / s[10], kh, kw};
                byte[] w = Int8LinearTest.randomBytes(rnd, k * shape[1] * kh * kw);
                float[] x = Int8LinearTest.gaussian(rnd, n * c * h * wd);
                float[] scale = rnd.nextBoolean() ? new float[] {0.004f} : Int8LinearTest.positive(rnd, k);
                float[] bias = rnd.nextBoolean() ? null : Int8LinearTest.gaussian(rnd, k);
                boolean relu = rnd.nextBoolean();
                Int8Input input = rnd.nextBoolean() ? Int8Input.uint8(0.02f, 128) : Int8Input.int8(0.015f, 4);
                float[] want = Int8Reference.conv2d(x, n, c, h, wd, w, shape, o, scale, input, bias, relu);
                for (Int8Kernel kernel : Int8Kernels.available()) {
                    Int8Conv2d conv = Int8Conv2d.pack(kernel, w, shape, o, scale, input, bias, relu);
                    Tensor y = conv.apply(Tensor.fromArray(x, n, c, h, wd));
                    assertEquals(want.length, y.numel());
                    assertArrayEquals(want, y.toArray(), 0f, kernel.name() + " " + Arrays.toString(s) + " threads " + t);
                    assertArrayEquals(want, conv.apply(Tensor.fromArray(x, n, c, h, wd)).toArray(), 0f, "second call");
                    assertArrayEquals(w, conv.weights(), "weights() unpacks what was packed");
                }
            }
        });
    }

    @Test
    void compiledLoopsStayRightOnNarrowLayers() {
        // LeNet-5's first layer (6 channels: a panel of 16 lanes, 10 masked), called often enough for C2 to
        // compile the loops (JDK 25's masked scatter checks every lane's index, set or not; JDK 17's does not)
        Random rnd = new Random(9);
        int[] shape = {6, 1, 5, 5};
        Conv2dOptions o = Conv2dOptions.of(1, 2);
        byte[] w = Int8LinearTest.randomBytes(rnd, 150);
        float[] x = Int8LinearTest.gaussian(rnd, 28 * 28);
        Int8Input in = Int8Input.int8(0.02f, 1);
        float[] want = Int8Reference.conv2d(x, 1, 1, 28, 28, w, shape, o, new float[] {0.01f}, in, null, true);
        for (Int8Kernel kernel : Int8Kernels.available()) {
            Int8Conv2d conv = Int8Conv2d.pack(kernel, w, shape, o, new float[] {0.01f}, in, null, true);
            Tensor t = Tensor.fromArray(x, 1, 1, 28, 28);
            for (int i = 0; i < 3000; i++) {
                float[] got = conv.apply(t).toArray();
                if (i % 500 == 0 || i == 2999) assertArrayEquals(want, got, 0f, kernel.name() + " call " + i);
            }
        }
    }

    @Test
    void aNewInputSizeGetsItsOwnGeometry() {
        Random rnd = new Random(2);
        byte[] w = Int8LinearTest.randomBytes(rnd, 4 * 2 * 9);
        int[] shape = {4, 2, 3, 3};
        Int8Input in = Int8Input.int8(0.02f, 0);
        Int8Conv2d conv = Int8Conv2d.pack(w, shape, Conv2dOptions.of(1, 1), new float[] {0.01f}, in, null, false);
        for (int hw : new int[] {5, 8, 5}) {
            float[] x = Int8LinearTest.gaussian(rnd, 2 * hw * hw);
            assertArrayEquals(Int8Reference.conv2d(x, 1, 2, hw, hw, w, shape, Conv2dOptions.of(1, 1), new float[] {0.01f}, in, null, false),
                    conv.apply(Tensor.fromArray(x, 1, 2, hw, hw)).toArray(), 0f);
        }
    }

    @Test
    void reportsSizesAndRejectsBadInputNamingIt() {
        Int8Input in = Int8Input.uint8(0.1f, 0);
        float[] one = {0.5f};
        Conv2dOptions o = Conv2dOptions.of(1, 1).withGroups(2);
        Int8Conv2d conv = Int8Conv2d.pack(new byte[6 * 2 * 9], new int[] {6, 2, 3, 3}, o, one, in, null, true);
        assertEquals(4, conv.inChannels());
        assertEquals(6, conv.outChannels());
        assertEquals(o, conv.options());
        assertEquals(108, conv.weightBytes());
        String m = assertThrows(IllegalArgumentException.class, () -> conv.apply(Tensor.zeros(1, 3, 5, 5))).getMessage();
        assertTrue(m.contains("[N, 4, H, W]") && m.contains("[1, 3, 5, 5]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Int8Conv2d.pack(new byte[10], new int[] {6, 2, 3, 3}, o, one, in, null, false))
                .getMessage();
        assertTrue(m.contains("10") && m.contains("[6, 2, 3, 3]") && m.contains("108"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> Int8Conv2d.pack(new byte[5 * 18], new int[] {5, 2, 3, 3}, o, one, in, null, false)).getMessage();
        assertTrue(m.contains("groups") && m.contains("[5, 2, 3, 3]"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> Int8Conv2d.pack(new byte[108], new int[] {6, 2, 3, 3}, o, new float[3], in, null, false)).getMessage();
        assertTrue(m.contains("weightScale") && m.contains("[3]") && m.contains("[6, 2, 3, 3]"), m);
        assertThrows(IllegalArgumentException.class,
                () -> Int8Conv2d.pack(new byte[108], new int[] {6, 2, 3, 3}, o, new float[] {Float.POSITIVE_INFINITY}, in, null, false));
        m = assertThrows(IllegalArgumentException.class,
                () -> Int8Conv2d.pack(new byte[108], new int[] {6, 2, 3, 3}, o, one, in, new float[5], false)).getMessage();
        assertTrue(m.contains("bias") && m.contains("[5]"), m);
        assertThrows(IllegalArgumentException.class, () -> Int8Conv2d.pack(new byte[108], new int[] {6, 18}, o, one, in, null, false));
        Int8Conv2d big = Int8Conv2d.pack(new byte[25], new int[] {1, 1, 5, 5}, Conv2dOptions.DEFAULT, one, in, null, false);
        m = assertThrows(IllegalArgumentException.class, () -> big.apply(Tensor.zeros(1, 1, 4, 9))).getMessage();
        assertTrue(m.contains("[1, 1, 4, 9]") && m.contains("5x5"), m);
    }
}
