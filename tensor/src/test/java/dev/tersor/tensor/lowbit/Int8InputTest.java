package dev.tersor.tensor.lowbit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Quantization of the input: hand-computed values, and every kernel's loop against {@link Int8Input#quantize}. */
class Int8InputTest {

    @Test
    void quantizesWithTiesToEvenThenClamps() {
        Int8Input q = new Int8Input(0.5f, 3, 0, 255);
        assertEquals(5, q.quantize(1.25f));     // 2.5 → 2 (even), + 3
        assertEquals(7, q.quantize(1.75f));     // 3.5 → 4, + 3
        assertEquals(3, q.quantize(-0.25f));    // -0.5 → -0.0 (even), + 3
        assertEquals(0, q.quantize(-10f));      // -20 + 3 clamps to 0
        assertEquals(255, q.quantize(1000f));
        assertEquals(255, q.quantize(Float.POSITIVE_INFINITY));
        assertEquals(0, q.quantize(Float.NEGATIVE_INFINITY));
        assertEquals(0, q.quantize(Float.NaN)); // (int) NaN
        Int8Input s = Int8Input.int8(0.1f, -5);
        assertEquals(-128, s.quantize(-100f));
        assertEquals(-5 + 10, s.quantize(1f));  // 1 · (1/0.1f) = 10.0 in float
    }

    @Test
    void rejectsBadSettingsNamingThem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Int8Input(0f, 0, 0, 255)).getMessage().contains("scale"));
        assertThrows(IllegalArgumentException.class, () -> new Int8Input(Float.NaN, 0, 0, 255));
        assertThrows(IllegalArgumentException.class, () -> new Int8Input(Float.POSITIVE_INFINITY, 0, 0, 255));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Int8Input(1f, 0, -128, 128)).getMessage().contains("range"));
        assertThrows(IllegalArgumentException.class, () -> new Int8Input(1f, 0, -256, -1));
        assertThrows(IllegalArgumentException.class, () -> new Int8Input(1f, 0, 5, 4));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Int8Input(1f, 9, 10, 20)).getMessage().contains("zero point"));
        assertEquals(255, new Int8Input(1f, -255, -255, 0).qmax() + 255);
    }

    @Test
    void everyKernelQuantizesAsTheRecord() {
        float[] special = {0f, -0f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 127.5f, -128.5f, 254.5f, 255.5f, Float.NaN,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE,
            4194303.5f, 4194304f, 4194305f, -4194304.5f, 8388607f, 8388608f, 12582912f, -12582912f, 16777216f, 1e30f, -1e30f};
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            assertEquals(2, Int8Kernels.available().size(), "the Vector API kernel loads where the module is present");
        }
        Random rnd = new Random(5);
        Int8Input[] inputs = {new Int8Input(1f, 0, -128, 127), new Int8Input(0.5f, 3, 0, 255), new Int8Input(0.037f, -7, -200, 55),
            new Int8Input(1e-30f, 0, -255, 0), new Int8Input(3.7e20f, 100, 0, 255)};
        for (Int8Kernel kernel : Int8Kernels.available()) {
            for (Int8Input in : inputs) {
                for (int n : new int[] {1, 7, 15, 16, 17, 33, 1003}) {
                    float[] x = new float[n + 3];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = rnd.nextInt(3) == 0 ? special[rnd.nextInt(special.length)]
                                : (float) (rnd.nextGaussian() * 200 * in.scale()) + (rnd.nextBoolean() ? 0.5f * in.scale() : 0f);
                    }
                    int[] d = new int[n + 5];
                    kernel.quantize(x, 2, n, in, d, 1);
                    for (int i = 0; i < n; i++) {
                        assertEquals(in.quantize(x[2 + i]) - in.zeroPoint(), d[1 + i], kernel.name() + " " + in + " x=" + x[2 + i]);
                    }
                    assertEquals(0, d[0]);
                    assertEquals(0, d[n + 1]);
                }
            }
        }
    }
}
