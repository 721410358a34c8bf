package dev.tersor.nn.sr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.sr.Metrics.Space;
import org.junit.jupiter.api.Test;

class MetricsTest {
    /** Every value of expected.txt (NumPy, generate.py) on its committed images. */
    @Test
    void matchesTheNumPyReference() {
        int checked = 0;
        for (String[] l : Fixtures.expected()) {
            String name = l[1];
            int s = Integer.parseInt(l[2]);
            Space space = Space.valueOf(l[3]);
            double want = Double.parseDouble(l[4]);
            Image sr = Fixtures.image("sr_" + name + "_x" + s + ".png");
            Image hr = Fixtures.image("hr_" + name + "_x" + s + ".png");
            double got = l[0].equals("psnr") ? Metrics.psnr(sr, hr, s, space) : Metrics.ssim(sr, hr, s, space);
            assertEquals(want, got, 1e-10 * Math.abs(want), String.join(" ", l));
            checked++;
        }
        assertEquals(16, checked);
    }

    @Test
    void theBaselinesOfTheReferenceAreTheJavaBicubic() {
        Image in = Fixtures.image("in_astronaut.png");
        Image hr = in.modcrop(3);
        assertEquals(Fixtures.image("hr_astronaut_x3.png"), hr);
        assertEquals(Fixtures.image("sr_astronaut_x3.png"), Bicubic.upscale(Bicubic.downscale(hr, 3), 3));
    }

    @Test
    void psnrByHand() {
        // Gray 8x8, scale 2: shave 2 -> the 4x4 centre. One centre pixel off by 16: MSE = 256/16 = 16,
        // PSNR = 10 log10(65025 / 16) = 36.0897...; a difference in the shaved border does not count.
        Image hr = Fixtures.pattern(1, 8, 8, (c, y, x) -> 100);
        Image sr = Fixtures.pattern(1, 8, 8, (c, y, x) -> y == 3 && x == 4 ? 116 : (y == 0 ? 0 : 100));
        assertEquals(10 * Math.log10(65025.0 / 16), Metrics.psnr(sr, hr, 2), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, Metrics.psnr(hr, hr, 2));
        // RGB on Y: a red difference of 51 (0.2) is a Y difference of 65.481 * 0.2 = 13.0962.
        Image a = Fixtures.pattern(3, 6, 6, (c, y, x) -> 50);
        Image b = Fixtures.pattern(3, 6, 6, (c, y, x) -> c == 0 && y == 2 && x == 2 ? 101 : 50);
        double mseY = 13.0962 * 13.0962 / 4;   // scale 2 on 6x6 leaves 2x2
        assertEquals(10 * Math.log10(65025 / mseY), Metrics.psnr(b, a, 2, Space.Y), 1e-9);
        double mseRgb = 51.0 * 51 / 12;
        assertEquals(10 * Math.log10(65025 / mseRgb), Metrics.psnr(b, a, 2, Space.RGB), 1e-12);
    }

    @Test
    void modcropsBothImagesAndShavesCeilOfTheScale() {
        // HR 11x10 at scale 2 is scored as its 10x10 part; an SR output of 10x10 matches it.
        Image hr = Fixtures.pattern(1, 11, 10, (c, y, x) -> 3 * x + 7 * y);
        Image sr = hr.crop(0, 0, 10, 10);
        assertEquals(Double.POSITIVE_INFINITY, Metrics.psnr(sr, hr, 2));
        // Scale 2.5 shaves 3 and crops to multiples of 3: a 12x12 image is scored on its 6x6 centre.
        Image flat = Fixtures.pattern(1, 12, 12, (c, y, x) -> 0);
        Image off = Fixtures.pattern(1, 12, 12, (c, y, x) -> y == 3 && x == 3 ? 60 : (y == 2 ? 9 : 0));
        assertEquals(10 * Math.log10(65025.0 / (3600.0 / 36)), Metrics.psnr(off, flat, 2.5), 1e-12);
    }

    @Test
    void ssimIsOneOnEqualImagesAndBelowOnNoise() {
        Image hr = Fixtures.image("hr_astronaut_x2.png");
        assertEquals(1.0, Metrics.ssim(hr, hr, 2), 1e-15);
        Image shifted = Fixtures.pattern(3, hr.height(), hr.width(), (c, y, x) -> hr.get(c, y, Math.max(0, x - 1)));
        assertTrue(Metrics.ssim(shifted, hr, 2) < 0.95);
    }

    @Test
    void ssimOfAConstantOffsetByHand() {
        // x = 0, y = d everywhere: every window has mu_x = 0, mu_y = d, no variance, so
        // ssim = (0 + C1)(0 + C2) / ((d^2 + C1)(0 + C2)) = C1 / (d^2 + C1), C1 = 6.5025.
        Image x = Fixtures.pattern(1, 16, 16, (c, yy, xx) -> 0);
        Image y = Fixtures.pattern(1, 16, 16, (c, yy, xx) -> 10);
        assertEquals(6.5025 / (100 + 6.5025), Metrics.ssim(y, x, 1), 1e-12);
    }

    @Test
    void gaussianWindowSumsToOne() {
        double[] g = Metrics.gaussian();
        double sum = 0;
        for (double v : g) sum += v;
        assertEquals(1.0, sum, 1e-15);
        assertEquals(Math.exp(-25 / 4.5) / Math.exp(0), g[0] / g[5], 1e-15);
    }

    @Test
    void mismatchedOrTinyImagesAreRejectedWithTheirSizes() {
        Image a = Fixtures.pattern(3, 20, 20, (c, y, x) -> x);
        Image b = Fixtures.pattern(3, 22, 20, (c, y, x) -> x);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Metrics.psnr(a, b, 2));
        assertTrue(e.getMessage().contains("SR image 3x20x20 and HR image 3x20x22"), e.getMessage());
        assertTrue(e.getMessage().contains("20x20 and 20x22"), e.getMessage());
        Image small = Fixtures.pattern(1, 14, 14, (c, y, x) -> x);
        e = assertThrows(IllegalArgumentException.class, () -> Metrics.ssim(small, small, 2));
        assertTrue(e.getMessage().contains("SSIM needs at least 11x11 pixels after shaving 2 off each side"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Metrics.psnr(small, small, 0.5));
        Image gray = Fixtures.pattern(1, 20, 20, (c, y, x) -> x);
        assertThrows(IllegalArgumentException.class, () -> Metrics.psnr(gray, a, 2));
    }
}
