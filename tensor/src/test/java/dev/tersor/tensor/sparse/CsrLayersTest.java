package dev.tersor.tensor.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link CsrConv2d} and {@link CsrLinear} against the float conv2d and linear with the same (dense) weights. */
class CsrLayersTest {
    @Test
    void convolutionMatchesTheFloatConvolution() {
        Random rnd = new Random(11);
        Object[][] cases = {
            {new int[] {6, 1, 5, 5}, Conv2dOptions.of(1, 2), new int[] {2, 1, 28, 28}},
            {new int[] {16, 6, 5, 5}, Conv2dOptions.DEFAULT, new int[] {1, 6, 14, 14}},
            {new int[] {8, 2, 3, 3}, new Conv2dOptions(2, 1, 1, 0, 2, 1, 2), new int[] {3, 4, 11, 9}},
            {new int[] {5, 3, 1, 1}, Conv2dOptions.DEFAULT, new int[] {2, 3, 4, 7}},
        };
        for (Object[] c : cases) {
            int[] shape = (int[]) c[0], xs = (int[]) c[2];
            Conv2dOptions o = (Conv2dOptions) c[1];
            int cols = shape[1] * shape[2] * shape[3];
            float[] w = CsrProductTest.sparse(rnd, shape[0], cols, 0.3);
            float[] bias = CsrProductTest.gaussian(rnd, shape[0]);
            Tensor x = Tensor.fromArray(CsrProductTest.gaussian(rnd, xs[0] * xs[1] * xs[2] * xs[3]), xs);
            Tensor want = Functional.conv2d(x, Tensor.fromArray(w, shape), Tensor.fromArray(bias, shape[0]), o);
            Tensor got = CsrConv2d.of(CsrMatrix.fromDense(w, shape[0], cols), shape, o, bias).apply(x);
            assertArrayEquals(want.shape(), got.shape());
            assertArrayEquals(want.toArray(), got.toArray(), 1e-4f, java.util.Arrays.toString(shape) + " " + o);
        }
    }

    @Test
    void linearMatchesTheFloatLinearAtEveryBatch() {
        Random rnd = new Random(12);
        for (int n : new int[] {1, 3, 4, 5, 64}) {
            float[] w = CsrProductTest.sparse(rnd, 17, 33, 0.1);
            float[] bias = CsrProductTest.gaussian(rnd, 17);
            Tensor x = Tensor.fromArray(CsrProductTest.gaussian(rnd, n * 33), n, 33);
            Tensor want = Functional.linear(x, Tensor.fromArray(w, 17, 33), Tensor.fromArray(bias, 17));
            Tensor got = CsrLinear.of(CsrMatrix.fromDense(w, 17, 33), bias).apply(x);
            assertArrayEquals(want.shape(), got.shape());
            assertArrayEquals(want.toArray(), got.toArray(), 1e-4f, "batch " + n);
        }
    }

    @Test
    void shapesThatDoNotFitAreRejected() {
        CsrMatrix w = CsrMatrix.fromDense(new float[12], 2, 6);
        assertThrows(IllegalArgumentException.class, () -> CsrConv2d.of(w, new int[] {2, 1, 2, 2}, Conv2dOptions.DEFAULT, null));
        CsrConv2d conv = CsrConv2d.of(w, new int[] {2, 6, 1, 1}, Conv2dOptions.DEFAULT, null);
        assertThrows(IllegalArgumentException.class, () -> conv.apply(Tensor.zeros(1, 5, 3, 3)));
        assertThrows(IllegalArgumentException.class, () -> CsrLinear.of(w, null).apply(Tensor.zeros(2, 5)));
    }
}
