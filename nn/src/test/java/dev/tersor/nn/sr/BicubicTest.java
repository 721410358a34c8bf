package dev.tersor.nn.sr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BicubicTest {
    private static int[] row(Image img) {
        int[] v = new int[img.width()];
        for (int x = 0; x < v.length; x++) v[x] = img.get(0, 0, x);
        return v;
    }

    @Test
    void keysKernelAtQuarterPoints() {
        // Worked by hand from 1.5|t|^3 - 2.5|t|^2 + 1 and -0.5|t|^3 + 2.5|t|^2 - 4|t| + 2.
        assertEquals(1.0, Taps.cubic(0), 0);
        assertEquals(0.8671875, Taps.cubic(0.25), 0);
        assertEquals(0.2265625, Taps.cubic(-0.75), 0);
        assertEquals(0.0, Taps.cubic(1), 0);
        assertEquals(-0.0703125, Taps.cubic(1.25), 0);
        assertEquals(-0.0234375, Taps.cubic(1.75), 0);
        assertEquals(0.0, Taps.cubic(2.5), 0);
    }

    @Test
    void downscaleByTwoTapsAreTheStretchedKernel() {
        // Output pixel 1 (1-based) of a x2 downscale sits at u = 1.5: taps j = -3..6 at distances
        // 4.5 .. -4.5, weights cubic(t/2)/2 (they already sum to 1), indices reflected [1..8, 8..1].
        Taps t = Taps.of(8, 0.5, 0, 1);
        assertEquals(10, t.taps);
        assertArrayEquals(new double[] {0, -0.01171875, -0.03515625, 0.11328125, 0.43359375, 0.43359375, 0.11328125,
                -0.03515625, -0.01171875, 0}, t.weight, 0);
        assertArrayEquals(new int[] {3, 2, 1, 0, 0, 1, 2, 3, 4, 5}, t.index);
    }

    @Test
    void reflectionRepeatsTheEdgePixel() {
        int[] got = new int[12];
        for (int i = 0; i < 12; i++) got[i] = Taps.reflect(i - 4, 3);
        assertArrayEquals(new int[] {2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1}, got);
    }

    @Test
    void downscaleOfARampByHand() {
        // Row 10, 20, ..., 80. Output x (1-based) is the ramp at u = 2x - 0.5 (15, 35, 55, 75) plus the
        // reflection's error: 15 - 0.5078125 = 14.49 -> 14; 35 - 0.1171875 -> 35; 55 + 0.1171875 -> 55;
        // 75 + 0.5078125 -> 76. The one row stays one row (its taps all read row 0, weights sum to 1).
        Image ramp = Fixtures.pattern(1, 1, 8, (c, y, x) -> 10 * (x + 1));
        Image down = Bicubic.downscale(ramp, 2);
        assertEquals(1, down.height());
        assertArrayEquals(new int[] {14, 35, 55, 76}, row(down));
    }

    @Test
    void upscaleOfAStepByHand() {
        // x2 upscale: u = x/2 + 0.25, taps at distances t = u - j weighted cubic(t): 0.25 -> 0.8671875,
        // 0.75 -> 0.2265625, 1.25 -> -0.0703125, 1.75 -> -0.0234375. Row 0, 0, 100, 100, reflected
        // (pixel 5 = pixel 4, pixel 6 = pixel 3). Out 4 (u = 2.25): 100 (0.2265625 - 0.0234375) = 20.31 -> 20;
        // out 5: 100 (0.8671875 - 0.0703125) = 79.69 -> 80; out 6 (u = 3.25): 100 (0.8671875 + 0.2265625
        // - 0.0234375) = 107.03 -> 107 (bicubic rings); out 7 (u = 3.75): 100 (0.2265625 + 0.8671875
        // - 0.0703125) = 102.34 -> 102; out 8: 100; outs 1-3 are <= 0 and clamp to 0.
        Image step = Fixtures.pattern(1, 1, 4, (c, y, x) -> x < 2 ? 0 : 100);
        Image up = Bicubic.upscale(step, 2);
        assertEquals(8, up.width());
        assertArrayEquals(new int[] {0, 0, 0, 20, 80, 107, 102, 100}, row(up));
    }

    @Test
    void constantImagesStayConstant() {
        Image flat = Fixtures.pattern(3, 13, 11, (c, y, x) -> 77 + c);
        for (Image out : new Image[] {Bicubic.downscale(flat, 3), Bicubic.upscale(flat, 3), Bicubic.resize(flat, 5, 17)}) {
            for (int c = 0; c < 3; c++) assertEquals(77 + c, out.get(c, out.height() - 1, out.width() - 1));
        }
    }

    @Test
    void sizesAreCeilOfTheScale() {
        Image img = Fixtures.pattern(1, 37, 30, (c, y, x) -> x * y);
        Image d3 = Bicubic.downscale(img, 3);
        assertEquals(13, d3.height());
        assertEquals(10, d3.width());
        Image u4 = Bicubic.upscale(img, 4);
        assertEquals(148, u4.height());
        assertEquals(120, u4.width());
        Image d15 = Bicubic.downscale(img, 1.5);
        assertEquals(25, d15.height());
        assertEquals(20, d15.width());
    }

    /** Every resize of generate.py, byte for byte. */
    @Test
    void matchesTheNumPyReference() {
        String[][] cases = {
            {"astronaut", "down", "2"}, {"astronaut", "down", "3"}, {"astronaut", "down", "4"},
            {"astronaut", "up", "2"}, {"astronaut", "up", "3"},
            {"patch", "down", "2"}, {"patch", "down", "3"}, {"patch", "up", "4"}, {"patch", "size", "17x9"},
            {"camera", "down", "2"}, {"camera", "down", "3"}, {"camera", "up", "2"},
        };
        for (String[] c : cases) {
            Image in = Fixtures.image("in_" + c[0] + ".png");
            Image want = Fixtures.image("out_" + c[0] + "_" + c[1] + c[2] + ".png");
            Image got = switch (c[1]) {
                case "down" -> Bicubic.downscale(in, Integer.parseInt(c[2]));
                case "up" -> Bicubic.upscale(in, Integer.parseInt(c[2]));
                default -> Bicubic.resize(in, Integer.parseInt(c[2].split("x")[0]), Integer.parseInt(c[2].split("x")[1]));
            };
            assertEquals(want.toString(), got.toString(), String.join(" ", c));
            int diff = 0;
            for (int i = 0; i < want.pixels().length; i++) diff += want.pixels()[i] != got.pixels()[i] ? 1 : 0;
            assertEquals(0, diff, String.join(" ", c) + ": pixels differing from NumPy");
        }
    }

    @Test
    void aWindowOfTheDownscaleIsTheSameAsCroppingIt() {
        Image in = Fixtures.image("in_astronaut.png");
        for (int s : new int[] {2, 3, 4}) {
            Image full = Bicubic.downscale(in, s);
            for (int[] w : new int[][] {{0, 0, 5, 6}, {3, 2, 4, 4}, {full.height() - 3, full.width() - 4, 3, 4}}) {
                assertEquals(full.crop(w[0], w[1], w[2], w[3]), Bicubic.downscale(in, s, w[0], w[1], w[2], w[3]), "x" + s);
            }
        }
        Image wide = Fixtures.image("in_patch.png");   // width shrinks more than height: width first
        Image r = Bicubic.resize(wide, 30, 9);
        assertTrue(r.height() == 30 && r.width() == 9);
    }

    @Test
    void badFactorsAndWindowsAreRejected() {
        Image img = Fixtures.pattern(3, 8, 8, (c, y, x) -> x);
        for (double s : new double[] {1, 0.5, 0, -2, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Bicubic.downscale(img, s));
            assertTrue(e.getMessage().contains("factor must be a finite number > 1, got " + s), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Bicubic.upscale(img, s));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Bicubic.downscale(img, 2, 2, 0, 3, 3));
        assertTrue(e.getMessage().contains("window 3x3 at (x 0, y 2) does not fit in the 4x4 resize of a 8x8 image"), e.getMessage());
    }
}
