package dev.tersor.cli;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.LrScheduler;
import dev.tersor.nn.optim.Optimizer;
import dev.tersor.nn.train.EpochMetrics;
import dev.tersor.nn.train.Evaluation;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.nn.zoo.Recipe;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.Parallel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor demo}: with no arguments and no network, trains LeNet-5 on the MNIST sample
 * bundled in the jar (8,000 train / 2,000 test images) with the lenet5 recipe (SGD lr 0.05,
 * momentum 0.9, weight decay 5e-4, cosine schedule per iteration, batch 64) for
 * {@value #EPOCHS} epochs, evaluates it, saves its weights, and prints a table: accuracy,
 * parameters, size on disk, seconds per epoch, training images per second. The last line is
 * {@code accuracy: NN.NN%} (LeNet-5 on the bundled test split).
 *
 * <p>The table has one row per {@link Row}; {@link #ROWS} lists them. A low-cost variant
 * (binary or adder LeNet-5, say) is one more entry: a zoo model, a conversion of the fresh
 * model and a change of recipe. After them come the compressed LeNet-5s made from the first
 * row's trained weights ({@link DemoCompression}: int8 PTQ, W4A4 LSQ, DP-Net 3-bit), each saved
 * as a compressed model file whose size is the one shown.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train LeNet-5 on the bundled MNIST sample (no network needed), evaluate and save it, print a table.",
            "Ends with the line 'accuracy: NN.NN%%'."})
final class DemoCommand implements Callable<Integer> {
    /** Epochs of the demo: a few seconds each on 2 cores, about 98% accuracy. */
    static final int EPOCHS = 6;
    static final long SEED = 42;

    /**
     * One row of the demo table: a model trained and evaluated like the others.
     *
     * @param id      short name: the weights file is {@code <id>.safetensors}
     * @param label   the table's model column
     * @param zooName the zoo model it starts from
     * @param convert turns the fresh zoo model into the variant (identity for the plain model)
     * @param recipe  adjusts the zoo model's recipe (identity to keep it; the demo's epoch count is applied after)
     */
    record Row(String id, String label, String zooName, UnaryOperator<Module> convert, UnaryOperator<Recipe> recipe) {
        static Row of(String id, String label, String zooName) {
            return new Row(id, label, zooName, UnaryOperator.identity(), UnaryOperator.identity());
        }
    }

    /** The rows, in table order; the first one's accuracy is the final {@code accuracy:} line. */
    static final List<Row> ROWS = List.of(Row.of("lenet5", "LeNet-5", "lenet5"),
            Row.of("lenet5-binary", "LeNet-5 binary", "lenet5-binary"),
            Row.of("lenet5-adder", "LeNet-5 adder", "lenet5-adder"));

    /** What one row measured. */
    record Result(String label, Evaluation evaluation, long parameters, long bytes, double secondsPerEpoch,
                  double imagesPerSecond, Path weights) {
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "" + EPOCHS, description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
            description = "Only the first N images of each split (a quicker, less accurate run; default: 0, all of them).")
    int limit;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "" + SEED, description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "T", description = "Threads for the kernels (default: -Dtersor.threads, else the number of processors).")
    Integer threads;

    @Option(names = "--out-dir", paramLabel = "D", description = "Where the weights go (default: $XDG_CACHE_HOME/tersor/demo, else ~/.cache/tersor/demo, replaced by each run).")
    Path outDir;

    @SuppressWarnings("try")
    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        if (epochs < 1) throw new ParameterException(cl, "--epochs must be >= 1, got " + epochs);
        if (limit < 0) throw new ParameterException(cl, "--limit must be >= 0, got " + limit);
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        try (Threads t = Threads.use(cl, threads)) {
            TensorDataset train = DataSplits.load(cl, Zoo.info("lenet5"), "mnist", null, true, limit);
            TensorDataset test = DataSplits.load(cl, Zoo.info("lenet5"), "mnist", null, false, limit);
            Path dir = Files.createDirectories(outDir != null ? outDir : defaultDir());
            out.printf(Locale.ROOT, "Tersor demo: the bundled MNIST sample (%d train / %d test images), %d epoch%s each, "
                            + "backend %s, %d thread%s, Java %s%n",
                    train.size(), test.size(), epochs, epochs == 1 ? "" : "s", Backends.current().name(), Parallel.threads(),
                    Parallel.threads() == 1 ? "" : "s",
                    Runtime.version().feature());
            out.flush();
            List<Result> results = new ArrayList<>();
            for (Row row : ROWS) results.add(run(row, train, test, dir, err));
            Result base = results.get(0);
            DataLoader testLoader = DataSplits.testLoader(Zoo.info("lenet5"), test);
            for (DemoCompression.Made m : DemoCompression.all(base.weights(), train, seed, err)) {
                Path file = DemoCompression.save(m, dir, "demo " + m.label() + " from " + base.weights().getFileName());
                results.add(new Result(m.label(), DemoCompression.evaluate(file, testLoader), base.parameters(), Files.size(file),
                        m.secondsPerEpoch(), m.imagesPerSecond(), file));
            }

            Table table = new Table(List.of("model", "accuracy", "parameters", "size on disk", "s/epoch", "images/s"),
                    List.of(false, true, true, true, true, true));
            for (Result r : results) {
                boolean trained = !Double.isNaN(r.secondsPerEpoch());
                table.add(r.label(), percent(r.evaluation().accuracy()), String.format(Locale.ROOT, "%,d", r.parameters()),
                        String.format(Locale.ROOT, "%.1f KB (%,d B)", r.bytes() / 1024.0, r.bytes()),
                        trained ? String.format(Locale.ROOT, "%.2f", r.secondsPerEpoch()) : "-",
                        trained ? String.format(Locale.ROOT, "%,.0f", r.imagesPerSecond()) : "-");
            }
            out.println();
            out.print(table);
            out.println();
            out.println("weights in " + dir + " (e.g. " + System.getProperty("tersor.command", "tersor") + " eval --model " + ROWS.get(0).zooName() + " --weights "
                    + results.get(0).weights() + ")");
            out.println("accuracy: " + percent(results.get(0).evaluation().accuracy()));
            out.flush();
        }
        return 0;
    }

    /** One directory per user that every demo run reuses, so runs do not pile up in /tmp. */
    static Path defaultDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("tersor").resolve("demo");
    }

    /** Trains, evaluates and saves one row's model. */
    private Result run(Row row, TensorDataset trainSet, TensorDataset testSet, Path dir, PrintWriter err) throws IOException {
        ModelInfo info = Zoo.info(row.zooName());
        Recipe base = row.recipe().apply(info.recipe());
        Recipe r = new Recipe(base.optimizer(), base.lr(), base.momentum(), base.weightDecay(), base.schedule(), epochs, base.batch());
        if (trainSet.size() < r.batch()) {
            throw new ParameterException(spec.commandLine(), "--limit " + limit + " leaves fewer training images than one batch of "
                    + r.batch());
        }
        Rng.manualSeed(seed);
        Module net = row.convert().apply(info.create());
        DataLoader train = DataSplits.trainLoader(info, trainSet, r.batch(), seed);
        DataLoader test = DataSplits.testLoader(info, testSet);
        Optimizer<?> opt = Training.optimizer(r, net);
        LrScheduler sched = Training.scheduler(r, opt, train.size());
        err.println("tersor demo: " + row.label() + ", " + r);
        err.flush();
        List<EpochMetrics> history = new Trainer(net, opt, sched, Losses::crossEntropy)
                .fit(train, null, Trainer.Options.epochs(r.epochs()).log(WriterStream.of(err)));
        Evaluation e = Evaluation.of(net, test);
        Path weights = dir.resolve(row.id() + ".safetensors");
        Models.save(info, net, weights);
        double seconds = 0;
        long samples = 0;
        for (EpochMetrics m : history) {
            seconds += m.epochSeconds();
            samples += (long) train.size() * r.batch();
        }
        return new Result(row.label(), e, net.parameterCount(), Files.size(weights), seconds / history.size(),
                samples / Math.max(seconds, 1e-9), weights);
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }
}
