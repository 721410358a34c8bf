package dev.tersor.tensor.lowbit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PackedBitsTest {

    @Test
    void wordsRoundUp() {
        assertEquals(0, PackedBits.words(0));
        assertEquals(1, PackedBits.words(1));
        assertEquals(1, PackedBits.words(64));
        assertEquals(2, PackedBits.words(65));
        assertEquals(3, PackedBits.words(130));
    }

    @Test
    void signConventionZeroIsPlusOneNanIsMinusOne() {
        float[] x = {0f, -0f, 1e-30f, -1e-30f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -2f};
        long[] bits = PackedBits.packRows(x, 0, 1, x.length);
        assertEquals(0b00100111L, bits[0]);
        assertArrayEquals(new float[] {1, 1, 1, -1, -1, 1, -1, -1}, PackedBits.unpackRows(bits, 0, 1, x.length));
    }

    @Test
    void rowsRoundTripWithZeroTailBits() {
        for (int cols : new int[] {1, 3, 63, 64, 65, 130}) {
            float[] x = Tensor.randn(new Generator(cols), 3, cols).toArray();
            long[] bits = PackedBits.packRows(x, 0, 3, cols);
            int words = PackedBits.words(cols);
            assertEquals(3 * words, bits.length);
            float[] back = PackedBits.unpackRows(bits, 0, 3, cols);
            for (int i = 0; i < x.length; i++) assertEquals(x[i] >= 0 ? 1f : -1f, back[i], "cols " + cols + " element " + i);
            if (cols % 64 != 0) {
                for (int r = 0; r < 3; r++) assertEquals(0L, bits[r * words + words - 1] >>> (cols % 64), "tail bits of row " + r);
            }
        }
    }

    @Test
    void channelsPackNhwcWithZeroBorder() {
        int n = 2, c = 65, h = 3, w = 5, pad = 1;
        float[] x = Tensor.randn(new Generator(7), n, c, h, w).toArray();
        long[] bits = PackedBits.packChannels(x, 0, n, c, h, w, pad, pad);
        int words = 2, hp = h + 2, wp = w + 2;
        assertEquals(n * hp * wp * words, bits.length);
        for (int img = 0; img < n; img++) {
            for (int y = 0; y < hp; y++) {
                for (int xx = 0; xx < wp; xx++) {
                    for (int ch = 0; ch < 128; ch++) {
                        long word = bits[((img * hp + y) * wp + xx) * words + (ch >>> 6)];
                        long bit = word >>> (ch & 63) & 1L;
                        boolean inside = y >= pad && y < h + pad && xx >= pad && xx < w + pad && ch < c;
                        long expected = inside && x[((img * c + ch) * h + y - pad) * w + xx - pad] >= 0 ? 1L : 0L;
                        assertEquals(expected, bit, "image " + img + " y " + y + " x " + xx + " channel " + ch);
                    }
                }
            }
        }
    }

    @Test
    void rejectsShortInput() {
        assertThrows(IllegalArgumentException.class, () -> PackedBits.packRows(new float[5], 0, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> PackedBits.words(-1));
    }
}
