package dev.tersor.nn.sr;

/**
 * Super-resolution quality as the SR literature reports it, computed in double precision the
 * way EDSR's {@code calc_psnr} (sanghyun-son/EDSR-PyTorch {@code src/utility.py}) and BasicSR's
 * {@code calculate_psnr} / {@code calculate_ssim} ({@code basicsr/metrics/psnr_ssim.py}) do:
 * <ol>
 *   <li>both images are cropped to the largest multiple of {@code k = ceil(scale)} in each
 *       dimension (the HR {@code modcrop}; an SR output made from its LR already has that size)
 *       and must then be the same size;</li>
 *   <li>{@code k} pixels are shaved off each side (EDSR's {@code shave = scale}, BasicSR's
 *       {@code crop_border});</li>
 *   <li>on {@link Space#Y}, each RGB image becomes its BT.601 luma in 0..255, not rounded:
 *       {@code Y = 16 + 65.481 R + 128.553 G + 24.966 B} with R, G, B in [0, 1] (a gray image is
 *       its one channel); on {@link Space#RGB} the channels are scored as they are.</li>
 * </ol>
 * {@code PSNR = 10·log10(255² / MSE)}, the mean over every pixel and channel (infinite for equal
 * images). SSIM (Wang et al. 2004, as BasicSR computes it): per channel, means, variances and the
 * covariance under an 11×11 Gaussian window (σ = 1.5, weights summing to 1) at every position
 * where the window fits (valid filtering), {@code C1 = (0.01·255)²}, {@code C2 = (0.03·255)²},
 * <pre>
 *   ssim = mean over positions of ((2 μx μy + C1)(2 σxy + C2)) / ((μx² + μy² + C1)(σx² + σy² + C2))
 * </pre>
 * then the mean over channels.
 */
public final class Metrics {
    /** Side of the SSIM window. */
    public static final int SSIM_WINDOW = 11;
    /** Standard deviation of the SSIM window. */
    public static final double SSIM_SIGMA = 1.5;

    private static final double C1 = (0.01 * 255) * (0.01 * 255);
    private static final double C2 = (0.03 * 255) * (0.03 * 255);

    private Metrics() {}

    /** The channels scored. */
    public enum Space {
        /** BT.601 luma, the SR papers' default. */
        Y,
        /** The R, G, B channels themselves. */
        RGB
    }

    /** Y-channel PSNR in dB of {@code sr} against {@code hr} for a super-resolution by {@code scale}. */
    public static double psnr(Image sr, Image hr, double scale) {
        return psnr(sr, hr, scale, Space.Y);
    }

    /** PSNR in dB on {@code space}, as the class describes. */
    public static double psnr(Image sr, Image hr, double scale, Space space) {
        double[][] a = planes(sr, hr, scale, space, true);
        double[][] b = planes(sr, hr, scale, space, false);
        double sum = 0;
        long n = 0;
        for (int c = 0; c < a.length; c++) {
            for (int i = 0; i < a[c].length; i++) {
                double d = a[c][i] - b[c][i];
                sum += d * d;
            }
            n += a[c].length;
        }
        double mse = sum / n;
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    /** Y-channel SSIM of {@code sr} against {@code hr} for a super-resolution by {@code scale}. */
    public static double ssim(Image sr, Image hr, double scale) {
        return ssim(sr, hr, scale, Space.Y);
    }

    /** SSIM on {@code space}, as the class describes. */
    public static double ssim(Image sr, Image hr, double scale, Space space) {
        int[] size = croppedSize(sr, hr, scale);
        int h = size[0];
        int w = size[1];
        if (h < SSIM_WINDOW || w < SSIM_WINDOW) {
            throw new IllegalArgumentException("SSIM needs at least " + SSIM_WINDOW + "x" + SSIM_WINDOW + " pixels after shaving "
                    + shave(scale) + " off each side, but " + sr.size() + " and " + hr.size() + " leave " + w + "x" + h);
        }
        double[][] a = planes(sr, hr, scale, space, true);
        double[][] b = planes(sr, hr, scale, space, false);
        double total = 0;
        for (int c = 0; c < a.length; c++) total += ssimPlane(a[c], b[c], h, w);
        return total / a.length;
    }

    /** The 1-D Gaussian of the SSIM window: {@code exp(-(i-5)²/(2σ²))}, normalised to sum 1 (OpenCV's {@code getGaussianKernel(11, 1.5)}). */
    static double[] gaussian() {
        double[] g = new double[SSIM_WINDOW];
        double sum = 0;
        int r = SSIM_WINDOW / 2;
        for (int i = 0; i < SSIM_WINDOW; i++) {
            g[i] = Math.exp(-((i - r) * (i - r)) / (2 * SSIM_SIGMA * SSIM_SIGMA));
            sum += g[i];
        }
        for (int i = 0; i < SSIM_WINDOW; i++) g[i] /= sum;
        return g;
    }

    /** SSIM of two {@code h x w} planes, valid positions only. */
    private static double ssimPlane(double[] x, double[] y, int h, int w) {
        double[] mx = filter(x, h, w);
        double[] my = filter(y, h, w);
        double[] xx = new double[x.length];
        double[] yy = new double[x.length];
        double[] xy = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xx[i] = x[i] * x[i];
            yy[i] = y[i] * y[i];
            xy[i] = x[i] * y[i];
        }
        double[] sxx = filter(xx, h, w);
        double[] syy = filter(yy, h, w);
        double[] sxy = filter(xy, h, w);
        double sum = 0;
        for (int i = 0; i < mx.length; i++) {
            double mx2 = mx[i] * mx[i];
            double my2 = my[i] * my[i];
            double mxy = mx[i] * my[i];
            double vx = sxx[i] - mx2;
            double vy = syy[i] - my2;
            double cxy = sxy[i] - mxy;
            sum += ((2 * mxy + C1) * (2 * cxy + C2)) / ((mx2 + my2 + C1) * (vx + vy + C2));
        }
        return sum / mx.length;
    }

    /** The Gaussian-weighted mean under the window at every valid position: {@code [(h-10) x (w-10)]}. */
    private static double[] filter(double[] v, int h, int w) {
        double[] g = gaussian();
        int oh = h - SSIM_WINDOW + 1;
        int ow = w - SSIM_WINDOW + 1;
        double[] rows = new double[oh * w];   // vertical pass
        for (int y = 0; y < oh; y++) {
            for (int k = 0; k < SSIM_WINDOW; k++) {
                double gk = g[k];
                int src = (y + k) * w;
                for (int x = 0; x < w; x++) rows[y * w + x] += gk * v[src + x];
            }
        }
        double[] out = new double[oh * ow];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                double s = 0;
                for (int k = 0; k < SSIM_WINDOW; k++) s += g[k] * rows[y * w + x + k];
                out[y * ow + x] = s;
            }
        }
        return out;
    }

    /** Pixels shaved off each side: {@code ceil(scale)}. */
    static int shave(double scale) {
        if (!(scale >= 1) || Double.isInfinite(scale)) throw new IllegalArgumentException("scale must be a finite number >= 1, got " + scale);
        return (int) Math.ceil(scale);
    }

    /** {@code [h, w]} of the scored area: both images modcropped to {@code ceil(scale)}, then shaved. */
    private static int[] croppedSize(Image sr, Image hr, double scale) {
        int k = shave(scale);
        int sh = sr.height() - sr.height() % k;
        int sw = sr.width() - sr.width() % k;
        int hh = hr.height() - hr.height() % k;
        int hw = hr.width() - hr.width() % k;
        if (sh != hh || sw != hw || sr.channels() != hr.channels()) {
            throw new IllegalArgumentException("SR image " + sr.channels() + "x" + sr.size() + " and HR image " + hr.channels() + "x"
                    + hr.size() + " (channels x width x height) do not match: cropped to multiples of " + k + " they are "
                    + sw + "x" + sh + " and " + hw + "x" + hh);
        }
        int h = sh - 2 * k;
        int w = sw - 2 * k;
        if (h <= 0 || w <= 0) {
            throw new IllegalArgumentException("images " + sr.size() + " are too small to score at scale " + scale + ": shaving "
                    + k + " pixels off each side leaves nothing");
        }
        return new int[] {h, w};
    }

    /** The scored planes of {@code sr} (or {@code hr}): cropped, shaved, and on {@code space}, as doubles 0..255. */
    private static double[][] planes(Image sr, Image hr, double scale, Space space, boolean first) {
        int[] size = croppedSize(sr, hr, scale);
        int k = shave(scale);
        Image img = (first ? sr : hr).crop(k, k, size[0], size[1]);
        int n = size[0] * size[1];
        if (space == Space.Y && img.channels() == 3) {
            double[] y = new double[n];
            byte[] p = img.pixels();
            for (int i = 0; i < n; i++) {
                double r = (p[i] & 0xFF) / 255.0;
                double g = (p[n + i] & 0xFF) / 255.0;
                double b = (p[2 * n + i] & 0xFF) / 255.0;
                y[i] = 16 + 65.481 * r + 128.553 * g + 24.966 * b;
            }
            return new double[][] {y};
        }
        double[][] out = new double[img.channels()][n];
        for (int c = 0; c < img.channels(); c++) {
            for (int i = 0; i < n; i++) out[c][i] = img.pixels()[c * n + i] & 0xFF;
        }
        return out;
    }
}
