package dev.tersor.cli;

import dev.tersor.nn.Module;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.train.Evaluation;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.tensor.backend.Parallel;
import java.io.PrintWriter;
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
 * {@code tersor eval}: accuracy of trained weights on a data set's test split, with the model's
 * preprocessing. A directory holding only the two test files is enough.
 * <pre>{@code
 * tersor eval --model lenet5 --weights lenet5.safetensors --data data/mnist --json
 * }</pre>
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate weights on the test split of a data set (accuracy as a fraction in JSON).",
            "A weights file of another model fails listing every mismatched key."})
final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "M", description = "Zoo model the weights belong to (may be left out for a compressed model file, which names its model).")
    String model;

    @Option(names = "--weights", required = true, paramLabel = "W",
            description = "Weights: a safetensors state dict (as written by train or PyTorch), or a training checkpoint.")
    Path weights;

    @Option(names = "--data", paramLabel = "D",
            description = "Directory with the test files, e.g. t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (default: the bundled MNIST sample's 2000 test images).")
    Path data;

    @Option(names = "--dataset", paramLabel = "mnist|fashion-mnist|cifar10", description = "Data set (default: the model's).")
    String dataset;

    @Option(names = "--threads", paramLabel = "T", description = "Threads for the kernels.")
    Integer threads;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Only the first N test samples (default: 0, all of them).")
    int limit;

    @Option(names = "--json", description = "End stdout with one line of JSON.")
    boolean json;

    @Mixin
    SrEval.Options sr;

    @SuppressWarnings("try")
    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (sr.applies(cl)) return new SrEval(this, sr).call();   // --task sr: super-resolution
        ModelInfo info = Models.info(cl, model, weights);
        String ds = DataSplits.dataset(cl, info, dataset);
        Models.existingFile(cl, "--weights", weights);
        if (limit < 0) throw new ParameterException(cl, "--limit must be >= 0, got " + limit);
        try (Threads t = Threads.use(cl, threads)) {
            Module net = Models.load(info, weights);
            int classes = DataSplits.classes(cl, ds, data), predicted = Models.storedClasses(weights);
            if (classes != predicted) {
                throw new ParameterException(cl, "--weights " + weights + " predict " + predicted + " classes but " + ds + " has " + classes);
            }
            TensorDataset test = DataSplits.load(cl, info, ds, data, false, limit);
            long start = System.nanoTime();
            Evaluation e = Evaluation.of(net, DataSplits.testLoader(info, test));
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("model", info.name());
            record.put("weights", weights.toString());
            record.put("dataset", ds);
            record.put("data", DataSplits.describe(data));
            record.put("accuracy", e.accuracy());
            record.put("correct", e.correct());
            record.put("total", e.total());
            record.put("seconds", BenchCommand.round(seconds, 3));
            record.put("threads", Parallel.threads());
            PrintWriter o = cl.getOut();
            if (json) {
                o.println(Json.write(record));
            } else {
                o.printf(Locale.ROOT, "%s on the %s test split (%s): %d of %d right, accuracy %.2f%%%n",
                        info.name(), ds, DataSplits.describe(data), e.correct(), e.total(), 100 * e.accuracy());
            }
            o.flush();
        }
        return 0;
    }
}
