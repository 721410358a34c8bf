package dev.tersor.tensor.lowbit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The float product of batched int8 layers: the exactness bound, and bit-for-bit equality with the reference on both sides of it. */
class ExactFloatProductTest {

    @Test
    void boundIsMaxAbsInputTimesTheLargestRowL1Norm() {
        Int8Input u8 = Int8Input.uint8(0.1f, 0);              // |xq − zp| ≤ 255
        byte[] w = new byte[2 * 519];
        Arrays.fill(w, (byte) -127);
        // 255·127 = 32,385; ×518 = 16,775,430 < 2^24 = 16,777,216 ≤ ×519 = 16,807,815
        assertTrue(ExactFloatProduct.exact(Arrays.copyOf(w, 2 * 518), 2, 518, u8));
        assertFalse(ExactFloatProduct.exact(w, 2, 519, u8));
        assertTrue(ExactFloatProduct.exact(w, 2, 519, Int8Input.uint8(0.1f, 128)), "|xq − zp| ≤ 128 halves the bound");
        w[0] = 0;
        assertFalse(ExactFloatProduct.exact(w, 2, 519, u8), "the second row still breaks it");
    }

    @Test
    void batchedLinearLayersEqualTheReferenceWithOrWithoutTheFloatProduct() {
        Random rnd = new Random(5);
        for (int[] s : new int[][] {{64, 400, 120}, {33, 70, 9}, {40, 3000, 16}}) {     // the last: bound fails, integer loops
            int rows = s[0], in = s[1], out = s[2];
            byte[] w = new byte[in * out];
            for (int i = 0; i < w.length; i++) w[i] = (byte) (s[1] == 3000 ? 120 + rnd.nextInt(8) : rnd.nextInt(256) - 128);
            float[] x = Int8LinearTest.gaussian(rnd, rows * in);
            x[0] = Float.NaN;
            x[1] = Float.POSITIVE_INFINITY;
            x[2] = Float.NEGATIVE_INFINITY;
            x[3] = -0f;
            x[4] = 1e30f;
            float[] scale = Int8LinearTest.positive(rnd, out), bias = Int8LinearTest.gaussian(rnd, out);
            Int8Input input = Int8Input.uint8(0.02f, 100);
            assertTrue(ExactFloatProduct.exact(w, out, in, input) == (in != 3000), Arrays.toString(s));
            float[] want = Int8Reference.linear(x, rows, w, out, in, scale, input, bias, true);
            for (Int8Kernel kernel : Int8Kernels.available()) {
                Tensor y = Int8Linear.pack(kernel, w, out, in, scale, input, bias, true).apply(Tensor.fromArray(x, rows, in));
                assertArrayEquals(want, y.toArray(), 0f, kernel.name() + " " + Arrays.toString(s));
            }
        }
    }

    @Test
    void batchedConvolutionsEqualTheReference() {
        Random rnd = new Random(6);
        int n = 8, c = 16, h = 16, wd = 16, k = 16;
        for (Conv2dOptions o : new Conv2dOptions[] {Conv2dOptions.of(1, 1), Conv2dOptions.of(2, 1), Conv2dOptions.of(1, 1).withGroups(4)}) {
            int[] shape = {k, c / o.groups(), 3, 3};
            byte[] w = Int8LinearTest.randomBytes(rnd, k * shape[1] * 9);
            float[] x = Int8LinearTest.gaussian(rnd, n * c * h * wd);
            float[] scale = Int8LinearTest.positive(rnd, k);
            Int8Input input = Int8Input.int8(0.015f, 4);
            float[] want = Int8Reference.conv2d(x, n, c, h, wd, w, shape, o, scale, input, null, false);
            for (Int8Kernel kernel : Int8Kernels.available()) {
                Tensor y = Int8Conv2d.pack(kernel, w, shape, o, scale, input, null, false).apply(Tensor.fromArray(x, n, c, h, wd));
                assertArrayEquals(want, y.toArray(), 0f, kernel.name() + " " + o);
            }
        }
    }

    /**
     * Layers of different sizes in turn on one thread share its scratch buffers (grown by the
     * large one, reused with stale values by the smaller ones): every call still equals the
     * reference, with a bias and ReLU, on the shifted (narrow) and gathered (wide) weight layouts.
     */
    @Test
    void layersSharingTheScratchBuffersEqualTheReferenceInAnyOrder() {
        Random rnd = new Random(7);
        int[][] layers = {{80, 8, 20}, {16, 4, 16}, {6, 1, 28}, {80, 8, 20}};   // K, C, H = W; batch 8, 3x3, padding 1
        Int8Input input = Int8Input.uint8(0.02f, 0);
        for (int[] l : layers) {
            int k = l[0], c = l[1], hw = l[2], n = 8;
            int[] shape = {k, c, 3, 3};
            byte[] w = Int8LinearTest.randomBytes(rnd, k * c * 9);
            float[] x = Int8LinearTest.gaussian(rnd, n * c * hw * hw), scale = Int8LinearTest.positive(rnd, k);
            float[] bias = Int8LinearTest.gaussian(rnd, k);
            assertTrue(ExactFloatProduct.exact(w, k, c * 9, input) && n * hw * hw >= ExactFloatProduct.MIN_POSITIONS, Arrays.toString(l));
            float[] want = Int8Reference.conv2d(x, n, c, hw, hw, w, shape, Conv2dOptions.of(1, 1), scale, input, bias, true);
            Tensor y = Int8Conv2d.pack(w, shape, Conv2dOptions.of(1, 1), scale, input, bias, true).apply(Tensor.fromArray(x, n, c, hw, hw));
            assertArrayEquals(want, y.toArray(), 0f, Arrays.toString(l));
        }
    }
}
