package dev.tersor.tensor.lowbit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.testing.ThreadCounts;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Int8Linear against a hand-computed case, the reference against float linear, every kernel against the reference. */
class Int8LinearTest {

    @Test
    void handComputedCase() {
        // W = [[1, -2, 3], [-128, 127, 0]], x = [0.5, -1, 2.2], input scale 0.5, zp 2, range [0, 255]
        // xq = clamp(rint([1, -2, 4.4]) + 2) = [3, 0, 6]; xq - zp = [1, -2, 4]
        // acc = [1 + 4 + 12, -128 - 254 + 0] = [17, -382]; mult = 0.5·[0.25, 2] = [0.125, 1]
        // y = [17·0.125 + 1, -382·1 - 0.5] = [3.125, -382.5]; relu: [3.125, 0]
        byte[] w = {1, -2, 3, -128, 127, 0};
        float[] x = {0.5f, -1f, 2.2f};
        Int8Input in = new Int8Input(0.5f, 2, 0, 255);
        for (Int8Kernel kernel : Int8Kernels.available()) {
            Tensor y = Int8Linear.pack(kernel, w, 2, 3, new float[] {0.25f, 2f}, in, new float[] {1f, -0.5f}, false)
                    .apply(Tensor.fromArray(x, 1, 3));
            assertArrayEquals(new float[] {3.125f, -382.5f}, y.toArray(), 0f, kernel.name());
            Tensor r = Int8Linear.pack(kernel, w, 2, 3, new float[] {0.25f, 2f}, in, new float[] {1f, -0.5f}, true)
                    .apply(Tensor.fromArray(x, 3));
            assertArrayEquals(new float[] {3.125f, 0f}, r.toArray(), 0f, kernel.name());
        }
    }

    @Test
    void referenceIsFloatLinearOnIntegers() {
        // scale 1 and integer inputs: xq - zp = x exactly, and float sums of small integers are exact
        Random rnd = new Random(2);
        int rows = 5, in = 37, out = 11;
        float[] x = new float[rows * in], wf = new float[out * in];
        byte[] w = new byte[out * in];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextInt(201) - 100;
        for (int i = 0; i < w.length; i++) wf[i] = w[i] = (byte) (rnd.nextInt(256) - 128);
        float[] got = Int8Reference.linear(x, rows, w, out, in, new float[] {1f}, new Int8Input(1f, 0, -128, 127), null, false);
        float[] want = Functional.linear(Tensor.fromArray(x, rows, in), Tensor.fromArray(wf, out, in), null).toArray();
        assertArrayEquals(want, got, 0f);
    }

    @Test
    void everyKernelMatchesTheReferenceBitForBit() {
        Random rnd = new Random(7);
        int[][] shapes = {{1, 1, 1}, {7, 5, 3}, {16, 33, 1}, {17, 64, 13}, {33, 100, 25}, {120, 400, 64}, {70, 9, 2}};
        ThreadCounts.each(new int[] {1, 2}, t -> {
            for (int[] s : shapes) {
                int out = s[0], in = s[1], rows = s[2];
                byte[] w = randomBytes(rnd, out * in);
                float[] x = new float[rows * in];
                for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian() * 3;
                float[] scale = rnd.nextBoolean() ? new float[] {0.01f} : positive(rnd, out);
                float[] bias = rnd.nextBoolean() ? null : gaussian(rnd, out);
                boolean relu = rnd.nextBoolean();
                Int8Input input = rnd.nextBoolean() ? Int8Input.uint8(0.03f, 100) : Int8Input.int8(0.02f, -3);
                float[] want = Int8Reference.linear(x, rows, w, out, in, scale, input, bias, relu);
                for (Int8Kernel kernel : Int8Kernels.available()) {
                    Int8Linear layer = Int8Linear.pack(kernel, w, out, in, scale, input, bias, relu);
                    assertArrayEquals(w, layer.weights(), "weights() unpacks what was packed");
                    Tensor y = layer.apply(Tensor.fromArray(x, rows, in));
                    assertArrayEquals(new int[] {rows, out}, y.shape());
                    assertArrayEquals(want, y.toArray(), 0f, kernel.name() + " " + java.util.Arrays.toString(s) + " threads " + t);
                }
            }
        });
    }

    @Test
    void keepsLeadingDimensionsAndReadsViews() {
        Random rnd = new Random(3);
        byte[] w = randomBytes(rnd, 6 * 4);
        float[] x = gaussian(rnd, 2 * 3 * 4);
        Int8Input input = Int8Input.int8(0.05f, 0);
        Int8Linear fc = Int8Linear.pack(w, 6, 4, new float[] {0.1f}, input, null, false);
        Tensor y = fc.apply(Tensor.fromArray(x, 2, 3, 4));
        assertArrayEquals(new int[] {2, 3, 6}, y.shape());
        assertArrayEquals(Int8Reference.linear(x, 6, w, 6, 4, new float[] {0.1f}, input, null, false), y.toArray(), 0f);
        Tensor t = Tensor.fromArray(x, 4, 6).transpose(0, 1);   // [6, 4], not contiguous
        assertArrayEquals(Int8Reference.linear(t.contiguous().toArray(), 6, w, 6, 4, new float[] {0.1f}, input, null, false),
                fc.apply(t).toArray(), 0f);
    }

    @Test
    void reportsSizesAndRejectsBadInputNamingIt() {
        Int8Input in = Int8Input.uint8(0.1f, 0);
        float[] one = {0.5f};
        Int8Linear l = Int8Linear.pack(new byte[10 * 130], 10, 130, one, in, null, false);
        assertEquals(130, l.inFeatures());
        assertEquals(10, l.outFeatures());
        assertEquals(1300, l.weightBytes());
        assertTrue(l.kernelName().equals("scalar") || l.kernelName().startsWith("vector"), l.kernelName());
        String m = assertThrows(IllegalArgumentException.class, () -> l.apply(Tensor.zeros(2, 129))).getMessage();
        assertTrue(m.contains("130") && m.contains("[2, 129]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Int8Linear.pack(new byte[11], 3, 4, one, in, null, false)).getMessage();
        assertTrue(m.contains("11") && m.contains("[3, 4]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Int8Linear.pack(new byte[12], 3, 4, new float[2], in, null, false)).getMessage();
        assertTrue(m.contains("weightScale") && m.contains("[2]") && m.contains("[3, 4]"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> Int8Linear.pack(new byte[12], 3, 4, new float[] {1f, Float.NaN, 1f}, in, null, false)).getMessage();
        assertTrue(m.contains("weightScale[1]"), m);
        assertThrows(IllegalArgumentException.class, () -> Int8Linear.pack(new byte[12], 3, 4, new float[] {0f}, in, null, false));
        m = assertThrows(IllegalArgumentException.class, () -> Int8Linear.pack(new byte[12], 3, 4, one, in, new float[4], false)).getMessage();
        assertTrue(m.contains("bias") && m.contains("[4]") && m.contains("[3, 4]"), m);
        assertThrows(IllegalArgumentException.class, () -> Int8Linear.pack(new byte[12], 3, 4, one, null, null, false));
        assertThrows(IllegalArgumentException.class, () -> Int8Linear.pack(new byte[0], 0, 4, one, in, null, false));
    }

    static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (rnd.nextInt(256) - 128);
        return b;
    }

    static float[] positive(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = 0.001f + rnd.nextFloat() * 0.02f;
        return v;
    }

    static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return v;
    }
}
