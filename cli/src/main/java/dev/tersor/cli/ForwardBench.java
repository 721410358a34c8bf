package dev.tersor.cli;

import dev.tersor.compress.io.PackedLayer;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.Summary;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor bench forward}: the eval-mode forward of a whole zoo model on a random batch of
 * its input shape: with fresh float weights, any float weights file, or a compressed model file
 * (int8 layers then run on the integer kernels). Reports the median time, images per second and
 * the bytes the model's weights take in memory (float32 parameters and buffers; for packed
 * layers, what their kernels hold). A batch that cannot fit the heap is refused before its input
 * is allocated ({@link MemoryEstimate#forward}).
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = "Time the eval forward of a zoo model (float weights, or a compressed model file on its integer kernels).")
final class ForwardBench implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    BenchOptions opts;

    @Option(names = "--model", paramLabel = "M", description = "Zoo model (may be left out with a compressed --weights file).")
    String model;

    @Option(names = "--weights", paramLabel = "W", description = "Weights or a compressed model file (default: fresh float weights).")
    Path weights;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of fresh weights and the random input (default: ${DEFAULT-VALUE}).")
    long seed;

    @SuppressWarnings("try")
    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (batch < 1) throw new ParameterException(cl, "--batch must be a positive integer, got " + batch);
        opts.validate(cl);
        if (weights != null) Models.existingFile(cl, "--weights", weights);
        ModelInfo info = Models.info(cl, model, weights);
        Rng.manualSeed(seed);
        Module net = weights == null ? info.create().eval() : Models.load(info, weights);
        Summary summary = Summary.of(net, info.inputShape());
        int[] shape = new int[info.inputShape().length + 1];
        shape[0] = batch;
        System.arraycopy(info.inputShape(), 0, shape, 1, info.inputShape().length);
        MemoryEstimate.forward(residentBytes(net), sampleElements(info.inputShape()),
                summary.rows(), batch).requireFits(cl);
        Tensor x = Tensor.randn(new Generator(seed), shape);
        Map<String, Object> record = new LinkedHashMap<>();
        try (var applied = opts.apply(); var scope = Tensor.noGrad()) {
            cl.getErr().printf(Locale.ROOT, "tersor bench forward: %s, batch %d, %s%n", info.name(), batch,
                    weights == null ? "fresh float weights" : weights.toString());
            Timing.Result r = Timing.run(opts.plan(), null, () -> net.call(x), cl.getErr());
            long macs = summary.totalMacs();
            record.put("bench", "forward");
            record.put("model", info.name());
            record.put("weights", weights == null ? null : weights.toString());
            record.put("batch", batch);
            record.put("weight_bytes_in_memory", residentBytes(net));
            record.putAll(BenchCommand.environment());
            BenchCommand.putTiming(record, r, 2.0 * macs * batch);
            record.put("images_per_s", BenchCommand.round(batch / (r.medianMs() / 1e3), 1));
        }
        BenchCommand.print(cl.getOut(), opts.json, String.format(Locale.ROOT, "%s forward N%d%s", info.name(), batch,
                weights == null ? "" : " (" + weights.getFileName() + ")"), record);
        return 0;
    }

    /** Elements of one sample of {@code shape} (without the batch axis). */
    static long sampleElements(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** Bytes of the weights in memory: what packed layers hold, 4 per float parameter or buffer element elsewhere. */
    static long residentBytes(Module net) {
        long bytes = 0;
        for (Tensor t : net.stateDict().values()) bytes += 4L * t.numel();   // packed layers have no state-dict entries
        for (Module m : net.namedModules().values()) if (m instanceof PackedLayer p) bytes += p.residentBytes();
        return bytes;
    }
}
