package dev.tersor.search;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.data.Normalize;
import dev.tersor.nn.data.StratifiedSplit;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.train.Evaluation;
import dev.tersor.nn.train.Trainer;
import dev.tersor.tensor.Generator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The runnable recipe of docs/search.md on the tiny 4-layer chain space (4 choices per layer) and
 * Fashion-MNIST: supernet training with uniform single paths, then SPOS evolution and random
 * search at equal cost (the same number of supernet evaluations) under a MACs limit, the latency
 * table and its check, and a short training from scratch of both winners.
 * <pre>
 * mvn -B -o -q -pl search -am test-compile
 * java --add-modules jdk.incubator.vector -cp "search/target/test-classes:search/target/classes:nn/target/classes:tensor/target/classes" \
 *      dev.tersor.search.FashionRecipe /usr/share/datasets/fashion-mnist target/search-recipe
 * </pre>
 * Everything is seeded; the run directory holds the supernet checkpoint, both searches' trial logs
 * and states (run it again to resume) and the latency table.
 */
public final class FashionRecipe {
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "/usr/share/datasets/fashion-mnist");
        Path out = Path.of(args.length > 1 ? args[1] : "target/search-recipe");
        java.nio.file.Files.createDirectories(out);
        int supernetEpochs = 3, trainSamples = 20_000;
        long t0 = System.nanoTime();
        Rng.manualSeed(42);
        ChainSpace space = ChainSpace.fashionTiny();
        Normalize norm = new Normalize(new float[] {0.2860f}, new float[] {0.3530f});
        TensorDataset full = Mnist.loadFashion(data, true), test = Mnist.loadFashion(data, false);
        StratifiedSplit split = StratifiedSplit.of(full.labels().toArray(), 10_000 / 60_000.0, 42);
        int[] fitIdx = java.util.Arrays.copyOf(split.train(), trainSamples);
        TensorDataset fit = full.subset(fitIdx), val = full.subset(split.validation());
        DataLoader train = DataLoader.builder(fit).setBatchSize(64).optShuffle(true).optSeed(42).optTransform(norm).build();

        // 1. supernet training: one uniform path per step, resumable from its checkpoint
        Supernet net = space.supernet();
        Sgd sgd = SupernetTraining.sgd(net, Sgd.options(0.05).momentum(0.9).build(), 4e-5);
        Path ckpt = out.resolve("supernet.ckpt");
        Trainer.Options topt = Trainer.Options.epochs(supernetEpochs).checkpoint(ckpt).checkpointEvery(100);
        if (java.nio.file.Files.exists(ckpt)) topt = topt.resumeFrom(ckpt);
        new Trainer(net, sgd, null, Losses::crossEntropy).fit(train, null, topt);
        double supernetSeconds = (System.nanoTime() - t0) / 1e9;

        // 2. costs and the constraint: at most the median MACs of the space
        CostTable macs = CostTable.macs(space), params = CostTable.parameters(space);
        List<Double> all = new ArrayList<>();
        for (Architecture a : Experiment.all(space)) all.add(macs.of(a));
        all.sort(null);
        Constraint limit = new Constraint(macs, all.get(all.size() / 2));
        long admitted = all.stream().filter(v -> v <= limit.limit()).count();

        // 3. the fitness: BN recalibration on 10 training batches, accuracy on 1,000 validation images
        DataLoader calib = DataLoader.builder(fit).setBatchSize(128).optShuffle(true).optSeed(7).optTransform(norm).build();
        DataLoader valLoader = DataLoader.builder(val).setBatchSize(200).optTransform(norm).build();
        List<Batch> calibration = SupernetFitness.take(calib, 10), validation = SupernetFitness.take(valLoader, 5);

        // 4. SPOS evolution and random search, equal cost
        Evolution.Options evo = new Evolution.Options(16, 5, 4, 6, 0.1, 6);
        long s1 = System.nanoTime();
        SearchResult spos;
        try (TrialExecutor ex = new LocalExecutor(1, SupernetFitness.perWorker(net, calibration, validation))) {
            spos = new Evolution(evo).run(new Experiment(space, ex, List.of(limit), List.of(macs, params), Experiment.Options.in(out.resolve("spos"), 1)));
        }
        double sposSeconds = (System.nanoTime() - s1) / 1e9;
        long s2 = System.nanoTime();
        SearchResult random;
        try (TrialExecutor ex = new LocalExecutor(1, SupernetFitness.perWorker(net, calibration, validation))) {
            random = new RandomSearch(spos.trials(), 16).run(new Experiment(space, ex, List.of(limit), List.of(macs, params),
                    Experiment.Options.in(out.resolve("random"), 1)));
        }
        double randomSeconds = (System.nanoTime() - s2) / 1e9;

        // 5. latency table (batch 1, one thread) and its check on 24 random architectures
        LatencyTable.Options lo = LatencyTable.Options.defaults();
        CostTable latency = LatencyTable.loadOrMeasure(out.resolve("latency.json"), net, lo);
        List<Architecture> sample = new ArrayList<>();
        Generator g = new Generator(3);
        for (int i = 0; i < 24; i++) sample.add(space.random(g));
        LatencyTable.Check check = LatencyTable.check(net, latency, sample, lo);

        // 6. the two winners trained from scratch, 2 epochs on the same 20,000 images, scored once on the test set
        DataLoader testLoader = DataLoader.builder(test).setBatchSize(500).optTransform(norm).build();
        double sposTest = fromScratch(space, spos.best(), train, testLoader), randomTest = fromScratch(space, random.best(), train, testLoader);

        System.out.printf(Locale.ROOT, "space %s: %s architectures, MACs limit %.0f admits %d%n", space.name(), space.size(), limit.limit(), admitted);
        System.out.printf(Locale.ROOT, "supernet: %d epochs on %d images, %.0f s%n", supernetEpochs, trainSamples, supernetSeconds);
        report("spos", space, spos, macs, sposSeconds, sposTest);
        report("random", space, random, macs, randomSeconds, randomTest);
        System.out.printf(Locale.ROOT, "latency table: %d architectures, %.0f%% predicted within ±10%% of the whole-network median%n", sample.size(),
                100 * check.shareWithin10Percent());
        for (int i = 0; i < sample.size(); i++) {
            System.out.printf(Locale.ROOT, "  %s predicted %.3f ms measured %.3f ms%n", sample.get(i).key(), check.predicted()[i], check.measured()[i]);
        }
        System.out.printf(Locale.ROOT, "total %.0f s%n", (System.nanoTime() - t0) / 1e9);
    }

    private static double fromScratch(ChainSpace space, Architecture arch, DataLoader train, DataLoader test) {
        Rng.manualSeed(5);
        Module m = space.build(arch);
        Sgd sgd = new Sgd(m.parameters(), Sgd.options(0.05).momentum(0.9).weightDecay(4e-5).build());
        new Trainer(m, sgd, null, Losses::crossEntropy).fit(train, null, Trainer.Options.epochs(2).log(null));
        return Evaluation.of(m, test).accuracy();
    }

    private static void report(String name, ChainSpace space, SearchResult r, CostTable macs, double seconds, double test) {
        System.out.printf(Locale.ROOT, "%s: %d evaluations, %.0f s, best %s %s, supernet val acc %.4f, MACs %.0f, from scratch test acc %.4f%n",
                name, r.trials(), seconds, r.best().key(), space.opNames(r.best()), r.score(), macs.of(r.best()), test);
    }
}
