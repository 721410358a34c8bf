package dev.tersor.tensor;

/**
 * The layout that lets a stride-1 convolution skip im2col. A chunk of {@code count} images
 * [C, H, W] is spread into one plane per channel, image rows {@code wp = W + pw} apart and
 * images {@code R = H + ph} rows apart, with zeros in the gaps:
 *
 * <pre>
 * image s, pixel (y, x)      at  c·Q + pw + (ph + s·R + y)·wp + x       (zero everywhere else)
 * output (s, y, x)           is column  q = s·R·wp + y·wp + x  of the GEMM
 * tap (c, i, j) of column q  reads  c·Q + q + i·dh·wp + j·dw
 * </pre>
 *
 * So row (c, i, j) of the column matrix is the spread buffer itself, shifted by
 * {@code c·Q + i·dh·wp + j·dw}: a GEMM reading B's rows at those offsets
 * ({@code Backend.gemmRows}) is the convolution, and the kh·kw times larger im2col copy is
 * never made.
 * At stride 1 a window reaches at most ph rows above or below an image and pw columns left or
 * right of a row: exactly the zero gaps. The output grid is R×wp per image; its columns with
 * {@code y ≥ outH} or {@code x ≥ outW} are computed and dropped (6 % extra work on 32×32
 * images with a 3×3 kernel, 13 % on 16×16, 27 % on 8×8).
 *
 * <p>Holds for stride 1 with {@code ph ≤ dh·(kh − 1)} and {@code pw ≤ dw·(kw − 1)} (then
 * {@code outH ≤ R} and {@code outW ≤ wp}). The input gradient of such a convolution is one too
 * (weight flipped, padding {@code d·(k − 1) − p}), on the same R×wp grid.
 */
final class ShiftedWindows {
    private final Im2col im;
    /** Row pitch {@code W + pw} and rows per image {@code H + ph} of the spread layout. */
    final int wp, rowsPerImage;

    private ShiftedWindows(Im2col im) {
        this.im = im;
        this.wp = im.width + im.pw;
        this.rowsPerImage = im.height + im.ph;
    }

    /** The layout for {@code im}, or null when its stride or padding rule it out. */
    static ShiftedWindows of(Im2col im) {
        boolean fits = im.sh == 1 && im.sw == 1 && im.ph <= im.dh * (im.kh - 1) && im.pw <= im.dw * (im.kw - 1);
        return fits && !im.isIdentity() ? new ShiftedWindows(im) : null;
    }

    /** GEMM columns per image: the R×wp output grid. */
    int columnsPerImage() {
        return rowsPerImage * wp;
    }

    /** GEMM columns of a chunk of {@code count} images. */
    int columns(int count) {
        return count * columnsPerImage();
    }

    /** Floats per channel plane for chunks of up to {@code count} images: the columns plus the farthest tap. */
    int planeStride(int count) {
        return columns(count) + (im.kh - 1) * im.dh * wp + (im.kw - 1) * im.dw;
    }

    /**
     * Offsets of the column rows (c, i, j), in the weight's order, for {@code channels} channels
     * with planes {@code stride} apart: {@code c·stride + i·dh·wp + j·dw}. Neighbouring rows are
     * neighbouring shifts, so a GEMM walking them reads mostly the same cache lines.
     */
    int[] rowOffsets(int channels, int stride) {
        int[] rows = new int[channels * im.kh * im.kw];
        for (int c = 0, r = 0; c < channels; c++) {
            for (int i = 0; i < im.kh; i++) {
                for (int j = 0; j < im.kw; j++) rows[r++] = c * stride + i * im.dh * wp + j * im.dw;
            }
        }
        return rows;
    }

    /**
     * Spreads {@code count} images [C, H, W] from {@code src[srcOff]} into {@code dst}, planes
     * {@code stride} apart. Writes only pixels: the gaps of {@code dst} must hold zeros (a buffer
     * only ever used with this stride keeps them).
     */
    void spreadInput(float[] src, int srcOff, int count, float[] dst, int stride) {
        copy(true, src, srcOff, count, im.channels, im.height, im.width, dst, im.pw + im.ph * wp, stride, null);
    }

    /**
     * Spreads {@code count} outputs [K, outH, outW] (an output gradient) onto the output grid
     * {@code dst} [K, ld]; its dropped columns must hold zeros, so they add nothing to a product.
     */
    void spreadOutput(float[] src, int srcOff, int channels, int count, float[] dst, int ld) {
        copy(true, src, srcOff, count, channels, im.outH, im.outW, dst, 0, ld, null);
    }

    /** Copies the kept columns of the output grid {@code grid} [K, ld] to {@code count} outputs [K, outH, outW], plus bias [K] or null. */
    void gatherOutput(float[] grid, int ld, int channels, int count, float[] dst, int dstOff, float[] bias) {
        copy(false, dst, dstOff, count, channels, im.outH, im.outW, grid, 0, ld, bias);
    }

    /** Row-by-row copies between images [count, ch, h, w] and the spread layout (image row y of s at {@code (s·R + y)·wp}). */
    private void copy(boolean spread, float[] img, int imgOff, int count, int channels, int h, int w,
                      float[] grid, int gridOff, int stride, float[] bias) {
        for (int s = 0; s < count; s++) {
            for (int c = 0; c < channels; c++) {
                int i = imgOff + (s * channels + c) * h * w;
                int g = gridOff + c * stride + s * rowsPerImage * wp;
                for (int y = 0; y < h; y++, i += w, g += wp) {
                    if (spread) {
                        System.arraycopy(img, i, grid, g, w);
                    } else if (bias == null) {
                        System.arraycopy(grid, g, img, i, w);
                    } else {
                        float v = bias[c];
                        for (int x = 0; x < w; x++) img[i + x] = grid[g + x] + v;
                    }
                }
            }
        }
    }
}
