package dev.tersor.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TransformTest {
    private static float[] range(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = i + 1;
        return x;
    }

    @Test
    void normalizeIsPerChannel() {
        Tensor in = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 1, 2);   // N=2, C=2, 1x2
        Normalize t = new Normalize(new float[] {0.5f, 1f}, new float[] {0.5f, 2f});
        Tensor out = t.apply(in, new Generator(0));
        assertArrayEquals(new float[] {1, 3, 1, 1.5f, 9, 11, 3, 3.5f}, out.toArray(), 0f);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, in.toArray(), 0f);   // input untouched
        float[] odd = {0.3f, 0.7f};
        float[] got = new Normalize(new float[] {0.1307f}, new float[] {0.3081f}).apply(Tensor.fromArray(odd, 1, 1, 1, 2), null).toArray();
        assertEquals((0.3f - 0.1307f) / 0.3081f, got[0], 0f);   // one mean/std for every channel
        assertEquals((0.7f - 0.1307f) / 0.3081f, got[1], 0f);
    }

    @Test
    void normalizeValidates() {
        assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[] {0, 0}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[] {0}, new float[] {0}));
        assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[] {0}, new float[] {Float.NaN}));
        assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[0], new float[0]));
        Normalize three = new Normalize(new float[] {0, 0, 0}, new float[] {1, 1, 1});
        assertThrows(IllegalArgumentException.class, () -> three.outputShape(new int[] {1, 28, 28}));
        assertThrows(IllegalArgumentException.class, () -> three.apply(Tensor.zeros(2, 3), new Generator(0)));
        float[] mean = {0.5f};
        Normalize n = new Normalize(mean, new float[] {1});
        mean[0] = 9;   // copied in
        assertEquals(0.5f, n.mean()[0]);
        assertEquals(n, new Normalize(new float[] {0.5f}, new float[] {1}));
    }

    @Test
    void flipMirrorsRows() {
        Tensor in = Tensor.fromArray(range(12), 1, 2, 2, 3);
        float[] flipped = new RandomHorizontalFlip(1f).apply(in, new Generator(1)).toArray();
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10}, flipped, 0f);
        assertArrayEquals(range(12), new RandomHorizontalFlip(0f).apply(in, new Generator(1)).toArray(), 0f);
    }

    @Test
    void flipFollowsTheGenerator() {
        int n = 40;
        float[] x = range(n * 4);   // n samples of [1, 1, 4]
        float[] out = new float[x.length];
        new RandomHorizontalFlip(0.5f).apply(x, out, n, new int[] {1, 1, 4}, new Generator(99));
        Generator ref = new Generator(99);
        int flips = 0;
        for (int s = 0; s < n; s++) {
            boolean flip = ref.nextFloat() < 0.5f;
            flips += flip ? 1 : 0;
            float[] sample = Arrays.copyOfRange(out, 4 * s, 4 * s + 4);
            float b = 4 * s;
            assertArrayEquals(flip ? new float[] {b + 4, b + 3, b + 2, b + 1} : new float[] {b + 1, b + 2, b + 3, b + 4}, sample, 0f);
        }
        assertFalse(flips == 0 || flips == n);
        float[] inPlace = x.clone();   // in place gives the same
        new RandomHorizontalFlip(0.5f).apply(inPlace, inPlace, n, new int[] {1, 1, 4}, new Generator(99));
        assertArrayEquals(out, inPlace, 0f);
        assertThrows(IllegalArgumentException.class, () -> new RandomHorizontalFlip(1.5f));
    }

    @Test
    void cropPadsWithZeros() {
        Tensor in = Tensor.fromArray(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        // A 4x4 crop of the 4x4 padded image has one possible offset: it is the padded image.
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0},
                new RandomCrop(4, 1).apply(in, new Generator(5)).toArray(), 0f);
        assertArrayEquals(new float[] {1, 2, 3, 4}, new RandomCrop(2, 0).apply(in, new Generator(5)).toArray(), 0f);
    }

    /** The crop written out naively: pad, then cut at offsets drawn as documented. */
    private static float[] referenceCrop(float[] x, int n, int c, int h, int w, int size, int pad, Generator g) {
        float[] out = new float[n * c * size * size];
        for (int s = 0; s < n; s++) {
            int top = g.nextInt(h + 2 * pad - size + 1);
            int left = g.nextInt(w + 2 * pad - size + 1);
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < size; y++) {
                    for (int xx = 0; xx < size; xx++) {
                        int sy = y + top - pad;
                        int sx = xx + left - pad;
                        boolean inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
                        out[((s * c + ch) * size + y) * size + xx] = inside ? x[((s * c + ch) * h + sy) * w + sx] : 0;
                    }
                }
            }
        }
        return out;
    }

    @Test
    void cropIsSeededPerSample() {
        int n = 6, c = 2, h = 5, w = 4;
        float[] x = range(n * c * h * w);
        Tensor in = Tensor.fromArray(x, n, c, h, w);
        RandomCrop crop = new RandomCrop(4, 2);
        float[] a = crop.apply(in, new Generator(7)).toArray();
        assertArrayEquals(referenceCrop(x, n, c, h, w, 4, 2, new Generator(7)), a, 0f);
        assertArrayEquals(a, crop.apply(in, new Generator(7)).toArray(), 0f);   // reproducible
        assertFalse(Arrays.equals(a, crop.apply(in, new Generator(8)).toArray()));
        // Same shape in and out: in place gives the same as out of place.
        float[] square = range(n * c * 4 * 4);
        float[] expect = referenceCrop(square, n, c, 4, 4, 4, 3, new Generator(3));
        float[] inPlace = square.clone();
        new RandomCrop(4, 3).apply(inPlace, inPlace, n, new int[] {c, 4, 4}, new Generator(3));
        assertArrayEquals(expect, inPlace, 0f);
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(10, 2).outputShape(new int[] {1, 5, 5}));
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(0, 2));
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(3, -1));
    }
}
