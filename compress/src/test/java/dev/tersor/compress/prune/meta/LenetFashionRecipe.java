package dev.tersor.compress.prune.meta;

import dev.tersor.compress.prune.Allocator;
import dev.tersor.compress.prune.ChannelGraph;
import dev.tersor.compress.prune.ChannelTrace;
import dev.tersor.compress.prune.Criteria;
import dev.tersor.compress.prune.Pruning;
import dev.tersor.compress.prune.PruningTarget;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.data.Normalize;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.CosineLr;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.zoo.LeNet5;
import dev.tersor.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * The LeNet-5 Fashion-MNIST recipe of docs/metapruning.md (not a unit test): uniform L1,
 * MetaPruning and CACP at the same FLOPs reductions, each fine-tuned for the same epochs.
 * Arguments: data directory, trained weights, fine-tune epochs, PruningNet steps, CACP heat-up and training episodes.
 */
public final class LenetFashionRecipe {
    static final Normalize NORM = new Normalize(new float[] {0.1307f}, new float[] {0.3081f});   // lenet5's normalisation

    public static void main(String[] a) throws Exception {
        Path data = Path.of(a[0]), weights = Path.of(a[1]);
        int epochs = Integer.parseInt(a[2]), steps = Integer.parseInt(a[3]), heat = Integer.parseInt(a[4]), episodes = Integer.parseInt(a[5]);
        TensorDataset all = Mnist.loadFashion(data, true);
        TensorDataset trainSet = all.subset(0, 55000), valSet = all.subset(55000, 60000);
        DataLoader train = DataLoader.builder(trainSet).setBatchSize(64).optShuffle(true).optSeed(1).optTransform(NORM).optDropLast(true).build();
        DataLoader recal = DataLoader.builder(trainSet).setBatchSize(256).optShuffle(true).optSeed(2).optTransform(NORM).build();
        DataLoader val = DataLoader.builder(valSet).setBatchSize(500).optTransform(NORM).build();
        DataLoader test = DataLoader.builder(Mnist.loadFashion(data, false)).setBatchSize(500).optTransform(NORM).build();
        Tensor sample = val.iterator().next().inputs().narrow(0, 0, 1).contiguous();
        Module base = load(weights);
        long macs = ChannelTrace.trace(base, sample).macs();
        say("base: test %.4f, validation %.4f, MACs %d", Scoring.accuracy(base, test, 0), Scoring.accuracy(base, val, 0), macs);
        double[] rates = {0.3, 0.5, 0.7};
        for (double r : rates) {
            Module m = load(weights);
            ChannelGraph g = ChannelTrace.trace(m, sample);
            Set<Integer> removed = Allocator.choose(g, Criteria.l1().scores(m, g), PruningTarget.flops(r));
            finish("uniform L1", r, m, g, removed, sample, train, test, epochs);
        }
        long t0 = System.nanoTime();
        Module meta = load(weights);
        MetaPruning.Result res = MetaPruning.search(meta, sample, train, val, MetaPruning.Options.of(0.5, MetaPruning.Training.of(steps, 0.005))
                .withBatches(4, 0), s -> { if (!s.contains("step") || s.contains("00/")) System.out.println("  " + s); });
        say("MetaPruning 50%%: widths %s of %s, MACs %d (%.1f%%), validation %.4f (generated weights), %.0f s", Arrays.toString(res.widths()),
                Arrays.toString(res.sizes()), res.macs(), 100.0 * res.macs() / macs, res.validationAccuracy(), (System.nanoTime() - t0) / 1e9);
        say("MetaPruning 50%%: test before fine-tuning %.4f", Scoring.accuracy(meta, test, 0));
        fineTune(meta, train, epochs);
        say("MetaPruning 50%%: test after %d epoch(s) %.4f", epochs, Scoring.accuracy(meta, test, 0));
        t0 = System.nanoTime();
        Module probe = load(weights);
        Cacp.Policy p = Cacp.train(probe, sample, recal, val, Cacp.Options.of(rates).withEpisodes(heat, episodes).withBatches(0, 4, 1),
                s -> { if (s.matches("CACP episode \\d*00/.*")) System.out.println("  " + s); });
        say("CACP: trained for %s in %.0f s", Arrays.toString(rates), (System.nanoTime() - t0) / 1e9);
        for (double r : rates) {
            Module m = load(weights);
            ChannelGraph g = ChannelTrace.trace(m, sample);
            say("CACP %.0f%%: actor fractions %s; best episode %d, validation %.4f", 100 * r, Arrays.toString(p.fractions(g, r)),
                    p.best(r).episode(), p.best(r).accuracy());
            finish("CACP (actor)", r, m, g, p.removed(g, r), sample, train, test, epochs);
            Module b = load(weights);
            finish("CACP (best episode)", r, b, ChannelTrace.trace(b, sample), p.best(r).removed(), sample, train, test, epochs);
        }
    }

    static Module load(Path weights) throws Exception {
        Module m = new LeNet5(false);
        m.load(weights, true);
        return m.eval();
    }

    static void finish(String what, double rate, Module m, ChannelGraph g, Set<Integer> removed, Tensor sample, DataLoader train, DataLoader test,
            int epochs) {
        long macs = g.macs(removed), base = g.macs();
        Pruning.apply(m, g, removed, sample);
        double before = Scoring.accuracy(m, test, 0);
        fineTune(m, train, epochs);
        say("%s %.0f%%: MACs %.1f%%, test %.4f before, %.4f after %d epoch(s)", what, 100 * rate, 100.0 * macs / base, before,
                Scoring.accuracy(m, test, 0), epochs);
    }

    /** SGD lr 0.01, momentum 0.9, weight decay 5e-4, cosine to 0. */
    static void fineTune(Module m, DataLoader train, int epochs) {
        Sgd sgd = new Sgd(m.parameters(), Sgd.options(0.01).momentum(0.9).weightDecay(5e-4).build());
        CosineLr cos = new CosineLr(sgd, epochs * train.size(), 0);
        m.train();
        for (int e = 0; e < epochs; e++) {
            for (Batch b : train) {
                sgd.zeroGrad();
                Losses.crossEntropy(m.call(b.inputs()), b.labels()).backward();
                sgd.step();
                cos.step();
            }
        }
        m.eval();
    }

    static void say(String f, Object... args) {
        System.out.println(String.format(Locale.ROOT, f, args));
    }
}
