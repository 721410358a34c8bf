package dev.tersor.cli;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.profile.LayerProfile;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.io.PrintWriter;
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
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor profile}: where a model's forward (and backward) time goes, layer by layer, on a
 * random batch ({@link LayerProfile}): own time per module, its share, multiply-accumulates and
 * achieved GFLOP/s, after warm-up.
 */
@Command(name = "profile", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Per-layer time of a model's forward (and backward): own time, share, MACs and GFLOP/s, after warm-up.",
            "A module's own time excludes its children's, so the rows add up to the whole pass."})
final class ProfileCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "M", description = "Zoo model (may be left out when --weights names it).")
    String model;

    @Option(names = "--weights", paramLabel = "W", description = "Weights or a compressed model file (default: fresh float weights).")
    Path weights;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--backward", description = "Also time the backward pass (training mode, gradient of sum(output)).")
    boolean backward;

    @Option(names = "--warmup", paramLabel = "K", defaultValue = "10", description = "Iterations before timing, at least (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--warmup-seconds", paramLabel = "S", defaultValue = "3",
            description = "Keep warming up until S seconds have passed (default: ${DEFAULT-VALUE}): the JIT compiles the kernels seconds into a run.")
    double warmupSeconds;

    @Option(names = "--iterations", paramLabel = "K", defaultValue = "20", description = "Timed iterations, averaged (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--threads", paramLabel = "T", description = "Threads for the kernels (default: -Dtersor.threads, else the number of processors).")
    Integer threads;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of fresh weights and the input (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "End stdout with one line of JSON.")
    boolean json;

    @SuppressWarnings("try")
    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (batch < 1) throw new ParameterException(cl, "--batch must be >= 1, got " + batch);
        if (warmup < 0 || iterations < 1) throw new ParameterException(cl, "--warmup must be >= 0 and --iterations >= 1");
        if (!(warmupSeconds >= 0) || Double.isInfinite(warmupSeconds)) {
            throw new ParameterException(cl, "--warmup-seconds must be a finite number >= 0, got " + warmupSeconds);
        }
        if (weights != null) Models.existingFile(cl, "--weights", weights);
        ModelInfo info = Models.info(cl, model, weights);
        if (backward && weights != null && dev.tersor.compress.io.CompressedModel.isCompressed(weights)) {
            throw new ParameterException(cl, "--backward: a compressed model file runs integer kernels, which have no backward; profile its float model");
        }
        try (Threads t = Threads.use(cl, threads)) {
            Rng.manualSeed(seed);
            Module net = weights == null ? info.create() : Models.load(info, weights);
            int[] sample = info.isClassifier() ? info.inputShape() : new int[] {3, 48, 48};
            int[] shape = new int[sample.length + 1];
            shape[0] = batch;
            System.arraycopy(sample, 0, shape, 1, sample.length);
            Tensor x = Tensor.randn(new Generator(seed), shape);
            cl.getErr().printf(Locale.ROOT, "tersor profile: %s, batch %d%s, warm-up of %d iterations and %.1f s, %d timed iterations%n",
                    info.name(), batch, backward ? ", forward and backward" : ", forward", warmup, warmupSeconds, iterations);
            cl.getErr().flush();
            LayerProfile.Result r = LayerProfile.measure(net, x, new LayerProfile.Options(warmup, iterations, backward, false, warmupSeconds));
            print(cl.getOut(), info, r);
        }
        return 0;
    }

    private void print(PrintWriter out, ModelInfo info, LayerProfile.Result r) {
        double rowsForward = r.rows().stream().mapToDouble(LayerProfile.Row::forwardMs).sum();
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (LayerProfile.Row row : r.rows()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("path", row.path());
                m.put("type", row.type());
                m.put("output_shape", toList(row.outputShape()));
                m.put("macs", row.macs());
                m.put("forward_ms", BenchCommand.round(row.forwardMs(), 4));
                m.put("forward_share", BenchCommand.round(row.forwardMs() / rowsForward, 4));
                m.put("forward_gflops", BenchCommand.round(row.forwardGflops(), 3));
                if (backward) m.put("backward_ms", BenchCommand.round(row.backwardMs(), 4));
                rows.add(m);
            }
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("model", info.name());
            record.put("weights", weights == null ? null : weights.toString());
            record.put("batch", batch);
            record.put("warmup", warmup);
            record.put("warmup_seconds", warmupSeconds);
            record.put("iterations", iterations);
            record.put("forward_ms", BenchCommand.round(r.forwardMs(), 4));
            if (backward) record.put("backward_ms", BenchCommand.round(r.backwardMs(), 4));
            record.put("macs", r.macs());
            record.putAll(BenchCommand.environment());
            record.put("layers", rows);
            out.println(Json.write(record));
        } else {
            List<String> h = new ArrayList<>(List.of("layer", "type", "output", "MACs", "forward ms", "share", "GFLOP/s"));
            if (backward) h.addAll(List.of("backward ms", "share"));
            List<Boolean> right = new ArrayList<>(List.of(false, false, false, true, true, true, true));
            if (backward) right.addAll(List.of(true, true));
            Table t = new Table(h, right);
            for (LayerProfile.Row row : r.rows()) {
                List<String> cells = new ArrayList<>(List.of(row.path().isEmpty() ? "(" + info.name() + " itself)" : row.path(), row.type(),
                        Models.shape(java.util.Arrays.copyOfRange(row.outputShape(), 1, row.outputShape().length)),
                        String.format(Locale.ROOT, "%,d", row.macs()), String.format(Locale.ROOT, "%.3f", row.forwardMs()),
                        String.format(Locale.ROOT, "%.1f%%", 100 * row.forwardMs() / rowsForward),
                        Double.isNaN(row.forwardGflops()) ? "" : String.format(Locale.ROOT, "%.2f", row.forwardGflops())));
                if (backward) {
                    cells.add(String.format(Locale.ROOT, "%.3f", row.backwardMs()));
                    cells.add(String.format(Locale.ROOT, "%.1f%%", 100 * row.backwardMs() / r.backwardMs()));
                }
                t.add(cells.toArray(String[]::new));
            }
            out.print(t);
            out.printf(Locale.ROOT, "total: forward %.3f ms%s, %,d MACs (%.2f GFLOP/s)%n", r.forwardMs(),
                    backward ? String.format(Locale.ROOT, ", backward %.3f ms", r.backwardMs()) : "", r.macs(), 2.0 * r.macs() / (r.forwardMs() * 1e6));
        }
        out.flush();
    }

    private static List<Integer> toList(int[] a) {
        List<Integer> l = new ArrayList<>();
        for (int v : a) l.add(v);
        return l;
    }
}
