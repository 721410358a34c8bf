package dev.tersor.tensor.lowbit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

class XnorLinearTest {

    @Test
    void matchesFloatLinearOfSignsOnOddWidths() {
        for (XnorKernel kernel : XnorKernels.available()) {
            for (int in : new int[] {1, 3, 63, 65, 130, 400}) {
                for (boolean affine : new boolean[] {false, true}) {
                    int out = 19;
                    Generator g = new Generator(in * 2L + (affine ? 1 : 0));
                    Tensor x = Tensor.randn(g, 2, 3, in);
                    Tensor w = Tensor.randn(g, out, in);
                    float[] scale = affine ? Tensor.rand(g, out).toArray() : null;
                    float[] bias = affine ? Tensor.randn(g, out).toArray() : null;
                    Tensor want = Functional.linear(XnorConv2dTest.signs(x), XnorConv2dTest.signs(w), null);
                    if (scale != null) want = want.mul(Tensor.fromArray(scale, out));
                    if (bias != null) want = want.add(Tensor.fromArray(bias, out));
                    Tensor got = XnorLinear.pack(kernel, w, scale, bias).apply(x);
                    assertArrayEquals(new int[] {2, 3, out}, got.shape());
                    assertArrayEquals(want.toArray(), got.toArray(), 0f, kernel.name() + " in=" + in + " affine=" + affine);
                }
            }
        }
    }

    @Test
    void manyRowsSplitOverThreads() {
        Tensor x = Tensor.randn(new Generator(1), 301, 77), w = Tensor.randn(new Generator(2), 10, 77);
        Tensor want = Functional.linear(XnorConv2dTest.signs(x), XnorConv2dTest.signs(w), null);
        assertArrayEquals(want.toArray(), XnorLinear.pack(w, null, null).apply(x).toArray(), 0f);
    }

    @Test
    void reportsSizesAndRejectsBadInput() {
        XnorLinear l = XnorLinear.pack(Tensor.ones(10, 130), null, null);
        assertEquals(130, l.inFeatures());
        assertEquals(10, l.outFeatures());
        assertEquals(10 * 3 * 8, l.packedWeightBytes());
        assertThrows(IllegalArgumentException.class, () -> l.apply(Tensor.zeros(2, 129)));
    }
}
