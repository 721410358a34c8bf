package dev.tersor.search;

import dev.tersor.nn.Rng;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.train.Trainer;
import dev.tersor.tensor.backend.Parallel;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * How well a SPOS supernet ranks a benchmark space against its ground truth, by supernet training
 * length: for each seed, the supernet of {@link NasBenchRecipe}'s SPOS protocol (uniform paths, SGD
 * 0.05, momentum 0.9, batch 64 on the 10,000 training images) trained {@code EPOCHS} epochs, every
 * architecture scored (BN recalibration on 10 batches of 128, accuracy on 2,000 validation
 * images), and Kendall τ of the scores against the table's mean test accuracies printed after
 * each checkpoint epoch:
 * <pre>
 * java ... dev.tersor.search.SupernetTauRecipe DATA RUNS.csv SPACE EPOCHS,EPOCHS,... SEED...
 * </pre>
 */
public final class SupernetTauRecipe {
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]), table = Path.of(args[1]);
        SearchSpace space = Spaces.named(args[2]);
        int[] at = java.util.Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).sorted().toArray();
        Parallel.setThreads(1);
        SearchData d = SearchData.fashion(data, 10_000);
        Benchmark b = Benchmark.read(space, table, List.of());
        System.out.printf(Locale.ROOT, "%s: seed-to-seed tau %.3f (target: supernet tau >= %.3f)%n", space.name(), b.seedToSeedTau(), b.seedToSeedTau() / 2);
        for (int i = 4; i < args.length; i++) {
            int seed = Integer.parseInt(args[i]);
            Rng.manualSeed(seed);
            Supernet net = space.supernet();
            Sgd sgd = SupernetTraining.sgd(net, Sgd.options(0.05).momentum(0.9).build(), 4e-5);
            List<Batch> calib = SupernetFitness.take(d.trainLoader(128, seed + 100), 10);
            int[] first = new int[2000];
            for (int k = 0; k < first.length; k++) first[k] = k;
            List<Batch> val = SupernetFitness.take(DataLoader.builder(d.validation().subset(first)).setBatchSize(400).optTransform(d.transform()).build(), 5);
            int done = 0;
            long t0 = System.nanoTime();
            for (int e : at) {
                // one Trainer per stretch, each epoch its own loader seed so the stretches join into one run
                for (int ep = done; ep < e; ep++) {
                    new Trainer(net, sgd, null, Losses::crossEntropy).fit(d.trainLoader(64, seed * 1000 + ep), null, Trainer.Options.epochs(1).log(null));
                }
                done = e;
                double trainSeconds = (System.nanoTime() - t0) / 1e9;
                SupernetFitness fitness = new SupernetFitness(net, calib, val);
                double[] scores = b.rows().stream().mapToDouble(r -> fitness.score(r.arch())).toArray();
                net.sampleUniformly();
                net.train();
                System.out.printf(Locale.ROOT, "seed %d, %d epochs (%.0f s of supernet training): tau %.3f%n", seed, e, trainSeconds, b.tau(scores));
            }
        }
    }
}
