package dev.tersor.search;

import dev.tersor.nn.Parameter;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Adam;
import dev.tersor.nn.optim.CosineLr;
import dev.tersor.nn.optim.GradClip;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.train.Evaluation;
import dev.tersor.nn.train.LossFunction;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Differentiable architecture search on a {@link CellSpace}: DARTS (Liu et al., arXiv
 * 1806.09055; first or second order) and PC-DARTS (Xu et al., arXiv 1907.05737), by the
 * {@link DartsOptions}. The weights train on one half of the training split, α (and β) on the
 * other, alternating step by step as {@code train_search.py} does: an architecture step on a
 * batch of the second half ({@link ArchitectGradient}; none during the warm-up epochs), then a
 * weight step on a batch of the first. After the last epoch the cell is derived
 * ({@link CellDerivation}: 2 inputs per node, no {@code none}).
 * <pre>{@code
 * Darts.Result r = new Darts(DartsOptions.pcDarts(10).withBatch(64))
 *         .run(CellSpace.fashionCell(), SearchData.fashion(dir, 10_000), Path.of("runs/pcdarts"), 1, System.out);
 * r.arch().write(Path.of("arch.json"), space);
 * }</pre>
 * The run directory gets {@code epochs.jsonl} (per epoch: losses, the supernet's validation
 * accuracy, softmax(α), edge weights, the cell derived so far) and {@code darts.ckpt}, written
 * after every epoch; a rerun with the same directory, seed and options resumes from it and ends
 * bit for bit where an uninterrupted run ends.
 */
public final class Darts {
    /** What a search returns; {@code passes} counts forward-backward passes of the supernet (the cost, with the seconds). */
    public record Result(Architecture arch, Tensor opWeights, Tensor edgeWeights, int weightSteps, int archSteps, long passes, double seconds) {
    }

    private final DartsOptions o;
    private final LossFunction loss = Losses::crossEntropy;

    /** A search with these options. */
    public Darts(DartsOptions options) {
        this.o = options;
    }

    /** Searches {@code space} with {@code seed}, keeping its state in {@code dir} (resumed when it holds one). */
    public Result run(CellSpace space, SearchData data, Path dir, long seed, PrintStream log) throws IOException {
        Files.createDirectories(dir);
        Rng.manualSeed(seed);
        MixedCellSupernet net = new MixedCellSupernet(space, o.relaxation());
        int n = data.train().size(), half = n / 2;
        if (half < 1) throw new IllegalArgumentException("Darts: the training split needs at least 2 samples, got " + n);
        SearchData weightsHalf = new SearchData(data.train().subset(range(0, half)), data.validation(), data.test(), data.transform());
        SearchData archHalf = new SearchData(data.train().subset(range(half, n)), data.validation(), data.test(), data.transform());
        DataLoader train = weightsHalf.trainLoader(o.batch(), seed), arch = archHalf.trainLoader(o.batch(), seed + 1);
        List<Parameter> weights = net.weights(), archParams = net.architectureParameters();
        Sgd sgd = new Sgd(weights, Sgd.options(o.weightLr()).momentum(o.momentum()).weightDecay(o.weightDecay()).build());
        CosineLr schedule = new CosineLr(sgd, o.epochs() * train.size(), o.weightLrMin());
        Adam adam = new Adam(archParams, Adam.options().lr(o.archLr()).betas(o.archBeta1(), o.archBeta2()).weightDecay(o.archWeightDecay()).build());
        DartsState state = new DartsState(dir, seed, o, space);
        DartsState.Counters c = state.resume(net, sgd, adam, schedule);
        long t0 = System.nanoTime();
        double before = c.seconds();
        for (int epoch = c.epoch(); epoch < o.epochs(); epoch++) {
            net.train();
            train.setEpoch(epoch);
            arch.setEpoch(epoch);
            Iterator<Batch> archBatches = arch.iterator();
            double lossSum = 0;
            long correct = 0, seen = 0;
            for (Batch b : train) {
                if (epoch >= o.warmupEpochs()) {
                    if (!archBatches.hasNext()) archBatches = arch.iterator();
                    Batch v = archBatches.next();
                    if (o.secondOrder()) {
                        ArchitectGradient.secondOrder(net, weights, archParams, b, v, loss, virtualStep(sgd, schedule, weights));
                        c = c.plus(0, 1, 4);
                    } else {
                        ArchitectGradient.firstOrder(net, v, loss);
                        c = c.plus(0, 1, 1);
                    }
                    adam.step();
                }
                for (Parameter p : net.parameters()) p.zeroGrad();
                Tensor out = net.call(b.inputs());
                Tensor l = loss.apply(out, b.labels());
                l.backward();
                if (o.gradClip() > 0) GradClip.clipGradNorm(weights, o.gradClip());
                sgd.step();
                schedule.step();
                c = c.plus(1, 0, 1);
                lossSum += l.item() * b.size();
                correct += out.argmax(1, false).countEqual(b.labels());
                seen += b.size();
            }
            double val = Evaluation.of(net, data.validationLoader(500)).accuracy();
            Architecture derived = derive(net);
            double seconds = before + (System.nanoTime() - t0) / 1e9;
            c = new DartsState.Counters(epoch + 1, c.weightSteps(), c.archSteps(), c.passes(), seconds);
            state.log(epoch, lossSum / seen, (double) correct / seen, val, net, derived, c);
            state.save(net, sgd, adam, schedule, c);
            if (log != null) {
                log.printf(Locale.ROOT, "epoch %d/%d: train loss %.4f acc %.4f, supernet val acc %.4f, cell %s %s (%.0f s)%n", epoch + 1, o.epochs(),
                        lossSum / seen, (double) correct / seen, val, derived.key(), space.opNames(derived), seconds);
            }
        }
        return new Result(derive(net), net.opWeights().detach(), net.edgeWeights().detach(), c.weightSteps(), c.archSteps(), c.passes(), c.seconds());
    }

    private Architecture derive(MixedCellSupernet net) {
        try (var ignored = Tensor.noGrad()) {
            return CellDerivation.derive(net.space(), net.opWeights(), net.edgeWeights(), o.keep());
        }
    }

    private ArchitectGradient.VirtualStep virtualStep(Sgd sgd, CosineLr schedule, List<Parameter> weights) {
        List<Tensor> buffers = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) buffers.add(sgd.state(i).buffer("momentum_buffer"));
        return new ArchitectGradient.VirtualStep(sgd.groups().get(0).options().lr(), o.momentum(), o.weightDecay(), buffers);
    }

    private static int[] range(int from, int to) {
        int[] out = new int[to - from];
        for (int i = 0; i < out.length; i++) out[i] = from + i;
        return out;
    }
}
