package dev.tersor.tensor;

import dev.tersor.tensor.backend.Parallel;
import java.util.Arrays;

/**
 * The sliding-window lowering of one image [C, H, W] to the columns of a convolution and its
 * adjoint, and the two ops built directly on them, {@code unfold} and {@code fold}.
 *
 * <pre>
 * lower (im2col):  cols[(c·kh + i)·kw + j, oy·outW + ox] = img[c, oy·sh − ph + i·dh, ox·sw − pw + j·dw]   (0 outside)
 * raise (col2im):  img[c, y, x] += Σ cols[...] over every (row, position) that reads img[c, y, x]
 * </pre>
 *
 * For each kernel row {@code i} the output rows that read a real input row form one range
 * {@code [rowLo[i], rowHi[i])}, likewise for columns; both are computed once, so the loops copy
 * whole runs (with {@link System#arraycopy} at stride 1) and only fill the padded borders with
 * zeros, without per-element bounds tests.
 */
final class Im2col {
    final int channels, height, width;  // the image [C, H, W]
    final int outH, outW;               // window positions
    final int kh, kw, sh, sw, ph, pw, dh, dw;
    final int[] rowLo, rowHi;           // [kh]: output rows whose tap i lies inside [0, H)
    final int[] colLo, colHi;           // [kw]: output columns whose tap j lies inside [0, W)

    Im2col(int channels, int height, int width, int outH, int outW,
           int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.outH = outH;
        this.outW = outW;
        this.kh = kh;
        this.kw = kw;
        this.sh = sh;
        this.sw = sw;
        this.ph = ph;
        this.pw = pw;
        this.dh = dh;
        this.dw = dw;
        rowLo = new int[kh];
        rowHi = new int[kh];
        colLo = new int[kw];
        colHi = new int[kw];
        validRanges(height, outH, sh, ph, dh, rowLo, rowHi);
        validRanges(width, outW, sw, pw, dw, colLo, colHi);
    }

    /** The windows of a convolution with {@code o}'s stride, padding and dilation over [C, H, W]. */
    static Im2col conv(int channels, int height, int width, int kh, int kw, Conv2dOptions o) {
        return new Im2col(channels, height, width,
                outSize(height, kh, o.strideH(), o.padH(), o.dilationH()),
                outSize(width, kw, o.strideW(), o.padW(), o.dilationW()),
                kh, kw, o.strideH(), o.strideW(), o.padH(), o.padW(), o.dilationH(), o.dilationW());
    }

    /** {@code ⌊(in + 2·pad − dilation·(kernel − 1) − 1) / stride⌋ + 1}; below 1 when the kernel does not fit. */
    static int outSize(int in, int kernel, int stride, int pad, int dilation) {
        long span = (long) in + 2L * pad - (long) dilation * (kernel - 1) - 1;
        return (int) Math.max(Math.floorDiv(span, (long) stride) + 1, 0);
    }

    /** For each tap t: the outputs o in [lo[t], hi[t]) with {@code 0 <= o·s − p + t·d < in}. */
    private static void validRanges(int in, int out, int s, int p, int d, int[] lo, int[] hi) {
        for (int t = 0; t < lo.length; t++) {
            int shift = t * d - p;                                   // input index = o·s + shift
            int first = Math.max(0, -Math.floorDiv(shift, s));       // ceil(−shift / s)
            int last = Math.min(out, Math.floorDiv(in - 1 - shift, s) + 1);
            lo[t] = Math.min(first, out);
            hi[t] = Math.max(last, lo[t]);
        }
    }

    /** Rows of the column matrix: {@code C·kh·kw}. */
    int rows() {
        return channels * kh * kw;
    }

    /** Columns of the column matrix (window positions): {@code outH·outW}. */
    int positions() {
        return outH * outW;
    }

    /** Elements of one image: {@code C·H·W}. */
    int imageSize() {
        return channels * height * width;
    }

    /** True for a 1×1 kernel at stride 1 without padding: the columns are the image itself. */
    boolean isIdentity() {
        return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0 && outH == height && outW == width;
    }

    /** Channels per parallel chunk so that a chunk moves about {@link Elementwise#GRAIN} values. */
    private int channelGrain() {
        return Math.max(1, Elementwise.GRAIN / Math.max(1, kh * kw * positions()));
    }

    /** Lowers the whole image, splitting channels over threads (inline inside a pool task). */
    void lower(float[] img, int imgOff, float[] cols, int colsOff) {
        lower(img, imgOff, cols, colsOff, positions());
    }

    /**
     * Lowers the whole image into column rows {@code ld} apart (a column matrix holding several
     * images side by side has {@code ld = images·positions}), splitting channels over threads.
     */
    void lower(float[] img, int imgOff, float[] cols, int colsOff, int ld) {
        Parallel.forRange(channels, channelGrain(), (c0, c1) -> lower(img, imgOff, cols, colsOff, ld, c0, c1));
    }

    /** Raises (accumulates) the whole column matrix into the image, splitting channels over threads. */
    void raise(float[] cols, int colsOff, float[] img, int imgOff) {
        Parallel.forRange(channels, channelGrain(), (c0, c1) -> raise(cols, colsOff, img, imgOff, c0, c1));
    }

    /** Writes the column rows of channels {@code [c0, c1)}, rows {@code ld} apart. */
    void lower(float[] img, int imgOff, float[] cols, int colsOff, int ld, int c0, int c1) {
        int len = positions(), plane = height * width;
        boolean wholeRows = sw == 1 && sh == 1 && outW == width;
        for (int c = c0, r = c0 * kh * kw; c < c1; c++) {
            for (int i = 0; i < kh; i++) {
                int ylo = rowLo[i], yhi = rowHi[i];
                for (int j = 0; j < kw; j++, r++) {
                    int dst = colsOff + r * ld;
                    int xlo = colLo[j], xhi = colHi[j];
                    int src = imgOff + c * plane + (i * dh - ph) * width + (j * dw - pw);   // + oy·sh·W + ox·sw
                    if (xhi == xlo || yhi == ylo) {
                        Arrays.fill(cols, dst, dst + len, 0f);
                        continue;
                    }
                    Arrays.fill(cols, dst, dst + ylo * outW, 0f);
                    Arrays.fill(cols, dst + yhi * outW, dst + len, 0f);
                    if (wholeRows) {
                        // rows of the image and of the column row line up: copy the valid rows as one run,
                        // from the first valid element to the last, then clear the border columns, which
                        // picked up pixels of the neighbouring image rows
                        int first = ylo * outW + xlo, last = (yhi - 1) * outW + xhi;
                        System.arraycopy(img, src + first, cols, dst + first, last - first);
                        // (one strided pass per border column: usually one or two columns, many rows)
                        int top = dst + ylo * outW, bottom = dst + yhi * outW;
                        for (int x = 0; x < xlo; x++) {
                            for (int t = top + x; t < bottom; t += outW) cols[t] = 0f;
                        }
                        for (int x = xhi; x < outW; x++) {
                            for (int t = top + x; t < bottom; t += outW) cols[t] = 0f;
                        }
                        continue;
                    }
                    for (int oy = ylo; oy < yhi; oy++) {
                        int d = dst + oy * outW, s = src + oy * sh * width;
                        Arrays.fill(cols, d, d + xlo, 0f);
                        if (sw == 1) {
                            System.arraycopy(img, s + xlo, cols, d + xlo, xhi - xlo);
                        } else {
                            for (int ox = xlo; ox < xhi; ox++) cols[d + ox] = img[s + ox * sw];
                        }
                        Arrays.fill(cols, d + xhi, d + outW, 0f);
                    }
                }
            }
        }
    }

    /** Adds the column rows of channels {@code [c0, c1)} back into the image (the adjoint of lower). */
    void raise(float[] cols, int colsOff, float[] img, int imgOff, int c0, int c1) {
        int len = positions(), plane = height * width;
        for (int c = c0, r = c0 * kh * kw; c < c1; c++) {
            for (int i = 0; i < kh; i++) {
                int ylo = rowLo[i], yhi = rowHi[i];
                for (int j = 0; j < kw; j++, r++) {
                    int xlo = colLo[j], n = colHi[j] - xlo;
                    int src = colsOff + r * len + xlo;
                    int dst = imgOff + c * plane + (i * dh - ph) * width + (j * dw - pw) + xlo * sw;
                    for (int oy = ylo; oy < yhi; oy++) {
                        int s = src + oy * outW, d = dst + oy * sh * width;
                        if (sw == 1) {
                            addTo(cols, s, img, d, n);
                        } else {
                            for (int t = 0; t < n; t++) img[d + t * sw] += cols[s + t];
                        }
                    }
                }
            }
        }
    }

    /** {@code y[yOff + t] += x[xOff + t]} for {@code t < n}. */
    static void addTo(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int t = 0; t < n; t++) y[yOff + t] += x[xOff + t];
    }

    // ---- the ops ----

    /** See {@link Functional#unfold(Tensor, int, int, Conv2dOptions)}. */
    static Tensor unfold(Tensor x, int kh, int kw, Conv2dOptions o) {
        String op = "unfold";
        OpArgs.rank(op, "input", x, 4, "[N, C, H, W]");
        checkWindow(op, kh, kw, o);
        int n = x.shape[0];
        Im2col im = conv(x.shape[1], x.shape[2], x.shape[3], kh, kw, o);
        if (im.outH < 1 || im.outW < 1) {
            throw new IllegalArgumentException(op + ": kernel " + OpArgs.pair(kh, kw) + " (dilation "
                    + OpArgs.pair(o.dilationH(), o.dilationW()) + ") does not fit the padded input " + Shape.str(x.shape)
                    + " with padding " + OpArgs.pair(o.padH(), o.padW()));
        }
        Tensor xc = OpArgs.dense(x);
        float[] out = new float[n * im.rows() * im.positions()];
        im.lowerBatch(xc.storage.data, xc.offset, out, 0, n);
        Tensor y = Tensor.wrap(out, new int[] {n, im.rows(), im.positions()});
        return Autograd.record(op, y, new Tensor[] {x}, new Tensor[0], g -> {
            Tensor gc = OpArgs.dense(g);
            float[] gx = new float[x.numel()];
            im.raiseBatch(gc.storage.data, gc.offset, gx, 0, n);
            return new Tensor[] {Tensor.wrap(gx, x.shape)};
        }, g -> new Tensor[] {fold(g, im.height, im.width, kh, kw, o)});   // fold is unfold's adjoint
    }

    /** See {@link Functional#fold(Tensor, int, int, int, int, Conv2dOptions)}. */
    static Tensor fold(Tensor cols, int outH, int outW, int kh, int kw, Conv2dOptions o) {
        String op = "fold";
        OpArgs.rank(op, "input", cols, 3, "[N, C·kh·kw, L]");
        checkWindow(op, kh, kw, o);
        OpArgs.positive(op, "output height", outH);
        OpArgs.positive(op, "output width", outW);
        int n = cols.shape[0], rows = cols.shape[1];
        if (rows % (kh * kw) != 0) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(cols.shape) + " has " + rows
                    + " rows, not a multiple of the kernel " + OpArgs.pair(kh, kw));
        }
        Im2col im = conv(rows / (kh * kw), outH, outW, kh, kw, o);
        if (im.outH < 1 || im.outW < 1 || cols.shape[2] != im.positions()) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(cols.shape) + " has " + cols.shape[2]
                    + " blocks but output size " + OpArgs.pair(outH, outW) + " with kernel " + OpArgs.pair(kh, kw)
                    + " gives " + Math.max(im.outH, 0) + "×" + Math.max(im.outW, 0) + " blocks");
        }
        Tensor cc = OpArgs.dense(cols);
        float[] out = new float[n * im.imageSize()];
        im.raiseBatch(cc.storage.data, cc.offset, out, 0, n);
        Tensor y = Tensor.wrap(out, new int[] {n, im.channels, outH, outW});
        return Autograd.record(op, y, new Tensor[] {cols}, new Tensor[0], g -> {
            Tensor gc = OpArgs.dense(g);
            float[] gx = new float[cols.numel()];
            im.lowerBatch(gc.storage.data, gc.offset, gx, 0, n);
            return new Tensor[] {Tensor.wrap(gx, cols.shape)};
        }, g -> new Tensor[] {unfold(g, kh, kw, o)});   // and unfold is fold's
    }

    private static void checkWindow(String op, int kh, int kw, Conv2dOptions o) {
        OpArgs.positive(op, "kernel height", kh);
        OpArgs.positive(op, "kernel width", kw);
        if (o.groups() != 1) throw new IllegalArgumentException(op + ": groups must be 1, got " + o.groups());
    }

    /** Lowers {@code n} images into {@code n} column matrices, splitting (image, channel) pairs over threads. */
    void lowerBatch(float[] img, int imgOff, float[] cols, int colsOff, int n) {
        int per = rows() * positions(), size = imageSize();
        Parallel.forRange(n * channels, channelGrain(), (lo, hi) -> {
            for (int t = lo; t < hi; t++) {
                int b = t / channels, c = t % channels;
                lower(img, imgOff + b * size, cols, colsOff + b * per, positions(), c, c + 1);
            }
        });
    }

    /** Raises {@code n} column matrices into {@code n} images (accumulating), split like {@link #lowerBatch}. */
    void raiseBatch(float[] cols, int colsOff, float[] img, int imgOff, int n) {
        int per = rows() * positions(), size = imageSize();
        Parallel.forRange(n * channels, channelGrain(), (lo, hi) -> {
            for (int t = lo; t < hi; t++) {
                int b = t / channels, c = t % channels;
                raise(cols, colsOff + b * per, img, imgOff + b * size, c, c + 1);
            }
        });
    }
}
