package dev.tersor.nn.sr;

import dev.tersor.nn.sr.BicubicBaseline.Score;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A super-resolution model scored on a folder of HR images, with the bicubic baseline beside it,
 * as the SR benchmark tables (EDSR's {@code test_only} on Set5/Set14/..., BasicSR's test script):
 * <ol>
 *   <li>the HR image is made RGB (a gray one repeats its channel, EDSR's {@code set_channel}) and
 *       cropped to a multiple of the scale s ({@code modcrop});</li>
 *   <li>its LR image is {@link Bicubic#downscale} by s (MATLAB's {@code imresize}, as the
 *       benchmarks' LR files are made);</li>
 *   <li>the model's output ({@link Upscaler}, tiled, quantised to 8 bits as EDSR's
 *       {@code quantize}) and the bicubic upscale of the same LR image
 *       ({@link BicubicBaseline#evaluate(String, Image, int)}) are scored against the HR image with
 *       {@link Metrics}: PSNR and SSIM on Y with s pixels shaved off each side, and RGB PSNR;</li>
 *   <li>the means are over images (a mean of per-image PSNRs, the tables' convention).</li>
 * </ol>
 * Images too small to score ({@link #scorable}: fewer than 11×11 pixels left after the crop and
 * the shave) are left out and named in {@link Result#skipped}.
 * <pre>{@code
 * SrEvaluation.Result r = SrEvaluation.evaluate(Image.list(Path.of("data/sr-eval")), Upscaler.of(model, 2), System.err);
 * r.modelMean().psnrY();    // dB
 * r.bicubicMean().psnrY();  // the baseline on the same images
 * }</pre>
 */
public final class SrEvaluation {
    private SrEvaluation() {}

    /**
     * One image's two rows.
     *
     * @param model   the model's scores ({@code image} is the file name, height and width those of the scored HR image)
     * @param bicubic the bicubic baseline's, on the same LR image
     */
    public record Row(Score model, Score bicubic) {
        public Row {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(bicubic, "bicubic");
        }
    }

    /**
     * The scores of a set of images.
     *
     * @param rows    one per image scored, in order
     * @param skipped images left out as too small, each as {@code "name (WxH)"}
     */
    public record Result(List<Row> rows, List<String> skipped) {
        public Result {
            rows = List.copyOf(rows);
            skipped = List.copyOf(skipped);
        }

        /** The model's mean scores ({@link BicubicBaseline#mean}); at least one row is needed. */
        public Score modelMean() {
            return BicubicBaseline.mean(rows.stream().map(Row::model).toList());
        }

        /** The bicubic baseline's mean scores. */
        public Score bicubicMean() {
            return BicubicBaseline.mean(rows.stream().map(Row::bicubic).toList());
        }
    }

    /**
     * The smallest side an HR image needs to be scored at {@code scale}: the smallest multiple of
     * the scale that leaves {@link Metrics#SSIM_WINDOW} pixels after shaving {@code scale} off
     * each side ({@code 16} for ×2, {@code 18} for ×3, {@code 20} for ×4).
     */
    public static int minimumSide(int scale) {
        if (scale < 2) throw new IllegalArgumentException("scale must be an integer >= 2, got " + scale);
        int need = 2 * scale + Metrics.SSIM_WINDOW;
        return (need + scale - 1) / scale * scale;
    }

    /** True when {@code hr} is at least {@link #minimumSide} on both sides. */
    public static boolean scorable(Image hr, int scale) {
        int m = minimumSide(scale);
        return hr.height() >= m && hr.width() >= m;
    }

    /** Both rows for one HR image (as the class describes) named {@code name}. */
    public static Row evaluate(String name, Image hr, Upscaler upscaler) {
        int s = upscaler.scale();
        if (!scorable(hr, s)) {
            throw new IllegalArgumentException(name + ": image is " + hr.size() + ", smaller than the " + minimumSide(s) + "x"
                    + minimumSide(s) + " needed to score a x" + s + " super-resolution");
        }
        Image h = hr.rgb().modcrop(s);
        Image sr = upscaler.upscale(Bicubic.downscale(h, s));
        Score model = new Score(name, h.height(), h.width(), Metrics.psnr(sr, h, s), Metrics.ssim(sr, h, s),
                Metrics.psnr(sr, h, s, Metrics.Space.RGB));
        return new Row(model, BicubicBaseline.evaluate(name, h, s));
    }

    /**
     * How each HR image is scored: {@link SrEvaluation}'s own at an integer scale
     * ({@link #scorer(Upscaler)}), {@link AnyScaleEvaluation}'s at any.
     */
    public interface Scorer {
        /** False for an image too small to score (left out and named in {@link Result#skipped}). */
        boolean scorable(Image hr);

        /** Both rows for {@code hr}, named {@code name}. */
        Row evaluate(String name, Image hr);
    }

    /** This class's scoring with {@code upscaler}: {@link #scorable(Image, int)} and {@link #evaluate(String, Image, Upscaler)}. */
    public static Scorer scorer(Upscaler upscaler) {
        Objects.requireNonNull(upscaler, "upscaler");
        return new Scorer() {
            @Override
            public boolean scorable(Image hr) {
                return SrEvaluation.scorable(hr, upscaler.scale());
            }

            @Override
            public Row evaluate(String name, Image hr) {
                return SrEvaluation.evaluate(name, hr, upscaler);
            }
        };
    }

    /**
     * Every image of {@code images} (named by {@code names}) that is {@link #scorable}, in order;
     * {@code log} (null: silent) gets a line per image scored.
     */
    public static Result evaluate(List<Image> images, List<String> names, Upscaler upscaler, PrintStream log) {
        return evaluate(images, names, scorer(upscaler), log);
    }

    /** {@link #evaluate(List, List, Upscaler, PrintStream)} with any {@link Scorer}. */
    public static Result evaluate(List<Image> images, List<String> names, Scorer scorer, PrintStream log) {
        if (images.size() != names.size()) throw new IllegalArgumentException(images.size() + " images but " + names.size() + " names");
        List<Row> rows = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            Image hr = images.get(i);
            if (!scorer.scorable(hr)) {
                skipped.add(names.get(i) + " (" + hr.size() + ")");
                continue;
            }
            Row r = scorer.evaluate(names.get(i), hr);
            rows.add(r);
            if (log != null) {
                log.printf(Locale.ROOT, "  %d/%d %s: PSNR-Y %.2f dB (bicubic %.2f)%n", i + 1, images.size(), names.get(i),
                        r.model().psnrY(), r.bicubic().psnrY());
                log.flush();
            }
        }
        return new Result(rows, skipped);
    }

    /**
     * Every file of {@code files} (read one at a time, so memory holds one image), as
     * {@link #evaluate(List, List, Upscaler, PrintStream)}; rows are named by file name.
     *
     * @throws IOException naming the file when one cannot be read or decoded
     */
    public static Result evaluate(List<Path> files, Upscaler upscaler, PrintStream log) throws IOException {
        return evaluate(files, scorer(upscaler), log);
    }

    /** {@link #evaluate(List, Upscaler, PrintStream)} with any {@link Scorer}. */
    public static Result evaluate(List<Path> files, Scorer scorer, PrintStream log) throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Path f : files) {
            Image hr = Image.read(f);
            Result one = evaluate(List.of(hr), List.of(f.getFileName().toString()), scorer, null);
            rows.addAll(one.rows());
            skipped.addAll(one.skipped());
            if (log != null && !one.rows().isEmpty()) {
                Row r = one.rows().get(0);
                log.printf(Locale.ROOT, "  %d/%d %s: PSNR-Y %.2f dB (bicubic %.2f)%n", rows.size() + skipped.size(), files.size(),
                        f.getFileName(), r.model().psnrY(), r.bicubic().psnrY());
                log.flush();
            }
        }
        return new Result(rows, skipped);
    }
}
