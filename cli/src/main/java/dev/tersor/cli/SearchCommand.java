package dev.tersor.cli;

import dev.tersor.nn.data.StratifiedSplit;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.search.Architecture;
import dev.tersor.search.CellSpace;
import dev.tersor.search.CostTable;
import dev.tersor.search.SearchData;
import dev.tersor.search.SearchSpace;
import dev.tersor.search.Spaces;
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
 * {@code tersor search}: architecture search on a declared space ({@code dev.tersor.search}) with
 * the training split less a stratified validation hold-out. {@code spos} and {@code random}
 * train a weight-sharing supernet with uniform paths and score candidates on the hold-out after
 * batch-norm recalibration ({@link SearchSupernet}); {@code darts} and {@code pcdarts} relax a
 * cell space and learn its architecture parameters on half of the training part
 * ({@link SearchDarts}). Writes the best architecture as JSON. Everything lives in {@code --dir},
 * so a rerun after a kill resumes.
 */
@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Architecture search: SPOS evolution or random search on a weight-sharing supernet, or DARTS / PC-DARTS on a cell space;",
            "writes the best architecture (arch.json). A rerun with the same --dir resumes."})
final class SearchCommand implements Callable<Integer> {
    static final List<String> METHODS = List.of("spos", "random", "darts", "pcdarts");

    @Spec
    CommandSpec spec;

    @Option(names = "--space", paramLabel = "S", defaultValue = "fashion-tiny",
            description = "Search space: fashion-tiny (= fashion-chain-4x4: 4 layers × 4 ops; default) or fashion-cell-3 (a 3-node cell, 5 ops per edge); 1×28×28 inputs.")
    String space;

    @Option(names = "--method", paramLabel = "M", defaultValue = "spos", description = "spos, random, darts or pcdarts (the last two on cell spaces; default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--data", paramLabel = "D", description = "Data directory (default: the bundled MNIST sample).")
    Path data;

    @Option(names = "--dataset", paramLabel = "mnist|fashion-mnist", defaultValue = "fashion-mnist", description = "Data set (default: ${DEFAULT-VALUE}).")
    String dataset;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Use the first N training samples (0: all).")
    int limit;

    @Option(names = "--val-split", paramLabel = "F", defaultValue = "0.1", description = "Stratified hold-out of the training split that scores candidates (default: ${DEFAULT-VALUE}).")
    double valSplit;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "3", description = "Supernet training or DARTS search epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", paramLabel = "LR", description = "Weights' SGD learning rate, momentum 0.9 (default: spos/random 0.05, darts 0.025, pcdarts 0.1).")
    Double lr;

    @Option(names = "--batch", paramLabel = "B", description = "Batch size (default: spos/random 64, darts 64, pcdarts 256).")
    Integer batch;

    @Option(names = "--second-order", description = "darts: the unrolled architecture gradient (finite-difference Hessian-vector product).")
    boolean secondOrder;

    @Option(names = "--population", paramLabel = "P", defaultValue = "50", description = "spos: population (default: ${DEFAULT-VALUE}, as the paper).")
    int population;

    @Option(names = "--generations", paramLabel = "G", defaultValue = "20", description = "spos: generations (default: ${DEFAULT-VALUE}, as the paper).")
    int generations;

    @Option(names = "--evaluations", paramLabel = "N", defaultValue = "100", description = "random: candidates scored (default: ${DEFAULT-VALUE}).")
    int evaluations;

    @Option(names = "--constraint", paramLabel = "K=V", description = {"spos/random: admit only architectures within a limit, repeatable:",
        "macs=N (per image), params=N, latency=Xms (batch 1, one thread, measured on this JVM)."})
    List<String> constraints = new ArrayList<>();

    @Option(names = "--max-macs", paramLabel = "M", description = "The same as --constraint macs=M.")
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

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        SearchSpace s;
        try {
            s = Spaces.named(space);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, "--space: " + e.getMessage());
        }
        String m = method.trim().toLowerCase(Locale.ROOT);
        if (!METHODS.contains(m)) throw new ParameterException(cl, "--method must be one of " + String.join(", ", METHODS) + ", got '" + method + "'");
        boolean darts = m.equals("darts") || m.equals("pcdarts");
        if (darts && !(s instanceof CellSpace)) throw new ParameterException(cl, "--method " + m + " needs a cell space (e.g. fashion-cell-3); " + s.name() + " is a chain");
        if (maxMacs != null) constraints.add("macs=" + maxMacs);
        if (darts && !constraints.isEmpty()) throw new ParameterException(cl, "--constraint applies to spos and random; " + m + " searches without limits");
        if (secondOrder && !m.equals("darts")) throw new ParameterException(cl, "--second-order applies to --method darts only");
        if (!(valSplit > 0 && valSplit < 1)) throw new ParameterException(cl, "--val-split must be in (0, 1), got " + valSplit);
        if (epochs < 1 || evaluations < 1 || population < 2 || generations < 1 || limit < 0 || (batch != null && batch < 1)) {
            throw new ParameterException(cl, "--epochs, --evaluations, --generations and --batch must be >= 1, --population >= 2, --limit >= 0");
        }
        OptionChecks.positive(cl, "--lr", lr);
        Models.outputFile(cl, "--out", out);
        Path run = dir != null ? dir : Path.of(out + ".run");
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
            SearchData sd = new SearchData(full.subset(split.train()), full.subset(split.validation()), null, DataSplits.normalize(like));
            if (sd.train().size() < 64) throw new ParameterException(cl, "only " + sd.train().size() + " training samples after the hold-out; at least 64 are needed");
            var err = cl.getErr();
            err.printf(Locale.ROOT, "tersor search: %s on %s (%d train / %d validation), %s, seed %d, run directory %s%n", s.name(), ds, sd.train().size(),
                    sd.validation().size(), m, seed, run);
            err.flush();
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("space", s.name());
            record.put("method", m);
            Architecture best = darts ? new SearchDarts(this).run(cl, (CellSpace) s, sd, run, record) : new SearchSupernet(this).run(cl, s, sd, run, m, record);
            best.write(out, s);
            CostTable macs = CostTable.macs(s), params = CostTable.parameters(s);
            Map<String, Object> head = new LinkedHashMap<>();
            head.put("space", s.name());
            head.put("method", m);
            head.put("architecture", best.ops());
            head.put("ops", s.opNames(best));
            head.put("macs", macs.of(best));
            head.put("parameters", params.of(best));
            record.remove("space");
            record.remove("method");
            head.putAll(record);
            head.put("out", out.toString());
            head.put("run", run.toString());
            var o2 = cl.getOut();
            if (json) {
                o2.println(Json.write(head));
            } else {
                o2.printf(Locale.ROOT, "%s: %s, %,.0f MACs, %,.0f parameters%n", m, s.opNames(best), macs.of(best), params.of(best));
                o2.println("architecture: " + out);
            }
            o2.flush();
        }
        return 0;
    }
}
