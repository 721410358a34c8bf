package dev.tersor.nn.sr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.Sequential;
import dev.tersor.nn.zoo.Edsr;
import dev.tersor.nn.zoo.EdsrGhost;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.ScalarBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpscalerTest {

    /** A small EDSR (2 blocks, 8 features) with seeded weights. */
    static Edsr tiny(int scale, long seed) {
        Rng.manualSeed(seed);
        return new Edsr(scale, 2, 8, 1f, 255f);
    }

    private static Tensor image(long seed, int h, int w) {
        return Tensor.rand(new Generator(seed), 1, 3, h, w).mul(255f);
    }

    private static Tensor whole(Module m, Tensor x) {
        m.eval();
        try (var g = Tensor.noGrad()) {
            return m.call(x);
        }
    }

    @Test
    void receptiveRadiusCountsEveryConvolutionAndShift() {
        // tiny x2: head 1 + 2 blocks x 2 + body end 1 + upsampler 1 + tail 1 = 8; the 1x1 mean shifts add 0
        assertEquals(8, Upscaler.receptiveRadius(tiny(2, 1)));
        assertEquals(9, Upscaler.receptiveRadius(tiny(4, 1)));          // two upsampler convolutions
        assertEquals(36, Upscaler.receptiveRadius(new Edsr(2)));          // the baseline: 16 blocks, 36 3x3 convolutions
        // a ghost body conv is a 3x3 primary (1) plus a one-pixel shift (1)
        assertEquals(8 + 4, Upscaler.receptiveRadius(new EdsrGhost(2, 2, 8, 1f, 255f, 0.5)));
        Module dilated = new Sequential(new Conv2d(3, 3, 5, 5, Conv2dOptions.of(1, 4).withDilation(2), true));
        assertEquals(4, Upscaler.receptiveRadius(dilated));
        Module strided = new Sequential(new Conv2d(3, 3, 3, 2, 1));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Upscaler.receptiveRadius(strided)).getMessage().contains("stride 2x2"));
    }

    /**
     * On the reference backend every output element is the same sum in the same order wherever
     * it lies in the image, so tiles stitch to the whole image's output bit for bit.
     */
    @Test
    void tiledEqualsTheWholeImageBitForBitOnTheReferenceBackend() {
        Backend before = Backends.current();
        try {
            Backends.use(new ScalarBackend());
            for (int scale : new int[] {2, 3, 4}) {
                Edsr m = tiny(scale, 10 + scale);
                Tensor x = image(scale, 29, 37);
                float[] expected = whole(m, x).toArray();
                int r = Upscaler.receptiveRadius(m);
                for (int tile : new int[] {7, 16, 40}) {
                    Tensor y = new Upscaler(m, scale, tile, r).forward(x, null);
                    assertArrayEquals(new int[] {1, 3, 29 * scale, 37 * scale}, y.shape());
                    assertArrayEquals(expected, y.toArray(), "x" + scale + ", tile " + tile);
                }
                // the bound is tight for x2 and x3 (one HR convolution after the upsampler):
                // one pixel less of margin changes some pixels; x4's second upsampler conv runs at x2
                // and is over-counted by half a pixel, so there r - 1 still suffices
                float[] short1 = new Upscaler(m, scale, 7, r - 1).forward(x, null).toArray();
                assertEquals(scale != 4, !java.util.Arrays.equals(expected, short1), "x" + scale + ": margin " + (r - 1));
            }
        } finally {
            Backends.use(before);
        }
    }

    /**
     * The SIMD GEMM adds its last columns (n mod the vector length) with separate multiplies and
     * adds but the others with fused multiply-adds, so an element's rounding depends on where
     * it falls in a tile: tiles agree with the whole image to float rounding only.
     */
    @Test
    void tiledEqualsTheWholeImageToRoundingOnTheDefaultBackend() {
        Edsr m = tiny(2, 12);
        Tensor x = image(2, 29, 37);
        float[] expected = whole(m, x).toArray();
        float[] tiled = new Upscaler(m, 2, 7, Upscaler.receptiveRadius(m)).forward(x, null).toArray();
        double worst = 0;
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - tiled[i]));
        assertTrue(worst < 1e-3, "worst difference " + worst + " (values in [0, 255])");
    }

    @Test
    void aMarginBelowTheReceptiveFieldLeavesSeams() {
        Edsr m = tiny(2, 3);
        Tensor x = image(4, 24, 24);
        float[] expected = whole(m, x).toArray();
        float[] seams = new Upscaler(m, 2, 8, 2).forward(x, null).toArray();
        int differ = 0;
        for (int i = 0; i < expected.length; i++) if (expected[i] != seams[i]) differ++;
        assertTrue(differ > 0, "a margin of 2 < 8 must change pixels near tile edges");
    }

    @Test
    void upscaleQuantisesTheModelsOutputAsEdsrAndReportsTiles() {
        Edsr m = tiny(2, 5);
        Image lr = Fixtures.pattern(3, 13, 10, (c, y, x) -> 17 * c + 11 * y + 5 * x);
        float[] v = new float[lr.pixels().length];
        for (int i = 0; i < v.length; i++) v[i] = lr.pixels()[i] & 0xFF;
        float[] out = whole(m, Tensor.fromArray(v, 1, 3, 13, 10)).toArray();
        List<int[]> calls = new ArrayList<>();
        m.train();
        Image sr = new Upscaler(m, 2, 6, 8).upscale(lr, (done, total) -> calls.add(new int[] {done, total}));
        assertTrue(m.isTraining(), "the model's mode is restored");
        assertEquals(3, sr.channels());
        assertEquals(26, sr.height());
        assertEquals(20, sr.width());
        for (int i = 0; i < out.length; i++) {
            int want = out[i] <= 0 ? 0 : out[i] >= 255 ? 255 : (int) (out[i] + 0.5);
            assertEquals(want, sr.pixels()[i] & 0xFF, "pixel " + i);
        }
        assertEquals(6, calls.size());   // ceil(13/6) x ceil(10/6) = 3 x 2 tiles
        assertArrayEquals(new int[] {6, 6}, calls.get(5));
        assertArrayEquals(new int[] {1, 6}, calls.get(0));
    }

    @Test
    void quantizeRoundsHalfAwayFromZeroAndClamps() {
        Image q = Upscaler.quantize(Tensor.fromArray(new float[] {-3f, 0.49f, 0.5f, 127.5f, 254.6f, 300f, Float.NaN, 1.5f, 2.5f}, 1, 3, 3));
        assertArrayEquals(new byte[] {0, 0, 1, (byte) 128, (byte) 255, (byte) 255, 0, 2, 3}, q.pixels());
    }

    @Test
    void grayInputIsMadeRgb() {
        Edsr m = tiny(2, 6);
        Image gray = Fixtures.pattern(1, 9, 9, (c, y, x) -> 20 * y + x);
        Image sr = new Upscaler(m, 2, 96, 8).upscale(gray);
        assertEquals(new Upscaler(m, 2, 96, 8).upscale(gray.rgb()), sr);
    }

    @Test
    void badSettingsAreNamed() {
        Edsr m = tiny(2, 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Upscaler(m, 2, 0, 1)).getMessage().contains("tile"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Upscaler(m, 2, 8, -1)).getMessage().contains("margin"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Upscaler(m, 1, 8, 1)).getMessage().contains("scale"));
        // a model of another scale than the tiler's is caught on the first tile
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Upscaler(m, 3, 8, 1).forward(image(1, 9, 9), null));
        assertTrue(e.getMessage().contains("not a x3 image"), e.getMessage());
    }
}
