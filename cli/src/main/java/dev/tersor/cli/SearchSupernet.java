package dev.tersor.cli;

import dev.tersor.nn.Rng;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.train.Trainer;
import dev.tersor.search.Architecture;
import dev.tersor.search.CostTable;
import dev.tersor.search.Evolution;
import dev.tersor.search.Experiment;
import dev.tersor.search.LocalExecutor;
import dev.tersor.search.RandomSearch;
import dev.tersor.search.SearchData;
import dev.tersor.search.SearchResult;
import dev.tersor.search.SearchSpace;
import dev.tersor.search.Supernet;
import dev.tersor.search.SupernetFitness;
import dev.tersor.search.SupernetTraining;
import dev.tersor.search.Trial;
import dev.tersor.search.TrialExecutor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * The single-path methods of {@code tersor search} ({@code spos}, {@code random}): trains the
 * supernet with uniform paths (checkpointed every 100 steps in the run directory), then scores
 * candidates on the hold-out after batch-norm recalibration on 10 training batches. Writes
 * {@code <method>-trials.csv} (every candidate) and {@code <method>-front.png} (accuracy against
 * MACs, or latency when limited) beside the search's log and state.
 */
final class SearchSupernet {
    private final SearchCommand c;

    SearchSupernet(SearchCommand command) {
        this.c = command;
    }

    Architecture run(CommandLine cl, SearchSpace s, SearchData data, Path run, String m, Map<String, Object> record) throws IOException {
        var err = cl.getErr();
        long start = System.nanoTime();
        Rng.manualSeed(c.seed);
        Supernet net = s.supernet();
        SearchConstraints.Parsed limits = SearchConstraints.parse(cl, c.constraints, s, net, run);
        Sgd sgd = SupernetTraining.sgd(net, Sgd.options(c.lr != null ? c.lr : 0.05).momentum(0.9).build(), 4e-5);
        Path ckpt = run.resolve("supernet.ckpt");
        Trainer.Options o = Trainer.Options.epochs(c.epochs).checkpoint(ckpt).checkpointEvery(100).log(WriterStream.of(err));
        if (Files.exists(ckpt)) o = o.resumeFrom(ckpt);
        new Trainer(net, sgd, null, Losses::crossEntropy).fit(data.trainLoader(c.batch != null ? c.batch : 64, c.seed), null, o);
        double supernetSeconds = (System.nanoTime() - start) / 1e9;
        List<Batch> calibration = SupernetFitness.take(data.trainLoader(128, c.seed + 1), 10);
        List<Batch> validation = SupernetFitness.take(data.validationLoader(DataSplits.EVAL_BATCH), Integer.MAX_VALUE);
        long s0 = System.nanoTime();
        SearchResult r;
        Experiment e;
        try (TrialExecutor ex = new LocalExecutor(1, SupernetFitness.perWorker(net, calibration, validation))) {
            e = new Experiment(s, ex, limits.limits(), limits.reported(), Experiment.Options.in(run.resolve(m), c.seed).log(new PrintStream(WriterStream.of(err), true)));
            r = m.equals("spos") ? new Evolution(new Evolution.Options(c.population, c.generations, Math.min(10, c.population), c.population / 2, 0.1,
                    c.population / 2)).run(e) : new RandomSearch(c.evaluations, 16).run(e);
        }
        List<Trial> trials = e.trials();
        writeTrials(run.resolve(m + "-trials.csv"), trials, s, limits.reported());
        CostTable axis = limits.reported().stream().filter(t -> t.metric().equals("latency_ms")).findFirst().orElse(limits.reported().get(0));
        List<FrontPlot.Point> points = new ArrayList<>();
        for (Trial tr : trials) points.add(new FrontPlot.Point(tr.arch().key(), tr.score(), axis.of(tr.arch())));
        FrontPlot.draw(points, s.name() + ": " + trials.size() + " candidates (" + m + ")",
                axis.metric().equals("latency_ms") ? "latency per image, ms (batch 1, one thread; log scale)" : "multiply-accumulates per image (log scale)",
                "validation accuracy with supernet weights (%)", false, run.resolve(m + "-front.png"));
        record.put("validation_accuracy", r.score());
        record.put("evaluations", r.trials());
        for (CostTable t : limits.reported()) if (t.metric().equals("latency_ms")) record.put("latency_ms", BenchCommand.round(t.of(r.best()), 4));
        record.put("supernet_seconds", BenchCommand.round(supernetSeconds, 1));
        record.put("search_seconds", BenchCommand.round((System.nanoTime() - s0) / 1e9, 1));
        record.put("trials_csv", run.resolve(m + "-trials.csv").toString());
        record.put("front_png", run.resolve(m + "-front.png").toString());
        err.printf(java.util.Locale.ROOT, "best of %d candidates: validation accuracy %.2f%% (supernet weights)%n", r.trials(), 100 * r.score());
        return r.best();
    }

    /** Every scored candidate: trial, generation, origin, ops, op names, validation accuracy and each reported cost. */
    private static void writeTrials(Path csv, List<Trial> trials, SearchSpace s, List<CostTable> costs) throws IOException {
        StringBuilder sb = new StringBuilder("trial,generation,origin,ops,op_names,validation_accuracy");
        for (CostTable t : costs) sb.append(',').append(t.metric());
        sb.append('\n');
        for (Trial t : trials) {
            sb.append(t.index()).append(',').append(t.generation()).append(',').append(t.origin()).append(',').append(t.arch().key()).append(',')
                    .append(PredictFolder.csvCell(String.join(" ", s.opNames(t.arch())))).append(',').append(t.score());
            for (CostTable ct : costs) sb.append(',').append(ct.of(t.arch()));
            sb.append('\n');
        }
        Path tmp = Files.createTempFile(csv.toAbsolutePath().getParent(), "." + csv.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, sb);
            Files.move(tmp, csv, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
