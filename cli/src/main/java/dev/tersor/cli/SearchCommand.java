package dev.tersor.cli;

import dev.tersor.nn.Rng;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.StratifiedSplit;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.search.Architecture;
import dev.tersor.search.ChainSpace;
import dev.tersor.search.Constraint;
import dev.tersor.search.CostTable;
import dev.tersor.search.Evolution;
import dev.tersor.search.Experiment;
import dev.tersor.search.LocalExecutor;
import dev.tersor.search.RandomSearch;
import dev.tersor.search.SearchResult;
import dev.tersor.search.Supernet;
import dev.tersor.search.SupernetFitness;
import dev.tersor.search.SupernetTraining;
import dev.tersor.search.TrialExecutor;
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
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor search}: single-path one-shot architecture search on a declared space
 * ({@code dev.tersor.search}). Trains the weight-sharing supernet with uniform paths on the
 * training split less a stratified validation hold-out, then searches with SPOS evolution or
 * random search, each candidate scored on the hold-out after batch-norm recalibration; writes the
 * best architecture as JSON. Everything lives in {@code --dir} (supernet checkpoint, trial log,
 * search state), so a rerun after a kill resumes.
 */
@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Architecture search: train a weight-sharing supernet, then SPOS evolution or random search on a validation hold-out;",
            "writes the best architecture (arch.json). A rerun with the same --dir resumes."})
final class SearchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--space", paramLabel = "S", defaultValue = "fashion-tiny", description = "Search space: fashion-tiny (4 layers × 4 ops, 1×28×28 inputs; default).")
    String space;

    @Option(names = "--method", paramLabel = "spos|random", defaultValue = "spos", description = "Search strategy (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--data", paramLabel = "D", description = "Data directory (default: the bundled MNIST sample).")
    Path data;

    @Option(names = "--dataset", paramLabel = "mnist|fashion-mnist", defaultValue = "fashion-mnist", description = "Data set (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Use the first N training samples (0: all).")
    int limit;

    @Option(names = "--val-split", paramLabel = "F", defaultValue = "0.1", description = "Stratified hold-out of the training split that scores candidates (default: ${DEFAULT-VALUE}).")
    double valSplit;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "3", description = "Supernet training epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "0.05", description = "Supernet SGD learning rate, momentum 0.9 (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--population", paramLabel = "P", defaultValue = "50", description = "spos: population (default: ${DEFAULT-VALUE}, as the paper).")
    int population;

    @Option(names = "--generations", paramLabel = "G", defaultValue = "20", description = "spos: generations (default: ${DEFAULT-VALUE}, as the paper).")
    int generations;

    @Option(names = "--evaluations", paramLabel = "N", defaultValue = "100", description = "random: candidates scored (default: ${DEFAULT-VALUE}).")
    int evaluations;

    @Option(names = "--max-macs", paramLabel = "M", description = "Admit only architectures with at most M multiply-accumulates per image.")
    Double maxMacs;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dir", paramLabel = "RUN", description = "Run directory: checkpoint, trial log, state (default: <out>.run).")
    Path dir;

    @Option(names = "--out", required = true, paramLabel = "arch.json", description = "Where the best architecture goes.")
    Path out;

    @Option(names = "--threads", paramLabel = "T", description = "Threads for the kernels.")
    Integer threads;

    @Option(names = "--json", description = "End stdout with one line of JSON.")
    boolean json;

    /** Every scored candidate: trial, generation, origin, ops, op names, validation accuracy and costs. */
    private static void writeTrials(Path csv, List<dev.tersor.search.Trial> trials, ChainSpace s) throws java.io.IOException {
        StringBuilder sb = new StringBuilder("trial,generation,origin,ops,op_names,validation_accuracy,macs,params\n");
        for (dev.tersor.search.Trial t : trials) {
            sb.append(t.index()).append(',').append(t.generation()).append(',').append(t.origin()).append(',').append(t.arch().key()).append(',')
                    .append(PredictFolder.csvCell(String.join(" ", s.opNames(t.arch())))).append(',').append(t.score()).append(',')
                    .append(t.costs().getOrDefault("macs", Double.NaN)).append(',').append(t.costs().getOrDefault("params", Double.NaN)).append('\n');
        }
        Path tmp = Files.createTempFile(csv.toAbsolutePath().getParent(), "." + csv.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, sb);
            Files.move(tmp, csv, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @SuppressWarnings("try")
    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (!space.equals("fashion-tiny")) throw new ParameterException(cl, "--space: unknown space '" + space + "'; available: fashion-tiny");
        String m = method.trim().toLowerCase(Locale.ROOT);
        if (!m.equals("spos") && !m.equals("random")) throw new ParameterException(cl, "--method must be spos or random, got '" + method + "'");
        if (!(valSplit > 0 && valSplit < 1)) throw new ParameterException(cl, "--val-split must be in (0, 1), got " + valSplit);
        if (epochs < 1 || evaluations < 1 || population < 2 || generations < 1 || limit < 0) {
            throw new ParameterException(cl, "--epochs, --evaluations and --generations must be >= 1, --population >= 2, --limit >= 0");
        }
        if (!(lr > 0) || Double.isInfinite(lr)) throw new ParameterException(cl, "--lr must be a finite number > 0, got " + lr);
        Models.outputFile(cl, "--out", out);
        Path run = dir != null ? dir : Path.of(out + ".run");
        ChainSpace s = ChainSpace.fashionTiny();
        CostTable macs = CostTable.macs(s), params = CostTable.parameters(s);
        List<Constraint> limits = new ArrayList<>();
        if (maxMacs != null) {
            try {
                limits.add(new Constraint(macs, maxMacs));   // a limit no architecture meets names the smallest
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl, "--max-macs: " + e.getMessage());
            }
        }
        ModelInfo like = Zoo.info(dataset.equals("mnist") ? "lenet5" : "resnet20-fashion");   // the data set's normalisation
        String ds = DataSplits.dataset(cl, like, dataset);
        try (Threads t = Threads.use(cl, threads)) {
            Files.createDirectories(run);
            TensorDataset full = DataSplits.load(cl, like, ds, data, true, limit);
            StratifiedSplit split;
            try {
                split = StratifiedSplit.of(full.labels().toArray(), valSplit, seed);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl, "--val-split: " + e.getMessage());
            }
            TensorDataset fit = full.subset(split.train()), val = full.subset(split.validation());
            if (fit.size() < 64) throw new ParameterException(cl, "only " + fit.size() + " training samples after the hold-out; at least 64 are needed");
            var err = cl.getErr();
            err.printf(Locale.ROOT, "tersor search: %s on %s (%d train / %d validation), %s, seed %d, run directory %s%n", s.name(), ds, fit.size(),
                    val.size(), m, seed, run);
            err.flush();
            long start = System.nanoTime();
            Rng.manualSeed(seed);
            Supernet net = s.supernet();
            Sgd sgd = SupernetTraining.sgd(net, Sgd.options(lr).momentum(0.9).build(), 4e-5);
            DataLoader train = DataSplits.trainLoader(like, fit, 64, seed);
            Path ckpt = run.resolve("supernet.ckpt");
            Trainer.Options o = Trainer.Options.epochs(epochs).checkpoint(ckpt).checkpointEvery(100).log(WriterStream.of(err));
            if (Files.exists(ckpt)) o = o.resumeFrom(ckpt);
            new Trainer(net, sgd, null, Losses::crossEntropy).fit(train, null, o);
            double supernetSeconds = (System.nanoTime() - start) / 1e9;
            List<Batch> calibration = SupernetFitness.take(DataSplits.trainLoader(like, fit, 128, seed + 1), 10);
            List<Batch> validation = SupernetFitness.take(DataSplits.testLoader(like, val), Integer.MAX_VALUE);
            long s0 = System.nanoTime();
            SearchResult r;
            Experiment e;
            try (TrialExecutor ex = new LocalExecutor(1, SupernetFitness.perWorker(net, calibration, validation))) {
                e = new Experiment(s, ex, limits, List.of(macs, params),
                        Experiment.Options.in(run.resolve(m), seed).log(new java.io.PrintStream(WriterStream.of(err), true)));
                r = m.equals("spos") ? new Evolution(new Evolution.Options(population, generations, Math.min(10, population),
                        population / 2, 0.1, population / 2)).run(e) : new RandomSearch(evaluations, 16).run(e);
            }
            r.best().write(out, s);
            List<dev.tersor.search.Trial> trials = e.trials();
            writeTrials(run.resolve(m + "-trials.csv"), trials, s);
            List<FrontPlot.Point> points = new ArrayList<>();
            for (dev.tersor.search.Trial tr : trials) points.add(new FrontPlot.Point(tr.arch().key(), tr.score(), macs.of(tr.arch())));
            FrontPlot.draw(points, s.name() + ": " + trials.size() + " candidates (" + m + ")", "multiply-accumulates per image (log scale)",
                    "validation accuracy with supernet weights (%)", false, run.resolve(m + "-front.png"));
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("space", s.name());
            record.put("method", m);
            record.put("architecture", r.best().ops());
            record.put("ops", s.opNames(r.best()));
            record.put("validation_accuracy", r.score());
            record.put("macs", macs.of(r.best()));
            record.put("parameters", params.of(r.best()));
            record.put("evaluations", r.trials());
            record.put("supernet_seconds", BenchCommand.round(supernetSeconds, 1));
            record.put("search_seconds", BenchCommand.round((System.nanoTime() - s0) / 1e9, 1));
            record.put("out", out.toString());
            record.put("run", run.toString());
            record.put("trials_csv", run.resolve(m + "-trials.csv").toString());
            record.put("front_png", run.resolve(m + "-front.png").toString());
            var o2 = cl.getOut();
            if (json) {
                o2.println(Json.write(record));
            } else {
                o2.printf(Locale.ROOT, "best of %d candidates: %s, validation accuracy %.2f%% (supernet weights), %,.0f MACs, %,.0f parameters%n",
                        r.trials(), s.opNames(r.best()), 100 * r.score(), macs.of(r.best()), params.of(r.best()));
                o2.println("architecture: " + out);
            }
            o2.flush();
        }
        return 0;
    }
}
