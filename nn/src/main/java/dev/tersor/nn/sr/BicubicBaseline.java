package dev.tersor.nn.sr;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The "Bicubic" row of super-resolution tables: each HR image is cropped to a multiple of the
 * scale, downscaled with {@link Bicubic#downscale} and upscaled back with {@link Bicubic#upscale},
 * and the result is scored against the cropped HR image with {@link Metrics} (Y PSNR and SSIM, RGB PSNR).
 * <pre>{@code
 * List<BicubicBaseline.Score> s = BicubicBaseline.evaluate(Image.list(Path.of("data/sr-eval")), 4);
 * BicubicBaseline.Score mean = BicubicBaseline.mean(s);
 * }</pre>
 */
public final class BicubicBaseline {
    private BicubicBaseline() {}

    /**
     * One image's scores.
     *
     * @param image the file (or "mean")
     * @param height height of the scored HR image (cropped to a multiple of the scale)
     * @param width its width
     * @param psnrY PSNR on Y, dB
     * @param ssimY SSIM on Y
     * @param psnrRgb PSNR on R, G, B, dB
     */
    public record Score(String image, int height, int width, double psnrY, double ssimY, double psnrRgb) {}

    /** The bicubic round trip of one HR image by {@code scale} (an integer >= 2), scored. */
    public static Score evaluate(String name, Image hr, int scale) {
        if (scale < 2) throw new IllegalArgumentException("scale must be an integer >= 2, got " + scale);
        if (hr.height() < scale || hr.width() < scale) {
            throw new IllegalArgumentException(name + ": image is " + hr.size() + ", smaller than the scale " + scale);
        }
        Image h = hr.modcrop(scale);
        Image sr = Bicubic.upscale(Bicubic.downscale(h, scale), scale);
        return new Score(name, h.height(), h.width(), Metrics.psnr(sr, h, scale), Metrics.ssim(sr, h, scale),
                Metrics.psnr(sr, h, scale, Metrics.Space.RGB));
    }

    /** {@link #evaluate(String, Image, int)} of every file, in order. */
    public static List<Score> evaluate(List<Path> files, int scale) throws IOException {
        List<Score> out = new ArrayList<>();
        for (Path f : files) {
            try {
                out.add(evaluate(f.getFileName().toString(), Image.read(f), scale));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(f + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** The mean of each score over the images (the tables' convention: a mean of per-image PSNRs). */
    public static Score mean(List<Score> scores) {
        if (scores.isEmpty()) throw new IllegalArgumentException("no scores to average");
        double p = 0, s = 0, r = 0;
        for (Score x : scores) {
            p += x.psnrY();
            s += x.ssimY();
            r += x.psnrRgb();
        }
        int n = scores.size();
        return new Score("mean", 0, 0, p / n, s / n, r / n);
    }
}
