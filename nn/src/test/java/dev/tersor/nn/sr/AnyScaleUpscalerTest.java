package dev.tersor.nn.sr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Rng;
import dev.tersor.nn.zoo.MetaEdsr;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.ScalarBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tiles at non-integer scales: the stitched output against one pass over the whole image. */
class AnyScaleUpscalerTest {
    private static final int H = 23, W = 29;

    /** A small Meta-EDSR (1 block, 4 features) with seeded weights: receptive radius 1 + 2 + 1 + 1 (meta read) = 5. */
    static MetaEdsr tiny(long seed) {
        Rng.manualSeed(seed);
        return new MetaEdsr(2, 1, 4, 1f, 255f);
    }

    private static Tensor image(long seed, int h, int w) {
        return Tensor.rand(new Generator(seed), 1, 3, h, w).mul(255f);
    }

    private static Tensor whole(MetaEdsr m, Tensor x, double s) {
        m.eval();
        try (var g = Tensor.noGrad()) {
            return m.forward(x, s);
        }
    }

    /**
     * On the reference backend a tile's features are the whole image's (same sums in the same
     * order) and its block reads them with the whole image's coordinates: bit for bit, for tiles
     * of 7 (4 × 5 = 20 tiles) and 10, at three non-integer scales; one pixel less of margin breaks it.
     */
    @Test
    void tiledEqualsTheWholeImageBitForBitOnTheReferenceBackend() {
        Backend before = Backends.current();
        try {
            Backends.use(new ScalarBackend());
            MetaEdsr m = tiny(3);
            int r = Upscaler.receptiveRadius(m);
            assertEquals(5, r);
            Tensor x = image(7, H, W);
            for (double s : new double[] {1.5, 2.5, 3.3}) {
                float[] expected = whole(m, x, s).toArray();
                for (int tile : new int[] {7, 10}) {
                    Tensor y = new AnyScaleUpscaler(m, s, tile, r).forward(x, null);
                    assertArrayEquals(new int[] {1, 3, (int) Math.floor(s * H), (int) Math.floor(s * W)}, y.shape(), "x" + s);
                    assertArrayEquals(expected, y.toArray(), "x" + s + ", tile " + tile);
                }
                float[] short1 = new AnyScaleUpscaler(m, s, 7, r - 1).forward(x, null).toArray();
                assertFalse(Arrays.equals(expected, short1), "x" + s + ": a margin of " + (r - 1) + " must leave seams");
            }
            // the quantised image equals AnyScaleEvaluation's one pass
            Image lr = Upscaler.quantize(x.reshape(3, H, W));
            assertEquals(AnyScaleEvaluation.upscale(m, lr, 2.5), new AnyScaleUpscaler(m, 2.5, 6, r).upscale(lr, null));
        } finally {
            Backends.use(before);
        }
    }

    /** The default backend's GEMM rounds by column position within a tile (see UpscalerTest): equal to float rounding. */
    @Test
    void tiledEqualsTheWholeImageToRoundingOnTheDefaultBackend() {
        MetaEdsr m = tiny(4);
        Tensor x = image(8, H, W);
        for (double s : new double[] {1.5, 2.5, 3.3}) {
            float[] expected = whole(m, x, s).toArray();
            float[] tiled = AnyScaleUpscaler.of(m, s).forward(x, null).toArray();   // one tile: 96 > 29
            float[] small = new AnyScaleUpscaler(m, s, 7, Upscaler.receptiveRadius(m)).forward(x, null).toArray();
            double worst = 0;
            for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.max(Math.abs(expected[i] - tiled[i]), Math.abs(expected[i] - small[i])));
            assertTrue(worst < 1e-3, "x" + s + ": worst difference " + worst + " (values in [0, 255])");
        }
    }

    /**
     * At ×1.2 a 4-pixel axis has 4 outputs made around LR pixels 0, 0, 1, 2: LR pixel 3 owns none,
     * so with tiles of 1 the tiles of its row and column are not run, and the rest still covers the output.
     */
    @Test
    void tilesOwnTheOutputPixelsWhoseSourceTheyHold() {
        MetaEdsr m = tiny(5);
        assertArrayEquals(new int[] {0, 0, 1, 2}, m.sources(4, 1.2));
        assertEquals(0, AnyScaleUpscaler.owned(new int[] {0, 0, 1, 2}, 0));
        assertEquals(2, AnyScaleUpscaler.owned(new int[] {0, 0, 1, 2}, 1));
        assertEquals(4, AnyScaleUpscaler.owned(new int[] {0, 0, 1, 2}, 3));
        Backend before = Backends.current();
        try {
            Backends.use(new ScalarBackend());
            Tensor x = image(9, 4, 4);
            List<int[]> calls = new ArrayList<>();
            Tensor y = new AnyScaleUpscaler(m, 1.2, 1, 5).forward(x, (done, total) -> calls.add(new int[] {done, total}));
            assertArrayEquals(whole(m, x, 1.2).toArray(), y.toArray());
            assertEquals(16, calls.size(), "progress counts every tile, run or not");
            assertArrayEquals(new int[] {16, 16}, calls.get(15));
        } finally {
            Backends.use(before);
        }
    }

    @Test
    void theModelsModeIsRestoredAndBadSettingsAreNamed() {
        MetaEdsr m = tiny(6);
        m.train();
        new AnyScaleUpscaler(m, 2.5, 8, 5).forward(image(1, 9, 9), null);
        assertTrue(m.isTraining());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AnyScaleUpscaler(m, 1, 8, 5)).getMessage().contains("scale"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AnyScaleUpscaler(m, Double.NaN, 8, 5)).getMessage().contains("NaN"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AnyScaleUpscaler(m, 2.5, 0, 5)).getMessage().contains("tile"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AnyScaleUpscaler(m, 2.5, 8, -1)).getMessage().contains("margin"));
        // Meta-SR's own range is checked by the model, on the first tile
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AnyScaleUpscaler(m, 4.5, 8, 5).forward(image(1, 9, 9), null));
        assertTrue(e.getMessage().contains("(1, 4.0], got 4.5"), e.getMessage());
    }
}
