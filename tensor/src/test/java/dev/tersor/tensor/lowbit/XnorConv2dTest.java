package dev.tersor.tensor.lowbit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Packed binary convolution against the float convolution of the ±1 tensors: equal bit for bit. */
class XnorConv2dTest {

    static Tensor signs(Tensor t) {
        return t.ge(0f).mul(2f).sub(1f);
    }

    /** The training-mode forward of a binary layer: conv of signs (zero padding), then scale, then bias. */
    static Tensor reference(Tensor x, Tensor w, Conv2dOptions o, float[] scale, float[] bias) {
        int k = w.size(0);
        Tensor y = Functional.conv2d(signs(x), signs(w), null, o);
        if (scale != null) y = y.mul(Tensor.fromArray(scale, 1, k, 1, 1));
        if (bias != null) y = y.add(Tensor.fromArray(bias, 1, k, 1, 1));
        return y;
    }

    private static void check(XnorKernel kernel, int n, int c, int k, int h, int w, int kh, int kw, Conv2dOptions o,
                              boolean affine, long seed) {
        Generator g = new Generator(seed);
        Tensor x = Tensor.randn(g, n, c, h, w);
        Tensor weight = Tensor.randn(g, k, c, kh, kw);
        float[] scale = affine ? Tensor.rand(g, k).add(0.1f).toArray() : null;
        float[] bias = affine ? Tensor.randn(g, k).toArray() : null;
        Tensor want = reference(x, weight, o, scale, bias);
        Tensor got = XnorConv2d.pack(kernel, weight, o, scale, bias).apply(x);
        assertArrayEquals(want.shape(), got.shape());
        assertArrayEquals(want.toArray(), got.toArray(), 0f, () -> kernel.name() + " C=" + c + " K=" + k + " " + h + "x" + w
                + " kernel " + kh + "x" + kw + " " + o + " affine=" + affine);
    }

    @Test
    void oddChannelCountsStridesAndPadding() {
        for (XnorKernel kernel : XnorKernels.available()) {
            long seed = 1;
            for (int c : new int[] {3, 63, 65, 130}) {
                for (int stride : new int[] {1, 2}) {
                    for (int pad : new int[] {0, 1}) {
                        check(kernel, 2, c, 5, 7, 6, 3, 3, Conv2dOptions.of(stride, pad), seed % 2 == 0, seed++);
                    }
                }
            }
        }
    }

    @Test
    void otherShapes() {
        for (XnorKernel kernel : XnorKernels.available()) {
            check(kernel, 1, 6, 16, 14, 14, 5, 5, Conv2dOptions.DEFAULT, true, 11);                     // LeNet conv2
            check(kernel, 1, 17, 33, 9, 8, 1, 1, Conv2dOptions.DEFAULT, false, 12);                     // 1x1
            check(kernel, 2, 9, 7, 8, 9, 3, 2, new Conv2dOptions(1, 2, 2, 1, 1, 1, 1), true, 13);       // asymmetric
            check(kernel, 1, 70, 9, 11, 10, 3, 3, Conv2dOptions.of(1, 2).withDilation(2), true, 14);    // dilated, wide pad
            check(kernel, 1, 5, 3, 4, 4, 3, 3, Conv2dOptions.of(3, 2), false, 15);                      // pad 2, stride 3
            check(kernel, 1, 64, 20, 30, 3, 3, 3, Conv2dOptions.of(1, 1), false, 16);                   // long column
        }
    }

    @Test
    void zeroActivationsCountAsPlusOne() {
        Tensor x = Tensor.zeros(1, 3, 4, 4);
        Tensor w = Tensor.randn(new Generator(5), 2, 3, 3, 3);
        Conv2dOptions o = Conv2dOptions.of(1, 1);
        assertArrayEquals(reference(x, w, o, null, null).toArray(), XnorConv2d.pack(w, o, null, null).apply(x).toArray(), 0f);
    }

    @Test
    void reportsGeometryAndRejectsBadInput() {
        XnorConv2d conv = XnorConv2d.pack(Tensor.ones(4, 3, 3, 3), Conv2dOptions.of(2, 1), null, null);
        assertEquals(4, conv.outChannels());
        assertEquals(3, conv.inChannels());
        assertEquals(4 * 9 * 8, conv.packedWeightBytes());
        assertEquals(4, conv.outHeight(7));
        assertThrows(IllegalArgumentException.class, () -> conv.apply(Tensor.zeros(1, 2, 5, 5)));
        assertThrows(IllegalArgumentException.class,
                () -> XnorConv2d.pack(Tensor.ones(4, 3, 3, 3), Conv2dOptions.DEFAULT, new float[3], null));
        assertThrows(IllegalArgumentException.class,
                () -> XnorConv2d.pack(Tensor.ones(4, 1, 3, 3), Conv2dOptions.DEFAULT.withGroups(2), null, null));
    }
}
