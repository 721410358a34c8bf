package dev.tersor.nn.sr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Rng;
import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Meta-SR's meta-upscale: the position grid against a transcription of the official
 * {@code input_matrix_wpn} loop, the output against a per-position reference, finite-difference
 * gradients of the projection, and bad scales.
 */
class MetaUpscaleTest {

    /**
     * The official loop over output rows (trainer.py, {@code input_matrix_wpn}): for each output
     * row i, the projected coordinate {@code i·(1/s)} in float32, its floor, and the slot
     * ({@code flag}) within its LR pixel; returns {offset, source, slot} per row.
     */
    private static float[][] official(int in, double scale) {
        int out = (int) (scale * in);
        float inv = (float) (1.0 / scale);
        float[][] rows = new float[out][];
        int flag = 0, number = 0;
        for (int i = 0; i < out; i++) {
            float p = i * inv;
            int src = (int) Math.floor(p);
            int slot;
            if (src == number) {
                slot = flag++;
            } else {
                slot = 0;
                number++;
                flag = 1;
            }
            rows[i] = new float[] {p - src, src, slot};
        }
        return rows;
    }

    @Test
    void axisMatchesTheOfficialGrid() {
        for (double s : new double[] {1.1, 1.5, 2, 2.5, 3, 3.7, 4}) {
            for (int in : new int[] {1, 3, 7, 10}) {
                MetaUpscale.Axis a = MetaUpscale.Axis.of(in, s);
                float[][] ref = official(in, s);
                assertEquals(ref.length, a.out(), "out size at s=" + s + ", in=" + in);
                assertEquals((int) Math.floor(s * in), a.out());
                for (int i = 0; i < a.out(); i++) {
                    assertEquals((int) ref[i][1], a.source()[i], "source of " + i);
                    assertEquals(ref[i][0], a.classOffset(a.cls()[i]), "offset of " + i);
                    assertTrue(ref[i][2] < Math.ceil(s), "slot within ceil(s)");
                }
            }
        }
        MetaUpscale.Axis two = MetaUpscale.Axis.of(3, 2);
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, two.source());
        assertArrayEquals(new float[] {0f, 0.5f}, two.offsets());
        MetaUpscale.Axis half = MetaUpscale.Axis.of(4, 1.5);     // 6 rows: 0, 2/3, 4/3, 2, 8/3, 10/3
        assertArrayEquals(new int[] {0, 0, 1, 2, 2, 3}, half.source());
        // in float32 4·(1/1.5) − 2 and 1·(1/1.5) differ in their last bit, as 5·(1/1.5) − 3 and 2·(1/1.5) − 1 do: 5 distinct offsets, not 3
        assertEquals(5, half.classes());
        assertEquals(0f, half.classOffset(half.cls()[3]), "3·(1/1.5) is exactly 2");
        assertEquals(11, MetaUpscale.Axis.of(3, 3.7).out(), "int(3.7 x 3) = 11");
    }

    /** A window's axis is the whole axis's slice: the same offsets (from the global index), sources counted from the window's start. */
    @Test
    void aWindowKeepsTheWholeAxisCoordinates() {
        for (double s : new double[] {1.5, 2.5, 3.3}) {
            MetaUpscale.Axis whole = MetaUpscale.Axis.of(20, s);
            int from = whole.out() / 3, to = 2 * whole.out() / 3, start = whole.source()[from] - 2;
            int length = whole.source()[to - 1] + 3 - start;
            MetaUpscale.Axis part = MetaUpscale.Axis.window(new WindowedModel.Span(20, start, from, to), s, length);
            assertEquals(to - from, part.out());
            assertEquals(length, part.in());
            for (int n = 0; n < part.out(); n++) {
                assertEquals(whole.source()[from + n] - start, part.source()[n], "x" + s + " source of " + (from + n));
                assertEquals(whole.classOffset(whole.cls()[from + n]), part.classOffset(part.cls()[n]), "x" + s + " offset of " + (from + n));
            }
            assertTrue(part.classes() <= part.out());
        }
        // output 4 at x1.5 is made around input 2, which a window of inputs 3.. does not hold
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetaUpscale.Axis.window(new WindowedModel.Span(10, 3, 4, 8), 1.5, 5));
        assertTrue(e.getMessage().contains("output pixel 4 reads input pixel 2, outside the window 3..8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MetaUpscale.Axis.window(new WindowedModel.Span(10, 0, 4, 16), 1.5, 10));
        assertTrue(e.getMessage().contains("output 4..16 of 15"), e.getMessage());
    }

    /** The output computed per output position: the MLP on (1/s, R_i, R_j) of that position, then the 3×3 sum. */
    @Test
    void outputEqualsThePerPositionDefinition() {
        Rng.manualSeed(1);
        MetaUpscale up = new MetaUpscale(2, 3);
        Tensor f = Tensor.randn(new Generator(2), 2, 2, 3, 4);
        for (double s : new double[] {2, 1.5, 2.5}) {
            MetaUpscale.Axis rows = MetaUpscale.Axis.of(3, s), cols = MetaUpscale.Axis.of(4, s);
            int oh = rows.out(), ow = cols.out();
            float inv = (float) (1.0 / s);
            float[] pos = new float[oh * ow * 3];
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    pos[(i * ow + j) * 3] = inv;
                    pos[(i * ow + j) * 3 + 1] = rows.classOffset(rows.cls()[i]);
                    pos[(i * ow + j) * 3 + 2] = cols.classOffset(cols.cls()[j]);
                }
            }
            float[] y, w;
            try (var g = Tensor.noGrad()) {
                w = up.get("meta_block").call(Tensor.fromArray(pos, oh * ow, 3)).toArray();   // [oh·ow, 2·9·3]
                y = up.forward(f, s).toArray();
            }
            float[] fv = f.toArray();
            for (int n = 0; n < 2; n++) {
                for (int o = 0; o < 3; o++) {
                    for (int i = 0; i < oh; i++) {
                        for (int j = 0; j < ow; j++) {
                            double acc = 0;
                            for (int c = 0; c < 2; c++) {
                                for (int a = 0; a < 3; a++) {
                                    for (int b = 0; b < 3; b++) {
                                        int yy = rows.source()[i] + a - 1, xx = cols.source()[j] + b - 1;
                                        if (yy < 0 || yy >= 3 || xx < 0 || xx >= 4) continue;
                                        acc += fv[((n * 2 + c) * 3 + yy) * 4 + xx] * w[(i * ow + j) * 54 + ((c * 3 + a) * 3 + b) * 3 + o];
                                    }
                                }
                            }
                            assertEquals(acc, y[((n * 3 + o) * oh + i) * ow + j], 1e-4, "s=" + s + " n" + n + " o" + o + " (" + i + "," + j + ")");
                        }
                    }
                }
            }
        }
    }

    @Test
    void projectionGradientsMatchFiniteDifferences() {
        for (double s : new double[] {2, 1.5, 3.3}) {
            MetaUpscale.Axis rows = MetaUpscale.Axis.of(3, s), cols = MetaUpscale.Axis.of(2, s);
            int q = rows.classes() * cols.classes();
            Tensor f = Tensor.randn(new Generator(3), 2, 2, 3, 2).requiresGrad(true);
            Tensor w = Tensor.randn(new Generator(4), q, 2 * 9 * 3).requiresGrad(true);
            GradCheck.check(in -> new MetaProjection(rows, cols, 3).apply(in[0], in[1]), 1e-2, 2e-3, 2e-3, f, w);
        }
    }

    @Test
    void gradientsReachThePos2WeightMlp() {
        Rng.manualSeed(5);
        MetaUpscale up = new MetaUpscale(2, 1);
        Tensor f = Tensor.randn(new Generator(6), 1, 2, 2, 3).requiresGrad(true);
        GradCheck.check(in -> up.forward(in[0], 2.5), 1e-2, 2e-3, 2e-2, f);
        up.forward(f, 2.5).sum().backward();
        assertTrue(up.parameters().stream().allMatch(p -> p.grad() != null), "every MLP parameter gets a gradient");
    }

    @Test
    void badScalesAndShapesAreNamed() {
        Rng.manualSeed(7);
        MetaUpscale up = new MetaUpscale(4);
        Tensor f = Tensor.zeros(1, 4, 3, 3);
        for (double s : new double[] {1, 0.5, 4.01, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> up.forward(f, s));
            assertTrue(e.getMessage().contains("(1, 4.0]") && e.getMessage().contains(String.valueOf(s)), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> up.setScale(5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> up.forward(Tensor.zeros(1, 3, 3, 3), 2));
        assertTrue(e.getMessage().contains("[N, 4, h, w]"), e.getMessage());
        up.setScale(1.25);
        assertEquals(1.25, up.scale());
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(new int[] {1, 3, 3, 3}, up.call(f).shape(), "int(1.25 x 3) = 3");
        }
        assertEquals(java.util.Set.of("meta_block.0.weight", "meta_block.0.bias", "meta_block.2.weight", "meta_block.2.bias"),
                up.stateDict().keySet());
        assertArrayEquals(new int[] {4 * 9 * 3, 256}, up.stateDict().get("meta_block.2.weight").shape());
    }
}
