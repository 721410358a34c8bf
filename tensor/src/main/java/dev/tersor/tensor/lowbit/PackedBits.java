package dev.tersor.tensor.lowbit;

/**
 * Packs the signs of float values into 64-bit words: bit {@code b} of word {@code j} of a row is
 * 1 for {@code x[64·j + b] >= 0} (+1) and 0 for {@code x < 0} (−1). Zero counts as +1 (the
 * binarization {@code x >= 0 ? +1 : −1} of the binary layers); NaN packs as −1.
 *
 * <p>Each row is padded to whole words. The padding bits are 0 in every operand, so they agree
 * between activations and weights: {@code popcount(a XOR w)} never counts them, and
 * {@code dot = cols − 2·popcount(a XOR w)} with the true {@code cols} is exact.
 *
 * <pre>
 * rows      x [rows, cols] (row-major)         → bits [rows, words(cols)]
 * channels  x [N, C, H, W] (NCHW) with padding → bits [N, H + 2·padH, W + 2·padW, words(C)] (NHWC)
 * </pre>
 * In the channel packing the padded border pixels are all-zero words (−1 in every channel);
 * {@link XnorConv2d} corrects for them so that padding contributes 0, as zero padding of the
 * ±1 tensor does in the float convolution.
 */
public final class PackedBits {
    private PackedBits() {
    }

    /** Words needed for {@code bits} bits: {@code ⌈bits / 64⌉}. */
    public static int words(int bits) {
        if (bits < 0) throw new IllegalArgumentException("PackedBits: bit count must be >= 0, got " + bits);
        return (bits + 63) >>> 6;
    }

    /** The sign bit of one value: 1 for {@code x >= 0}, else 0. */
    public static long bit(float x) {
        return x >= 0f ? 1L : 0L;
    }

    /** Packs {@code x[off .. off + rows·cols)} as rows of {@code cols} signs: [rows, words(cols)]. */
    public static long[] packRows(float[] x, int off, int rows, int cols) {
        long[] dst = new long[Math.multiplyExact(rows, words(cols))];
        packRows(x, off, rows, cols, dst, 0);
        return dst;
    }

    /** {@link #packRows(float[], int, int, int)} into {@code dst} from {@code dstOff} (overwritten). */
    public static void packRows(float[] x, int off, int rows, int cols, long[] dst, int dstOff) {
        checkRange("packRows", x.length, off, (long) rows * cols);
        int words = words(cols);
        for (int r = 0; r < rows; r++) {
            int src = off + r * cols;
            int d = dstOff + r * words;
            for (int j = 0; j < words; j++) {
                int c0 = j << 6, n = Math.min(64, cols - c0);
                long word = 0;
                for (int b = 0; b < n; b++) word |= bit(x[src + c0 + b]) << b;
                dst[d + j] = word;
            }
        }
    }

    /** The ±1 values of packed rows (tests and debugging): [rows, cols]. */
    public static float[] unpackRows(long[] bits, int off, int rows, int cols) {
        int words = words(cols);
        float[] out = new float[Math.multiplyExact(rows, cols)];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = (bits[off + r * words + (c >>> 6)] >>> (c & 63) & 1L) != 0 ? 1f : -1f;
            }
        }
        return out;
    }

    /**
     * Packs an NCHW batch into padded NHWC words: bit {@code c % 64} of word
     * {@code [n, y + padH, x + padW, c / 64]} is the sign of {@code x[n, c, y, x]}; the border is 0.
     *
     * @return bits [N, H + 2·padH, W + 2·padW, words(C)]
     */
    public static long[] packChannels(float[] x, int off, int n, int c, int h, int w, int padH, int padW) {
        int hp = h + 2 * padH, wp = w + 2 * padW;
        long[] dst = new long[Math.toIntExact((long) n * hp * wp * words(c))];
        packChannels(x, off, n, c, h, w, padH, padW, dst);
        return dst;
    }

    /** {@link #packChannels(float[], int, int, int, int, int, int, int)} into {@code dst}, whose border must be 0. */
    static void packChannels(float[] x, int off, int n, int c, int h, int w, int padH, int padW, long[] dst) {
        checkRange("packChannels", x.length, off, (long) n * c * h * w);
        int words = words(c), plane = h * w;
        int[] dstPix = pixelOffsets(h, w, padH, padW, words);
        int imgWords = (h + 2 * padH) * (w + 2 * padW) * words;
        for (int img = 0; img < n; img++) packPixels(x, off + img * c * plane, plane, c, 0, plane, dst, img * imgWords, dstPix, 1);
    }

    /** Word offset of each pixel {@code y·w + x} of an image in the padded NHWC layout. */
    static int[] pixelOffsets(int h, int w, int padH, int padW, int words) {
        int wp = w + 2 * padW;
        int[] off = new int[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) off[y * w + x] = ((y + padH) * wp + x + padW) * words;
        }
        return off;
    }

    /**
     * Packs pixels {@code [p0, p1)} of one image: channel {@code ch} of pixel {@code p} is
     * {@code x[src + ch·plane + p]}; its word {@code j} goes to {@code dst[d + dstPix[p] + j·wordStride]}
     * (NHWC: {@code wordStride} 1; word-planar: the size of a word plane). Eight pixels at a time
     * (each channel read as one contiguous run, the eight words kept in registers), then four, then one.
     */
    static void packPixels(float[] x, int src, int plane, int c, int p0, int p1, long[] dst, int d, int[] dstPix, int wordStride) {
        int words = words(c);
        int p = p0;
        for (; p + 8 <= p1; p += 8) {
            for (int j = 0; j < words; j++) {
                int c0 = j << 6, nb = Math.min(64, c - c0);
                long w0 = 0, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0, w6 = 0, w7 = 0;
                for (int b = 0; b < nb; b++) {
                    int s = src + (c0 + b) * plane + p;
                    w0 |= bit(x[s]) << b;
                    w1 |= bit(x[s + 1]) << b;
                    w2 |= bit(x[s + 2]) << b;
                    w3 |= bit(x[s + 3]) << b;
                    w4 |= bit(x[s + 4]) << b;
                    w5 |= bit(x[s + 5]) << b;
                    w6 |= bit(x[s + 6]) << b;
                    w7 |= bit(x[s + 7]) << b;
                }
                dst[d + dstPix[p] + j * wordStride] = w0;
                dst[d + dstPix[p + 1] + j * wordStride] = w1;
                dst[d + dstPix[p + 2] + j * wordStride] = w2;
                dst[d + dstPix[p + 3] + j * wordStride] = w3;
                dst[d + dstPix[p + 4] + j * wordStride] = w4;
                dst[d + dstPix[p + 5] + j * wordStride] = w5;
                dst[d + dstPix[p + 6] + j * wordStride] = w6;
                dst[d + dstPix[p + 7] + j * wordStride] = w7;
            }
        }
        for (; p + 4 <= p1; p += 4) {
            for (int j = 0; j < words; j++) {
                int c0 = j << 6, nb = Math.min(64, c - c0);
                long w0 = 0, w1 = 0, w2 = 0, w3 = 0;
                for (int b = 0; b < nb; b++) {
                    int s = src + (c0 + b) * plane + p;
                    w0 |= bit(x[s]) << b;
                    w1 |= bit(x[s + 1]) << b;
                    w2 |= bit(x[s + 2]) << b;
                    w3 |= bit(x[s + 3]) << b;
                }
                dst[d + dstPix[p] + j * wordStride] = w0;
                dst[d + dstPix[p + 1] + j * wordStride] = w1;
                dst[d + dstPix[p + 2] + j * wordStride] = w2;
                dst[d + dstPix[p + 3] + j * wordStride] = w3;
            }
        }
        for (; p < p1; p++) {
            for (int j = 0; j < words; j++) {
                int c0 = j << 6, nb = Math.min(64, c - c0);
                long word = 0;
                for (int b = 0; b < nb; b++) word |= bit(x[src + (c0 + b) * plane + p]) << b;
                dst[d + dstPix[p] + j * wordStride] = word;
            }
        }
    }

    static void checkRange(String op, int length, int off, long count) {
        if (off < 0 || count < 0 || off + count > length) {
            throw new IllegalArgumentException("PackedBits." + op + ": " + count + " values from offset " + off
                    + " do not fit an array of " + length);
        }
    }
}
