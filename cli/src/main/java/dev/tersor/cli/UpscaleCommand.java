package dev.tersor.cli;

import dev.tersor.nn.sr.Image;
import dev.tersor.nn.sr.Metrics;
import dev.tersor.nn.sr.Upscaler;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.tensor.backend.Parallel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor upscale}: one image through a super-resolution model, in tiles ({@link Upscaler}
 * at integer scales, {@link dev.tersor.nn.sr.AnyScaleUpscaler} at meta-edsr's non-integer ones:
 * memory bounded by the tile, the result equal to a whole-image pass up to float rounding),
 * written as an RGB PNG (atomically; an existing file only with {@code --force}).
 * <pre>{@code
 * tersor upscale --model edsr --weights edsr-x2.safetensors --scale 2 in.png out.png
 * tersor upscale --weights meta-edsr.safetensors --scale 2.5 in.png out.png
 * }</pre>
 */
@Command(name = "upscale", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Super-resolve one image with a trained SR model (e.g. from 'tersor train --task sr'), tile by tile.",
            "Progress goes to stderr; with --json the last stdout line is one JSON object."})
final class UpscaleCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "M", description = "SR zoo model (edsr, edsr-tiny, ...; may be left out when the weights name it).")
    String model;

    @Option(names = "--weights", required = true, paramLabel = "W", description = "Weights: a safetensors state dict or a 'train --task sr' checkpoint.")
    Path weights;

    @Option(names = "--scale", paramLabel = "S", description = "Upscaling factor: an integer, or for meta-edsr any number in (1, 4] such as 2.5 (default: the one the weights record, else the model's).")
    String scale;

    @Option(names = "--tile", paramLabel = "T", description = "Tile side in LR pixels; memory grows with its square (default: " + Upscaler.DEFAULT_TILE + ").")
    Integer tile;

    @Option(names = "--force", description = "Overwrite OUT if it exists.")
    boolean force;

    @Option(names = "--threads", paramLabel = "T", description = "Threads for the kernels.")
    Integer threads;

    @Option(names = "--compare", paramLabel = "PNG", description = "Also write a side-by-side crop: bicubic and the model (and the HR image with --reference), labelled, enlarged by whole pixels.")
    Path compare;

    @Option(names = "--reference", paramLabel = "HR", description = "With --compare: the original HR image (IN is its downscale); adds its crop and each panel's Y-channel PSNR.")
    Path reference;

    @Option(names = "--crop", paramLabel = "X,Y,SIZE", description = "With --compare: the window in output pixels (default: the centred square of up to 128).")
    String crop;

    @Option(names = "--json", description = "End stdout with one line of JSON.")
    boolean json;

    @Parameters(index = "0", paramLabel = "IN", description = "Input image (PNG or JPEG).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "Output PNG.")
    Path out;

    @SuppressWarnings("try")
    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        Models.existingFile(cl, "IN", in);
        Models.existingFile(cl, "--weights", weights);
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new ParameterException(cl, "OUT " + out + ": upscale writes PNG only; give a name ending in .png");
        }
        if (Files.exists(out) && !force) throw new ParameterException(cl, "OUT " + out + " exists; add --force to overwrite it");
        if (Files.exists(out) && Files.isSameFile(in, out)) throw new ParameterException(cl, "OUT " + out + " is the input image");
        Models.outputFile(cl, "OUT", out);
        int t = tile != null ? tile : Upscaler.DEFAULT_TILE;
        if (t < 1) throw new ParameterException(cl, "--tile must be >= 1, got " + t);
        if (compare == null && (reference != null || crop != null)) throw new ParameterException(cl, "--reference and --crop go with --compare PNG");
        if (compare != null) {
            if (!compare.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) throw new ParameterException(cl, "--compare " + compare + ": give a name ending in .png");
            Models.outputFile(cl, "--compare", compare);
            if (reference != null) Models.existingFile(cl, "--reference", reference);
        }
        SrComparison.Window window = null;
        if (crop != null) {
            try {
                window = SrComparison.Window.parse(crop);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl, "--" + e.getMessage());
            }
        }
        ModelInfo info = SrModels.info(cl, model, weights);
        SrScale s = SrModels.resolveAnyScale(cl, info, scale, weights);
        Image lr = Image.read(in);
        Image hr = null;
        if (compare != null) {   // checked before the long part
            int oh = s.out(lr.height()), ow = s.out(lr.width());
            if (window == null) window = SrComparison.Window.centre(oh, ow);
            if (window.left() + window.size() > ow || window.top() + window.size() > oh) {
                throw new ParameterException(cl, "--crop " + window.size() + "x" + window.size() + " at (x " + window.left() + ", y " + window.top()
                        + ") does not fit in the " + ow + "x" + oh + " output");
            }
            if (reference != null) hr = reference(cl, lr, s, oh, ow);
        }
        try (Threads th = Threads.use(cl, threads)) {
            SrTiles up = SrTiles.load(cl, info, s, weights, t);
            PrintWriter err = cl.getErr();
            int tiles = ((lr.height() + t - 1) / t) * ((lr.width() + t - 1) / t);
            err.printf(Locale.ROOT, "tersor upscale: %s (%s) x%s with %s, %d tile%s of %dx%d (margin %d)%n", in, lr.size(), s.label(), info.name(), tiles,
                    tiles == 1 ? "" : "s", t, t, up.margin());
            err.flush();
            long start = System.nanoTime();
            int[] shown = {-1};
            Image sr = up.upscale(lr, (done, total) -> {
                int tenth = done * 10 / total;
                if (total > 1 && tenth != shown[0]) {
                    shown[0] = tenth;
                    err.printf(Locale.ROOT, "  tile %d/%d (%d%%), %.1f s%n", done, total, 100 * done / total, (System.nanoTime() - start) / 1e9);
                    err.flush();
                }
            });
            double seconds = (System.nanoTime() - start) / 1e9;
            sr.writePng(out);
            Map<String, Object> psnr = compare == null ? Map.of() : compare(lr, sr, hr, s, info.name(), window);
            PrintWriter o = cl.getOut();
            if (json) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("model", info.name());
                r.put("weights", weights.toString());
                r.put("scale", s.json());
                r.put("in", in.toString());
                r.put("out", out.toString());
                r.put("width", sr.width());
                r.put("height", sr.height());
                r.put("tile", t);
                r.put("margin", up.margin());
                r.put("tiles", tiles);
                r.put("seconds", BenchCommand.round(seconds, 3));
                r.put("threads", Parallel.threads());
                if (compare != null) r.put("compare", compare.toString());
                r.putAll(psnr);
                o.println(Json.write(r));
            } else {
                o.printf(Locale.ROOT, "%s (%s) -> %s (%s), x%s %s, %.1f s%n", in, lr.size(), out, sr.size(), s.label(), info.name(), seconds);
                if (compare != null) o.println("comparison: " + compare + (psnr.isEmpty() ? "" : " (Y PSNR: bicubic " + psnr.get("psnr_bicubic") + " dB, model " + psnr.get("psnr") + " dB)"));
            }
            o.flush();
        }
        return 0;
    }

    /** The HR image IN was downscaled from, cut to the output's size (the part its modcrop kept). */
    private Image reference(CommandLine cl, Image lr, SrScale s, int oh, int ow) throws java.io.IOException {
        Image hr = Image.read(reference);
        if (hr.height() < oh || hr.width() < ow || hr.height() - oh >= s.value() || hr.width() - ow >= s.value()) {
            throw new ParameterException(cl, "--reference " + reference + " is " + hr.size() + ", but x" + s.label() + " of IN (" + lr.size() + ") is " + ow + "x" + oh
                    + ": give the HR image IN was downscaled from");
        }
        return hr.crop(0, 0, oh, ow).rgb();
    }

    /** Writes the {@code --compare} PNG; with a reference {@code hr}, returns the PSNRs (dB) it labels the panels with. */
    private Map<String, Object> compare(Image lr, Image sr, Image hr, SrScale s, String name, SrComparison.Window window) throws java.io.IOException {
        Image bicubic = s.bicubic(lr.rgb()), out = sr.rgb();
        List<SrComparison.Panel> panels = new ArrayList<>();
        Map<String, Object> psnr = new LinkedHashMap<>();
        String bicubicLabel = "bicubic x" + s.label(), modelLabel = name + " x" + s.label();
        if (hr != null) {
            double pb = BenchCommand.round(Metrics.psnr(bicubic, hr, s.value()), 2), pm = BenchCommand.round(Metrics.psnr(out, hr, s.value()), 2);
            psnr.put("psnr_bicubic", pb);
            psnr.put("psnr", pm);
            panels.add(new SrComparison.Panel("HR", hr));
            bicubicLabel += String.format(Locale.ROOT, "  %.2f dB", pb);
            modelLabel += String.format(Locale.ROOT, "  %.2f dB", pm);
        }
        panels.add(new SrComparison.Panel(bicubicLabel, bicubic));
        panels.add(new SrComparison.Panel(modelLabel, out));
        SrComparison.write(panels, window, compare);
        return psnr;
    }
}
