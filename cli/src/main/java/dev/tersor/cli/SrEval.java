package dev.tersor.cli;

import dev.tersor.nn.sr.BicubicBaseline.Score;
import dev.tersor.nn.sr.Image;
import dev.tersor.nn.sr.SrEvaluation;
import dev.tersor.nn.sr.Upscaler;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.tensor.backend.Parallel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code tersor eval --task sr}: a super-resolution model on a folder of HR images, per image and
 * the mean, the bicubic baseline beside ({@link SrEvaluation}: LR made by MATLAB-compatible
 * bicubic downscaling, the model's output quantised to 8 bits, Y PSNR/SSIM with the scale shaved
 * off each side, RGB PSNR; at meta-edsr's non-integer scales {@link dev.tersor.nn.sr.AnyScaleEvaluation}'s
 * crop to {@code ⌊s·⌊H/s⌋⌋} and shave of {@code ⌈s⌉}, in tiles).
 * <pre>{@code
 * tersor eval --task sr --model edsr --weights edsr-x2.safetensors --scale 2 --data data/sr-eval --json
 * tersor eval --task sr --weights meta-edsr.safetensors --scale 2.5 --data data/sr-eval
 * }</pre>
 */
final class SrEval {
    /** The SR flags of {@code eval}, a picocli mixin. */
    static final class Options {
        @Option(names = "--task", paramLabel = "classify|sr",
                description = "classify (default) or sr: a super-resolution model scored on a folder of HR images, bicubic beside.")
        String task;

        @Option(names = "--scale", paramLabel = "S",
                description = "SR: the upscaling factor, an integer or for meta-edsr any number in (1, 4] such as 2.5 (default: the one the weights record, else the model's).")
        String scale;

        @Option(names = "--tile", paramLabel = "T", description = "SR: tile side in LR pixels, so memory stays bounded (default: " + Upscaler.DEFAULT_TILE + ").")
        Integer tile;

        /** True for {@code --task sr}. SR flags on a classification run are a usage error. */
        boolean applies(CommandLine cl) {
            boolean sr = SrModels.isSrTask(cl, task);
            if (!sr && (scale != null || tile != null)) {
                throw new ParameterException(cl, (scale != null ? "--scale" : "--tile") + ": only for super-resolution (--task sr)");
            }
            return sr;
        }
    }

    private final EvalCommand c;
    private final Options o;

    SrEval(EvalCommand command, Options options) {
        this.c = command;
        this.o = options;
    }

    @SuppressWarnings("try")
    Integer call() throws IOException {
        CommandLine cl = c.spec.commandLine();
        PrintWriter err = cl.getErr();
        if (c.dataset != null) throw new ParameterException(cl, "--dataset is for classifiers; --task sr scores the HR images of --data");
        if (c.limit != 0) throw new ParameterException(cl, "--limit is for classifiers; --task sr scores every image of --data");
        Models.existingFile(cl, "--weights", c.weights);
        ModelInfo info = SrModels.info(cl, c.model, c.weights);
        if (c.data == null) throw new ParameterException(cl, "--task sr needs --data D, a folder of HR images (e.g. from 'tersor data fetch sr-eval --dir D')");
        int tile = o.tile != null ? o.tile : Upscaler.DEFAULT_TILE;
        if (tile < 1) throw new ParameterException(cl, "--tile must be >= 1, got " + tile);
        SrScale scale = SrModels.resolveAnyScale(cl, info, o.scale, c.weights);
        try (Threads t = Threads.use(cl, c.threads)) {
            SrTiles tiles = SrTiles.load(cl, info, scale, c.weights, tile);
            List<Path> files = Image.list(c.data);
            long start = System.nanoTime();
            err.printf(Locale.ROOT, "tersor eval --task sr: %s x%s on %d images of %s%n", info.name(), scale.label(), files.size(), c.data);
            err.flush();
            SrEvaluation.Result r = SrEvaluation.evaluate(files, tiles.scorer(), WriterStream.of(err));
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!r.skipped().isEmpty()) {
                int side = tiles.minimumSide();
                err.println("warning: " + r.skipped().size() + " of " + files.size() + " images in " + c.data + (r.skipped().size() == 1 ? " is" : " are")
                        + " smaller than " + side + "x" + side + ", too small to score at x" + scale.label()
                        + "; skipped: " + String.join(", ", r.skipped()));
                err.flush();
            }
            if (r.rows().isEmpty()) throw new IllegalArgumentException(c.data + ": no image large enough to score at x" + scale.label());
            PrintWriter out = cl.getOut();
            if (c.json) {
                out.println(Json.write(record(info, scale, tile, r, seconds)));
            } else {
                out.print(table(info, scale, r));
            }
            out.flush();
        }
        return 0;
    }

    /** Per image and the mean: size, the model's PSNR-Y, SSIM-Y, PSNR-RGB and the bicubic baseline's. */
    static String table(ModelInfo info, SrScale scale, SrEvaluation.Result r) {
        Table t = new Table(List.of(info.name() + " x" + scale.label(), "size", "PSNR-Y", "SSIM-Y", "PSNR-RGB", "bicubic PSNR-Y", "bicubic SSIM-Y",
                "bicubic PSNR-RGB"), List.of(false, true, true, true, true, true, true, true));
        for (SrEvaluation.Row row : r.rows()) add(t, row.model(), row.bicubic());
        add(t, r.modelMean(), r.bicubicMean());
        return t.toString();
    }

    private static void add(Table t, Score m, Score b) {
        t.add(m.image(), m.width() == 0 ? "" : m.width() + "x" + m.height(), f2(m.psnrY()), f4(m.ssimY()), f2(m.psnrRgb()),
                f2(b.psnrY()), f4(b.ssimY()), f2(b.psnrRgb()));
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private Map<String, Object> record(ModelInfo info, SrScale scale, int tile, SrEvaluation.Result r, double seconds) {
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("task", "sr");
        rec.put("model", info.name());
        rec.put("weights", c.weights.toString());
        rec.put("scale", scale.json());
        rec.put("data", c.data.toString());
        rec.put("tile", tile);
        List<Object> images = new ArrayList<>();
        for (SrEvaluation.Row row : r.rows()) {
            Map<String, Object> m = scores(row.model());
            m.put("bicubic", scores(row.bicubic()));
            images.add(m);
        }
        rec.put("images", images);
        rec.put("mean", scores(r.modelMean()));
        rec.put("bicubic", scores(r.bicubicMean()));
        rec.put("skipped", r.skipped());
        rec.put("seconds", BenchCommand.round(seconds, 3));
        rec.put("threads", Parallel.threads());
        return rec;
    }

    private static Map<String, Object> scores(Score s) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (s.width() > 0) {
            m.put("image", s.image());
            m.put("width", s.width());
            m.put("height", s.height());
        }
        m.put("psnr_y", s.psnrY());
        m.put("ssim_y", s.ssimY());
        m.put("psnr_rgb", s.psnrRgb());
        return m;
    }
}
