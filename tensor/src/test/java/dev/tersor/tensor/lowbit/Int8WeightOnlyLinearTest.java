package dev.tersor.tensor.lowbit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.testing.ThreadCounts;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The weight-only int8 linear layer against a hand-computed case and a double-precision product of its dequantized weights. */
class Int8WeightOnlyLinearTest {

    @Test
    void handComputedCase() {
        // W = [[1, -2, 3], [-128, 127, 0]], scales [0.25, 2], x = [0.5, -1, 2.25], bias [1, -0.5]
        // Σ x·W = [0.5 + 2 + 6.75, -64 - 127 + 0] = [9.25, -191]; y = [9.25·0.25 + 1, -191·2 - 0.5] = [3.3125, -382.5]
        byte[] w = {1, -2, 3, -128, 127, 0};
        for (Int8Kernel kernel : Int8Kernels.available()) {
            Tensor y = Int8WeightOnlyLinear.pack(kernel, w, 2, 3, new float[] {0.25f, 2f}, new float[] {1f, -0.5f})
                    .apply(Tensor.fromArray(new float[] {0.5f, -1f, 2.25f}, 1, 3));
            assertArrayEquals(new float[] {3.3125f, -382.5f}, y.toArray(), 0f, kernel.name());
        }
    }

    /** Both paths (direct below 32 rows, dequantized GEMM from 32), vector tails, rows not a multiple of 4, 1 and 2 threads, every kernel. */
    @Test
    void matchesTheDequantizedProductOnEveryPath() {
        Random rnd = new Random(11);
        int[][] shapes = {{1, 1, 1}, {7, 5, 3}, {13, 37, 1}, {120, 400, 1}, {121, 64, 31}, {9, 100, 32}, {64, 400, 70}};
        ThreadCounts.each(new int[] {1, 2}, t -> {
            for (int[] s : shapes) {
                int out = s[0], in = s[1], rows = s[2];
                byte[] w = new byte[out * in];
                for (int i = 0; i < w.length; i++) w[i] = (byte) (rnd.nextInt(256) - 128);
                float[] scale = new float[out], bias = new float[out], x = new float[rows * in];
                for (int o = 0; o < out; o++) {
                    scale[o] = 0.001f + 0.02f * rnd.nextFloat();
                    bias[o] = rnd.nextFloat() - 0.5f;
                }
                for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                for (Int8Kernel kernel : Int8Kernels.available()) {
                    float[] y = Int8WeightOnlyLinear.pack(kernel, w, out, in, scale, bias).apply(Tensor.fromArray(x, rows, in)).toArray();
                    String what = kernel.name() + " " + out + "x" + in + " rows " + rows + " threads " + t;
                    for (int r = 0; r < rows; r++) {
                        for (int o = 0; o < out; o++) {
                            double sum = 0, mag = 0;
                            for (int k = 0; k < in; k++) {
                                double p = (double) x[r * in + k] * w[o * in + k] * scale[o];
                                sum += p;
                                mag += Math.abs(p);
                            }
                            assertEquals(sum + bias[o], y[r * out + o], 1e-6 * mag + 1e-6, what + " at " + r + "," + o);
                        }
                    }
                }
            }
        });
    }

    @Test
    void perTensorScaleNoBiasAndLeadingDimensions() {
        byte[] w = {2, -1, 0, 4};
        Int8WeightOnlyLinear fc = Int8WeightOnlyLinear.pack(w, 2, 2, new float[] {0.5f}, null);
        Tensor y = fc.apply(Tensor.fromArray(new float[] {1, 2, 3, 4, -1, 0}, 3, 1, 2));
        assertArrayEquals(new int[] {3, 1, 2}, y.shape());
        // rows [1,2], [3,4], [-1,0] against W·0.5 = [[1, -0.5], [0, 2]]
        assertArrayEquals(new float[] {0f, 4f, 1f, 8f, -1f, 0f}, y.toArray(), 0f);
        assertEquals(4, fc.weightBytes());
        assertArrayEquals(w, fc.weights());
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        byte[] w = new byte[6];
        float[] s = {1f, 1f};
        assertEquals("Int8WeightOnlyLinear: weight has 6 values, shape [3, 3] needs 9",
                assertThrows(IllegalArgumentException.class, () -> Int8WeightOnlyLinear.pack(w, 3, 3, new float[] {1f}, null)).getMessage());
        assertEquals("Int8WeightOnlyLinear: weightScale[1] must be positive and finite, got NaN",
                assertThrows(IllegalArgumentException.class, () -> Int8WeightOnlyLinear.pack(w, 2, 3, new float[] {1f, Float.NaN}, null)).getMessage());
        assertEquals("Int8WeightOnlyLinear: bias must have 2 values (one per output channel of weight [2, 3]), got [3]",
                assertThrows(IllegalArgumentException.class, () -> Int8WeightOnlyLinear.pack(w, 2, 3, s, new float[3])).getMessage());
        Int8WeightOnlyLinear fc = Int8WeightOnlyLinear.pack(w, 2, 3, s, null);
        assertEquals("Int8WeightOnlyLinear: expected input [..., 3], got [2, 4]",
                assertThrows(IllegalArgumentException.class, () -> fc.apply(Tensor.zeros(2, 4))).getMessage());
    }
}
