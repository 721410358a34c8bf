package dev.tersor.cli;

import dev.tersor.nn.Module;
import dev.tersor.nn.sr.Image;
import dev.tersor.nn.sr.Upscaler;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.tensor.backend.Parallel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
 * {@code tersor upscale}: one image through a super-resolution model, in tiles ({@link Upscaler}:
 * memory bounded by the tile, the result equal to a whole-image pass up to float rounding),
 * written as an RGB PNG (atomically; an existing file only with {@code --force}).
 * <pre>{@code
 * tersor upscale --model edsr --weights edsr-x2.safetensors --scale 2 in.png out.png
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

    @Option(names = "--scale", paramLabel = "S", description = "Upscaling factor (default: the one the weights record, else the model's).")
    Integer scale;

    @Option(names = "--tile", paramLabel = "T", description = "Tile side in LR pixels; memory grows with its square (default: " + Upscaler.DEFAULT_TILE + ").")
    Integer tile;

    @Option(names = "--force", description = "Overwrite OUT if it exists.")
    boolean force;

    @Option(names = "--threads", paramLabel = "T", description = "Threads for the kernels.")
    Integer threads;

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
        ModelInfo info = SrModels.info(cl, model, weights);
        int s = SrModels.resolveScale(cl, info, scale, weights);
        Image lr = Image.read(in);
        try (Threads th = Threads.use(cl, threads)) {
            Module net = SrModels.load(cl, info, s, weights);
            Upscaler up = new Upscaler(net, s, t, Upscaler.receptiveRadius(net));
            PrintWriter err = cl.getErr();
            int tiles = ((lr.height() + t - 1) / t) * ((lr.width() + t - 1) / t);
            err.printf(Locale.ROOT, "tersor upscale: %s (%s) x%d with %s, %d tile%s of %dx%d (margin %d)%n", in, lr.size(), s, info.name(), tiles,
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
            PrintWriter o = cl.getOut();
            if (json) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("model", info.name());
                r.put("weights", weights.toString());
                r.put("scale", s);
                r.put("in", in.toString());
                r.put("out", out.toString());
                r.put("width", sr.width());
                r.put("height", sr.height());
                r.put("tile", t);
                r.put("margin", up.margin());
                r.put("tiles", tiles);
                r.put("seconds", BenchCommand.round(seconds, 3));
                r.put("threads", Parallel.threads());
                o.println(Json.write(r));
            } else {
                o.printf(Locale.ROOT, "%s (%s) -> %s (%s), x%d %s, %.1f s%n", in, lr.size(), out, sr.size(), s, info.name(), seconds);
            }
            o.flush();
        }
        return 0;
    }
}
