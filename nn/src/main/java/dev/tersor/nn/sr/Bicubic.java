package dev.tersor.nn.sr;

import java.util.Arrays;

/**
 * Bicubic resizing as MATLAB's {@code imresize(I, scale)} computes it on {@code uint8} images,
 * the resize that makes the LR images of every super-resolution benchmark (Set5, Set14, B100,
 * Urban100, DIV2K's bicubic tracks) and the "Bicubic" row of their tables:
 * <ul>
 *   <li>the Keys cubic kernel (a = -0.5), antialiased when downscaling: stretched by the factor
 *       {@code s}, so it spans {@code 4s} input pixels (see {@link Taps} for the formulas);</li>
 *   <li>output pixel {@code x} (1-based) centred at input {@code u = x·s + 0.5·(1 - s)} for a
 *       downscale by {@code s} ({@code u = x/s + 0.5·(1 - 1/s)} for an upscale);</li>
 *   <li>indices past the borders reflected (symmetric padding, the edge pixel repeated);</li>
 *   <li>output size {@code ceil(in / s)} (downscale) or {@code ceil(in·s)} (upscale);</li>
 *   <li>one dimension after the other, the one shrinking most first (height first when the
 *       scales are equal), each pass rounded to 8 bits (half away from zero, clamped to 0..255):
 *       MATLAB's {@code imresize} keeps a {@code uint8} image {@code uint8} between passes.</li>
 * </ul>
 * <pre>{@code
 * Image lr = Bicubic.downscale(hr.modcrop(4), 4);     // [C, H/4, W/4]
 * Image baseline = Bicubic.upscale(lr, 4);           // [C, H, W]
 * }</pre>
 */
public final class Bicubic {
    private Bicubic() {}

    /** {@code imresize(image, 1/s)}: a downscale by {@code s > 1} to {@code ceil(H/s) x ceil(W/s)}. */
    public static Image downscale(Image image, double s) {
        double scale = 1 / checkFactor(s, "downscale");
        return resize(image, scale, scale, outLength(image.height(), scale), outLength(image.width(), scale));
    }

    /**
     * The window {@code h x w} at {@code (top, left)} of {@link #downscale(Image, double)
     * downscale(image, s)}, computed from the input pixels it needs only (the same values, for a
     * fraction of the work: how training patches get their LR versions).
     */
    public static Image downscale(Image image, double s, int top, int left, int h, int w) {
        double scale = 1 / checkFactor(s, "downscale");
        return resize(image, scale, scale, outLength(image.height(), scale), outLength(image.width(), scale), top, left, h, w);
    }

    /** {@code imresize(image, s)}: an upscale by {@code s > 1} to {@code ceil(H·s) x ceil(W·s)}. */
    public static Image upscale(Image image, double s) {
        checkFactor(s, "upscale");
        return resize(image, s, s, outLength(image.height(), s), outLength(image.width(), s));
    }

    /**
     * {@code imresize(image, [height width])}: to any size, each dimension by its own scale
     * {@code out/in} (antialiased where it shrinks).
     */
    public static Image resize(Image image, int height, int width) {
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("resize target must be positive, got " + width + "x" + height);
        return resize(image, (double) height / image.height(), (double) width / image.width(), height, width);
    }

    private static double checkFactor(double s, String what) {
        if (!(s > 1) || Double.isInfinite(s)) throw new IllegalArgumentException(what + " factor must be a finite number > 1, got " + s);
        return s;
    }

    /** MATLAB's output size for a scale: {@code ceil(scale·in)}. */
    private static int outLength(int in, double scale) {
        double n = Math.ceil(scale * in);
        if (n > Integer.MAX_VALUE / 4.0) throw new IllegalArgumentException("resize output of " + n + " pixels is too large");
        return (int) n;
    }

    private static Image resize(Image in, double scaleY, double scaleX, int outH, int outW) {
        return resize(in, scaleY, scaleX, outH, outW, 0, 0, outH, outW);
    }

    /** The window {@code h x w} at {@code (top, left)} of the {@code outH x outW} resize of {@code in}. */
    private static Image resize(Image in, double scaleY, double scaleX, int outH, int outW, int top, int left, int h, int w) {
        if (top < 0 || left < 0 || h <= 0 || w <= 0 || top + h > outH || left + w > outW) {
            throw new IllegalArgumentException("window " + w + "x" + h + " at (x " + left + ", y " + top + ") does not fit in the "
                    + outW + "x" + outH + " resize of a " + in.size() + " image");
        }
        Taps rows = Taps.of(in.height(), scaleY, top, h);
        Taps cols = Taps.of(in.width(), scaleX, left, w);
        Grid g = new Grid(in.channels(), in.height(), in.width(), 0, 0, in.pixels());
        if (scaleY <= scaleX) {   // MATLAB: the dimension with the smaller scale first, height on a tie
            g = alongWidth(alongHeight(g.columns(cols.minIndex(), cols.maxIndex()), rows), cols);
        } else {
            g = alongHeight(alongWidth(g.rows(rows.minIndex(), rows.maxIndex()), cols), rows);
        }
        return new Image(g.c, g.h, g.w, g.v);
    }

    /**
     * Source rows {@code y0 .. y0+h-1} and columns {@code x0 .. x0+w-1} of an image, 8-bit,
     * {@code v[(c·h + y)·w + x]}.
     */
    private record Grid(int c, int h, int w, int y0, int x0, byte[] v) {
        /** Only columns {@code from..to} (source indices). */
        Grid columns(int from, int to) {
            if (from == x0 && to == x0 + w - 1) return this;
            int nw = to - from + 1;
            byte[] out = new byte[c * h * nw];
            for (int r = 0; r < c * h; r++) System.arraycopy(v, r * w + from - x0, out, r * nw, nw);
            return new Grid(c, h, nw, y0, from, out);
        }

        /** Only rows {@code from..to} (source indices). */
        Grid rows(int from, int to) {
            if (from == y0 && to == y0 + h - 1) return this;
            int nh = to - from + 1;
            byte[] out = new byte[c * nh * w];
            for (int ch = 0; ch < c; ch++) System.arraycopy(v, (ch * h + from - y0) * w, out, ch * nh * w, nh * w);
            return new Grid(c, nh, w, from, x0, out);
        }
    }

    /** Output row j = round(Σ_k weight[j,k] · source row index[j,k]), taps summed in order. */
    private static Grid alongHeight(Grid g, Taps t) {
        byte[] out = new byte[g.c * t.count * g.w];
        double[] acc = new double[g.w];
        for (int c = 0; c < g.c; c++) {
            for (int j = 0; j < t.count; j++) {
                Arrays.fill(acc, 0);
                for (int k = 0; k < t.taps; k++) {
                    double wk = t.weight[j * t.taps + k];
                    int row = (c * g.h + t.index[j * t.taps + k] - g.y0) * g.w;
                    for (int x = 0; x < g.w; x++) acc[x] += wk * (g.v[row + x] & 0xFF);
                }
                int o = (c * t.count + j) * g.w;
                for (int x = 0; x < g.w; x++) out[o + x] = (byte) Image.toByte(acc[x]);
            }
        }
        return new Grid(g.c, t.count, g.w, t.first, g.x0, out);
    }

    /** Output column j = round(Σ_k weight[j,k] · source column index[j,k]), taps summed in order. */
    private static Grid alongWidth(Grid g, Taps t) {
        byte[] out = new byte[g.c * g.h * t.count];
        for (int r = 0; r < g.c * g.h; r++) {
            int row = r * g.w - g.x0;
            for (int j = 0; j < t.count; j++) {
                double acc = 0;
                for (int k = 0; k < t.taps; k++) acc += t.weight[j * t.taps + k] * (g.v[row + t.index[j * t.taps + k]] & 0xFF);
                out[r * t.count + j] = (byte) Image.toByte(acc);
            }
        }
        return new Grid(g.c, g.h, t.count, g.y0, t.first, out);
    }
}
