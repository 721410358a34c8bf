package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.backend.Parallel;

/**
 * The data movement around the L1 kernels: the im2col lowering of a whole batch into one column
 * matrix with the batch folded into the columns, its adjoint, and the layout swaps between
 * channel-major kernel results and batch-major tensors.
 * <pre>
 * lower:  cols[(c·kh + i)·kw + j, (b·OH + oy)·OW + ox] = x[b, c, oy·sh − ph + i·dh, ox·sw − pw + j·dw]   (0 outside)
 * raise:  dx[b, c, y, x] += every cols entry that lower read from x[b, c, y, x]
 * </pre>
 * One matrix for the batch gives the kernels {@code N·OH·OW} columns to tile (rather than
 * {@code OH·OW} per image), which keeps the vector lanes full on small feature maps.
 */
final class AdderColumns {
    /** Elements moved per parallel chunk, roughly. */
    private static final int GRAIN = 1 << 14;

    /** Shapes of one adder convolution: input [n, c, h, w], kernel kh×kw, output [n, ·, oh, ow]. */
    record Geometry(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw,
                    int oh, int ow) {
        /** Rows of the column matrix: c·kh·kw. */
        int rows() {
            return c * kh * kw;
        }

        /** Window positions of one image: oh·ow. */
        int positions() {
            return oh * ow;
        }

        /** Columns of the column matrix: n·oh·ow. */
        int columns() {
            return n * oh * ow;
        }
    }

    private AdderColumns() {
    }

    /** The column matrix [c·kh·kw, n·oh·ow] of {@code x} (contiguous [n, c, h, w] from {@code xOff}). */
    static float[] lower(float[] x, int xOff, Geometry g) {
        int rows = g.rows(), cols = g.columns();
        float[] out = new float[rows * cols];
        Parallel.forRange(rows, grainRows(cols), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int ci = r / (g.kh * g.kw), i = r / g.kw % g.kh, j = r % g.kw;
                int dy = i * g.dh - g.ph, dx = j * g.dw - g.pw;
                int lo = firstInside(dx, g.sw, g.ow), hi = Math.max(lo, lastInside(dx, g.sw, g.w, g.ow));
                for (int b = 0; b < g.n; b++) {
                    int plane = xOff + (b * g.c + ci) * g.h * g.w;
                    for (int oy = 0; oy < g.oh; oy++) {
                        int iy = oy * g.sh + dy, d = r * cols + (b * g.oh + oy) * g.ow;
                        if (iy < 0 || iy >= g.h) continue;     // a padded row: stays 0
                        int src = plane + iy * g.w + dx;
                        if (g.sw == 1) {
                            System.arraycopy(x, src + lo, out, d + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) out[d + ox] = x[src + ox * g.sw];
                        }
                    }
                }
            }
        });
        return out;
    }

    /** Adds the column matrix {@code cols} [c·kh·kw, n·oh·ow] back into {@code dx} [n, c, h, w] (the adjoint of lower). */
    static void raise(float[] cols, Geometry g, float[] dx, int dxOff) {
        int columns = g.columns(), taps = g.kh * g.kw;
        Parallel.forRange(g.c, grainRows(columns * taps), (c0, c1) -> {
            for (int ci = c0; ci < c1; ci++) {
                for (int t = 0; t < taps; t++) {
                    int r = ci * taps + t, i = t / g.kw, j = t % g.kw;
                    int dy = i * g.dh - g.ph, dxs = j * g.dw - g.pw;
                    int lo = firstInside(dxs, g.sw, g.ow), hi = Math.max(lo, lastInside(dxs, g.sw, g.w, g.ow));
                    for (int b = 0; b < g.n; b++) {
                        int plane = dxOff + (b * g.c + ci) * g.h * g.w;
                        for (int oy = 0; oy < g.oh; oy++) {
                            int iy = oy * g.sh + dy;
                            if (iy < 0 || iy >= g.h) continue;
                            int s = r * columns + (b * g.oh + oy) * g.ow, dst = plane + iy * g.w + dxs;
                            for (int ox = lo; ox < hi; ox++) dx[dst + ox * g.sw] += cols[s + ox];
                        }
                    }
                }
            }
        });
    }

    /** The first ox with {@code ox·s + shift >= 0}, clipped to [0, out]. */
    private static int firstInside(int shift, int s, int out) {
        return Math.min(out, Math.max(0, -Math.floorDiv(shift, s)));
    }

    /** One past the last ox with {@code ox·s + shift < in}, clipped to [0, out]. */
    private static int lastInside(int shift, int s, int in, int out) {
        return Math.min(out, Math.max(0, Math.floorDiv(in - 1 - shift, s) + 1));
    }

    /** {@code dst[b, k, l] = src[k, b, l]}: [k][n][l] → [n][k][l]. */
    static void channelToBatchMajor(float[] src, int srcOff, int k, int n, int l, float[] dst, int dstOff) {
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < k; ch++) System.arraycopy(src, srcOff + (ch * n + b) * l, dst, dstOff + (b * k + ch) * l, l);
        }
    }

    /** {@code dst[k, b, l] = src[b, k, l]}: [n][k][l] → [k][n][l]. */
    static void batchToChannelMajor(float[] src, int srcOff, int n, int k, int l, float[] dst, int dstOff) {
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < k; ch++) System.arraycopy(src, srcOff + (b * k + ch) * l, dst, dstOff + (ch * n + b) * l, l);
        }
    }

    /** {@code dst[j, i] = src[i, j]} for a [rows, cols] matrix, in 32×32 blocks. */
    static void transpose(float[] src, int srcOff, int rows, int cols, float[] dst, int dstOff) {
        final int bs = 32;
        for (int i0 = 0; i0 < rows; i0 += bs) {
            int i1 = Math.min(rows, i0 + bs);
            for (int j0 = 0; j0 < cols; j0 += bs) {
                int j1 = Math.min(cols, j0 + bs);
                for (int i = i0; i < i1; i++) {
                    for (int j = j0; j < j1; j++) dst[dstOff + j * rows + i] = src[srcOff + i * cols + j];
                }
            }
        }
    }

    private static int grainRows(int perRow) {
        return Math.max(1, GRAIN / Math.max(1, perRow));
    }
}
