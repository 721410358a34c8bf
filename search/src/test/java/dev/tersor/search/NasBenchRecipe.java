package dev.tersor.search;

import dev.tersor.nn.Rng;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.train.Trainer;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.backend.Parallel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every strategy on the two benchmark spaces with 5 search seeds, judged against the
 * ground-truth tables (docs/search.md). One thread, so seconds compare with the stand-alone
 * trainings of the tables.
 * <pre>
 * java ... dev.tersor.search.NasBenchRecipe DATA RUNS_DIR BENCH_DIR [space ...]
 * </pre>
 * {@code RUNS_DIR/<space>/<method>-<seed>.json} holds each search's outcome; a rerun skips those
 * that exist. {@code BENCH_DIR} holds {@code chain-runs.csv} and {@code cell-runs.csv}
 * ({@link GroundTruthRecipe}); the judged table is printed and written to
 * {@code RUNS_DIR/results.csv} once the tables are complete.
 * <ul>
 * <li>{@code spos}: supernet {@code -Dspos.epochs=E} epochs (default 12; the first published table
 *     used 3) on the 10,000 training images (uniform paths, SGD 0.05,
 *     momentum 0.9), every architecture scored (BN recalibration on 10 batches of 128, accuracy on
 *     2,000 validation images; this scoring of the whole space gives the supernet's τ and is not
 *     charged), then evolution (population 10, 4 generations, 3 parents, 4 mutations, 3
 *     crossovers) charged its supernet training and the seconds of its evaluations;
 * <li>{@code spos-random}: random search with the same supernet and as many evaluations;
 * <li>{@code darts}, {@code pcdarts} (cell space): 6 search epochs, batch 64, first order.
 * </ul>
 * Random search at equal cost draws ⌊seconds / mean stand-alone training seconds⌋ architectures,
 * trains each once and keeps the best validation accuracy (1,000 draws from the tables).
 */
public final class NasBenchRecipe {
    private static final int SEEDS = 5;
    private static final int SPOS_EPOCHS = Integer.getInteger("spos.epochs", 12);

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]), runs = Path.of(args[1]), bench = Path.of(args[2]);
        List<String> spaces = args.length > 3 ? List.of(args).subList(3, args.length) : List.of("fashion-cell-3", "fashion-chain-4x4");
        Parallel.setThreads(1);
        SearchData d = SearchData.fashion(data, 10_000);
        for (String name : spaces) {
            SearchSpace space = Spaces.named(name);
            Path dir = runs.resolve(name);
            Files.createDirectories(dir);
            for (int seed = 1; seed <= SEEDS; seed++) {
                if (!Files.exists(dir.resolve("spos-" + seed + ".json"))) spos(space, d, dir, seed);
                if (space instanceof CellSpace cell) {
                    for (String m : List.of("pcdarts", "darts")) if (!Files.exists(dir.resolve(m + "-" + seed + ".json"))) darts(cell, d, dir, m, seed);
                }
            }
        }
        judge(runs, bench, spaces);
    }

    private static void spos(SearchSpace space, SearchData d, Path dir, int seed) throws Exception {
        long t0 = System.nanoTime();
        Rng.manualSeed(seed);
        Supernet net = space.supernet();
        Sgd sgd = SupernetTraining.sgd(net, Sgd.options(0.05).momentum(0.9).build(), 4e-5);
        new Trainer(net, sgd, null, Losses::crossEntropy).fit(d.trainLoader(64, seed), null, Trainer.Options.epochs(SPOS_EPOCHS).log(null));
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        List<Batch> calib = SupernetFitness.take(d.trainLoader(128, seed + 100), 10);
        List<Batch> val = SupernetFitness.take(DataLoader.builder(d.validation().subset(range(2000))).setBatchSize(400).optTransform(d.transform()).build(), 5);
        SupernetFitness fitness = new SupernetFitness(net, calib, val);
        List<Architecture> all = Experiment.all(space);
        Map<Architecture, Double> scores = new LinkedHashMap<>();
        long s0 = System.nanoTime();
        for (Architecture a : all) scores.put(a, fitness.score(a));
        double perEval = (System.nanoTime() - s0) / 1e9 / all.size();
        Evolution.Options evo = new Evolution.Options(10, 4, 3, 4, 0.1, 3);
        SearchResult e = cached(space, scores, dir.resolve("spos-" + seed), seed, x -> new Evolution(evo).run(x));
        SearchResult r = cached(space, scores, dir.resolve("spos-random-" + seed), seed, x -> new RandomSearch(e.trials(), 10).run(x));
        StringBuilder sc = new StringBuilder("[");
        for (double v : scores.values()) sc.append(sc.length() == 1 ? "" : ", ").append(Json.number(v));
        sc.append(']');
        for (var pair : List.of(Map.entry("spos", e), Map.entry("spos-random", r))) {
            String json = String.format(Locale.ROOT, "{\"space\": %s, \"method\": %s, \"seed\": %d, \"arch\": %s, \"evaluations\": %d, \"seconds\": %s, "
                            + "\"supernet_epochs\": %d, \"supernet_seconds\": %s, \"eval_seconds\": %s, \"scores\": %s}%n", Json.quote(space.name()), Json.quote(pair.getKey()), seed,
                    Json.quote(pair.getValue().best().key()), pair.getValue().trials(), Json.number(trainSeconds + perEval * pair.getValue().trials()),
                    SPOS_EPOCHS, Json.number(trainSeconds), Json.number(perEval), sc);
            Files.writeString(dir.resolve(pair.getKey() + "-" + seed + ".json"), json);
        }
        System.out.printf(Locale.ROOT, "%s spos seed %d: %s (supernet %.0f s, %.2f s per evaluation)%n", space.name(), seed, e.best().key(), trainSeconds, perEval);
    }

    private static SearchResult cached(SearchSpace space, Map<Architecture, Double> scores, Path dir, long seed,
                                       java.util.function.Function<Experiment, SearchResult> strategy) throws Exception {
        try (TrialExecutor ex = new LocalExecutor(1, () -> scores::get)) {
            return strategy.apply(new Experiment(space, ex, List.of(), List.of(), Experiment.Options.in(dir, seed).log(null)));
        }
    }

    private static void darts(CellSpace space, SearchData d, Path dir, String method, int seed) throws Exception {
        DartsOptions o = (method.equals("pcdarts") ? DartsOptions.pcDarts(6) : DartsOptions.darts(6)).withBatch(64);
        Darts.Result r = new Darts(o).run(space, d, dir.resolve(method + "-" + seed), seed, System.out);
        Files.writeString(dir.resolve(method + "-" + seed + ".json"), String.format(Locale.ROOT,
                "{\"space\": %s, \"method\": %s, \"seed\": %d, \"arch\": %s, \"passes\": %d, \"seconds\": %s}%n", Json.quote(space.name()), Json.quote(method), seed,
                Json.quote(r.arch().key()), r.passes(), Json.number(r.seconds())));
    }

    private static void judge(Path runs, Path bench, List<String> spaces) throws Exception {
        StringBuilder csv = new StringBuilder("space,method,seed,arch,ops,test_mean,regret,share_better,supernet_tau,passes,evaluations,seconds,random_n,random_regret,"
                + "random_share_better\n");
        int batchesPerEpoch = (10_000 + 63) / 64;   // spos: epochs of batch 64 on the 10,000 training images
        for (String name : spaces) {
            SearchSpace space = Spaces.named(name);
            Path table = bench.resolve(space instanceof CellSpace ? "cell-runs.csv" : "chain-runs.csv");
            Benchmark b;
            try {
                b = Benchmark.read(space, table, List.of(CostTable.macs(space), CostTable.parameters(space)));
            } catch (IllegalArgumentException e) {
                System.out.println(name + ": the ground truth is not complete yet (" + e.getMessage() + ")");
                continue;
            }
            LatencyTable.Options lo = LatencyTable.Options.defaults();
            Supernet net = space.supernet();
            CostTable latency = LatencyTable.measure(net, lo);
            LatencyTable.Check check = LatencyTable.check(net, latency, b.rows().stream().map(Benchmark.Row::arch).toList(), lo);
            Map<String, double[]> extra = new LinkedHashMap<>();
            extra.put("latency_ms", check.measured());
            extra.put("latency_table_ms", check.predicted());
            Files.writeString(bench.resolve(name + ".csv"), b.csv(extra));
            System.out.printf(Locale.ROOT, "%s: latency table within ±10%% of the measured network for %.0f%% of %d networks%n", name,
                    100 * check.shareWithin10Percent(), check.measured().length);
            System.out.printf(Locale.ROOT, "%s: best %s %.4f, seed-to-seed tau %.3f, mean training %.1f s%n", name, b.best().arch().key(), b.best().testMean(),
                    b.seedToSeedTau(), b.meanTrainingSeconds());
            Map<String, List<double[]>> summary = new LinkedHashMap<>();
            for (String m : List.of("spos", "spos-random", "pcdarts", "darts")) {
                for (int seed = 1; seed <= SEEDS; seed++) {
                    Path f = runs.resolve(name).resolve(m + "-" + seed + ".json");
                    if (!Files.exists(f)) continue;
                    Map<String, Object> j = Json.object(Json.parse(Files.readString(f), f.toString()), f.toString());
                    Architecture a = space.validate(Architecture.parseKey(space.name(), Json.string(j.get("arch"), "arch")));
                    double seconds = Json.real(j.get("seconds"), "seconds");
                    double tau = Double.NaN;
                    if (j.containsKey("scores")) tau = b.tau(Json.array(j.get("scores"), "scores").stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray());
                    int n = Math.max(1, (int) (seconds / b.meanTrainingSeconds()));
                    double[] rnd = b.randomSearch(n, 1000, new Generator(seed));
                    long epochs = j.containsKey("supernet_epochs") ? Json.integer(j.get("supernet_epochs"), "supernet_epochs") : 3;   // the first table's
                    long passes = j.containsKey("passes") ? Json.integer(j.get("passes"), "passes") : epochs * batchesPerEpoch;
                    long evaluations = j.containsKey("evaluations") ? Json.integer(j.get("evaluations"), "evaluations") : 0;
                    csv.append(String.format(Locale.ROOT, "%s,%s,%d,%s,%s,%.4f,%.4f,%.3f,%.3f,%d,%d,%.0f,%d,%.4f,%.3f%n", name, m, seed, a.key(), String.join(" ", space.opNames(a)),
                            b.row(a).testMean(), b.regret(a), b.shareBetter(a), tau, passes, evaluations, seconds, n, rnd[0], rnd[1]));
                    summary.computeIfAbsent(m, k -> new ArrayList<>()).add(new double[] {b.regret(a), b.shareBetter(a), tau, seconds, rnd[0], n});
                }
            }
            for (var e : summary.entrySet()) {
                double[] mean = new double[6];
                for (double[] v : e.getValue()) for (int i = 0; i < 6; i++) mean[i] += v[i] / e.getValue().size();
                System.out.printf(Locale.ROOT, "  %-12s %d seeds: regret %.4f, share better %.3f, tau %.3f, %.0f s; random search at that cost (%.0f trainings): regret %.4f%n",
                        e.getKey(), e.getValue().size(), mean[0], mean[1], mean[2], mean[3], mean[5], mean[4]);
            }
        }
        Files.writeString(runs.resolve("results.csv"), csv);
    }

    private static int[] range(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = i;
        return out;
    }
}
