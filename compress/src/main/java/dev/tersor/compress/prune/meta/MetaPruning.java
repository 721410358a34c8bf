package dev.tersor.compress.prune.meta;

import dev.tersor.compress.prune.ChannelGraph;
import dev.tersor.compress.prune.ChannelTrace;
import dev.tersor.compress.prune.Pruning;
import dev.tersor.compress.prune.PruningPlan;
import dev.tersor.compress.prune.PruningTarget.Scope;
import dev.tersor.compress.prune.meta.PruningNet.GeneratedLayer;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.MultiStepLr;
import dev.tersor.nn.optim.ParamGroup;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * MetaPruning (Liu et al., "MetaPruning: Meta Learning for Automatic Neural Network Channel
 * Pruning", ICCV 2019, arXiv 1903.10258; liuzechun/MetaPruning) on the traced channel families:
 * <ol>
 * <li>a {@link PruningNet} is trained to generate the weights of every mixing layer for any
 *     width vector (kept groups per family): each batch draws a random scale per family (31
 *     scales 0.10 … 1.00, uniformly, {@code train.py}), the generated weights are cropped to the
 *     kept channels (masked at full width) and the model's cross entropy trains the PruningNet
 *     together with the model's biases and batch norms (SGD, momentum 0.9, weight decay 1e-4 on
 *     the PruningNet, the learning rate divided by 10 at ¼, ½ and ¾ of the steps, as the
 *     official {@code MultiStepLR});</li>
 * <li>the {@link Evolution evolutionary search} (population 50, the 10 best breed, 25 mutations
 *     with p = 0.1, 25 crossovers, 20 generations) looks for the width vector with the lowest
 *     error whose multiply-accumulates ({@link ChannelGraph#macs}) lie in
 *     [limit − band·base, limit], limit = (1 − flops)·base; each candidate gets its generated
 *     weights, its batch norms are recalibrated on a few training batches, and its error is
 *     measured on {@code validation}, which must be held out of the training split (the paper
 *     splits 50 000 images off ImageNet's training set; never the test set);</li>
 * <li>the best width vector keeps the first groups of each family; the model is pruned in place
 *     ({@link Pruning#apply}) with the generated weights ({@link Weights#GENERATED}, batch norms
 *     recalibrated) or with its own trained weights ({@link Weights#PRETRAINED}), ready for
 *     fine-tuning. The paper trains the found network from scratch; either start is a choice of
 *     this implementation.</li>
 * </ol>
 */
public final class MetaPruning {
    private MetaPruning() {
    }

    /** Which weights the pruned model starts from. */
    public enum Weights { GENERATED, PRETRAINED }

    /**
     * The PruningNet's training.
     *
     * @param steps batches (each with its own random widths)
     * @param lr SGD learning rate (divided by 10 at ¼, ½ and ¾ of the steps)
     * @param momentum SGD momentum (official 0.9)
     * @param weightDecay L2 on the PruningNet's parameters (official 1e-4)
     * @param hidden width of each generator's hidden layer (official 32)
     * @param init how the generators start
     */
    public record Training(int steps, double lr, double momentum, double weightDecay, int hidden, PruningNet.Init init) {
        public Training {
            if (steps < 0) throw new IllegalArgumentException("MetaPruning: training steps must be >= 0, got " + steps);
            if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("MetaPruning: lr must be finite and > 0, got " + lr);
            if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("MetaPruning: momentum must be in [0, 1), got " + momentum);
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("MetaPruning: weight decay must be finite and >= 0, got " + weightDecay);
            }
            if (hidden < 1) throw new IllegalArgumentException("MetaPruning: hidden must be >= 1, got " + hidden);
            if (init == null) throw new IllegalArgumentException("MetaPruning: init is null");
        }

        /** {@code steps} of SGD at {@code lr}, momentum 0.9, weight decay 1e-4, hidden 32, started from the trained weights. */
        public static Training of(int steps, double lr) {
            return new Training(steps, lr, 0.9, 1e-4, 32, PruningNet.Init.PRETRAINED);
        }
    }

    /**
     * @param flops the fraction of multiply-accumulates to remove, in (0, 1)
     * @param band candidates may have up to {@code band}·base fewer MACs than the limit (official
     *     ±2.5% around 2 GFLOPs of ResNet-50's 4.1), in (0, 1]
     * @param scope families searched ({@link Scope#INTERNAL}: only block-inner channels); the others keep every group
     * @param training the PruningNet's training
     * @param evolution the search's sizes
     * @param recalibrationBatches training batches that recalibrate each candidate's batch norms (official 100 of 1000 images)
     * @param validationBatches validation batches that score each candidate (0: all)
     * @param weights the pruned model's weights
     * @param seed seeds the PruningNet's initialisation, the random widths and the search
     */
    public record Options(double flops, double band, Scope scope, Training training, EvolutionSettings evolution, int recalibrationBatches,
            int validationBatches, Weights weights, long seed) {
        public Options {
            if (!(flops > 0 && flops < 1)) throw new IllegalArgumentException("MetaPruning: the FLOPs fraction to remove must be in (0, 1), got " + flops);
            if (!(band > 0 && band <= 1)) throw new IllegalArgumentException("MetaPruning: the FLOPs band must be in (0, 1], got " + band);
            if (scope == null || training == null || evolution == null || weights == null) throw new IllegalArgumentException("MetaPruning: null setting");
            if (recalibrationBatches < 0 || validationBatches < 0) {
                throw new IllegalArgumentException("MetaPruning: recalibration and validation batches must be >= 0, got " + recalibrationBatches
                        + " and " + validationBatches);
            }
        }

        /** Remove {@code flops} of the MACs: band 0.05, all families, the official search, 10 recalibration batches, generated weights. */
        public static Options of(double flops, Training training) {
            return new Options(flops, 0.05, Scope.ALL, training, EvolutionSettings.OFFICIAL, 10, 0, Weights.GENERATED, 1);
        }

        /** These options with other search sizes. */
        public Options with(EvolutionSettings e) {
            return new Options(flops, band, scope, training, e, recalibrationBatches, validationBatches, weights, seed);
        }

        /** These options with another scope. */
        public Options with(Scope s) {
            return new Options(flops, band, s, training, evolution, recalibrationBatches, validationBatches, weights, seed);
        }

        /** These options with another start for the pruned model. */
        public Options with(Weights w) {
            return new Options(flops, band, scope, training, evolution, recalibrationBatches, validationBatches, w, seed);
        }

        /** These options with other batch counts for recalibration and scoring. */
        public Options withBatches(int recalibration, int validation) {
            return new Options(flops, band, scope, training, evolution, recalibration, validation, weights, seed);
        }

        /** These options with another seed. */
        public Options withSeed(long s) {
            return new Options(flops, band, scope, training, evolution, recalibrationBatches, validationBatches, weights, s);
        }
    }

    /**
     * What the search found.
     *
     * @param families producing layers of each searched family
     * @param widths kept groups per searched family (the width vector)
     * @param sizes groups per searched family
     * @param removed the removed groups of the graph traced from the unpruned model
     * @param plan the pruning plan (what the compressed file records)
     * @param macs multiply-accumulates of one sample's forward after pruning
     * @param baseMacs before pruning
     * @param validationAccuracy the best candidate's accuracy on the validation batches (generated weights, recalibrated)
     * @param model the pruned model (the instance given, pruned in place)
     */
    public record Result(List<List<String>> families, int[] widths, int[] sizes, Set<Integer> removed, PruningPlan plan, long macs, long baseMacs,
            double validationAccuracy, Module model) {
    }

    /**
     * Trains a PruningNet for {@code model}, searches the width vector and prunes {@code model}
     * in place.
     *
     * @param sample an input batch like the model's (its batch size does not matter)
     * @param train training batches (iterated again when exhausted)
     * @param validation held-out batches (from the training split) that score candidates
     * @param progress told about training and each generation (may be null)
     * @throws IllegalArgumentException if the limit cannot be met, or a mixing layer is not a Conv2d or Linear
     */
    public static Result search(Module model, Tensor sample, Iterable<Batch> train, Iterable<Batch> validation, Options opts,
            Consumer<String> progress) {
        ChannelGraph graph = ChannelTrace.trace(model, sample);
        WidthSpace space = new WidthSpace(graph, opts.scope());
        long base = graph.macs(), limit = (long) Math.floor((1 - opts.flops()) * base);
        long floor = Math.max(0, limit - (long) Math.ceil(opts.band() * base));
        Generator rng = new Generator(opts.seed());
        // fail before training when no width vector meets the limit
        Evolution evolution = new Evolution(space.levels(), space::macs, floor, limit, opts.evolution(), rng);
        Map<String, Tensor> trained = new LinkedHashMap<>(model.stateDict());
        trained.replaceAll((k, v) -> v.copy());
        PruningNet net = new PruningNet(model, graph, opts.training().hidden(), opts.training().init(), opts.seed());
        Map<String, Module> originals = new LinkedHashMap<>();
        Map<String, GeneratedLayer> generated = new LinkedHashMap<>();
        for (String path : net.layers()) {
            GeneratedLayer g = new GeneratedLayer(model.get(path));
            originals.put(path, model.replace(path, g));
            generated.put(path, g);
        }
        List<Evolution.Scored> top;
        try {
            trainNet(model, net, space, generated, train, opts.training(), rng, progress);
            top = evolution.run(genes -> 1 - score(model, net, space, generated, space.kept(genes), train, validation, opts),
                    progress == null ? null : s -> progress.accept("MetaPruning search " + s));
        } finally {
            for (var e : originals.entrySet()) model.replace(e.getKey(), e.getValue());
        }
        Evolution.Scored best = top.get(0);
        int[] widths = space.kept(best.genes());
        Set<Integer> removed = space.removed(widths);
        if (opts.weights() == Weights.GENERATED) {
            install(model, net, graph, originals, generated, removed);
            Scoring.recalibrate(model, train, opts.recalibrationBatches());
        } else {
            model.loadStateDict(trained, true);
        }
        model.eval();
        PruningPlan plan = Pruning.apply(model, graph, removed, sample);
        List<List<String>> fams = new ArrayList<>();
        int[] sizes = new int[widths.length];
        for (int i = 0; i < widths.length; i++) {
            fams.add(space.families().get(i).producers());
            sizes[i] = space.families().get(i).size();
        }
        return new Result(List.copyOf(fams), widths, sizes, Collections.unmodifiableSet(removed), plan, graph.macs(removed), base, 1 - best.error(),
                model);
    }

    /** Trains the PruningNet (and the model's biases and batch norms) with random widths. */
    private static void trainNet(Module model, PruningNet net, WidthSpace space, Map<String, GeneratedLayer> generated, Iterable<Batch> train,
            Training t, Generator rng, Consumer<String> progress) {
        if (t.steps() == 0) return;
        Set<Parameter> netParams = Collections.newSetFromMap(new IdentityHashMap<>());
        netParams.addAll(net.parameters());
        List<Parameter> others = new ArrayList<>();
        for (Parameter p : model.parameters()) if (!netParams.contains(p) && p.requiresGrad()) others.add(p);
        Sgd.Options o = Sgd.options(t.lr()).momentum(t.momentum()).build();
        List<ParamGroup<Sgd.Options>> groups = new ArrayList<>();
        groups.add(new ParamGroup<>(net.parameters(), o.toBuilder().weightDecay(t.weightDecay()).build()));
        if (!others.isEmpty()) groups.add(new ParamGroup<>(others, o));
        Sgd sgd = new Sgd(groups);
        int[] milestones = {Math.max(1, t.steps() / 4), Math.max(1, t.steps() / 2), Math.max(1, 3 * t.steps() / 4)};
        MultiStepLr schedule = new MultiStepLr(sgd, milestones, 0.1);
        Iterator<Batch> it = train.iterator();
        double loss = 0;
        int since = 0;
        for (int step = 0; step < t.steps(); step++) {
            if (!it.hasNext()) it = train.iterator();
            if (!it.hasNext()) throw new IllegalArgumentException("MetaPruning: no training batches");
            Batch b = it.next();
            int[] scales = new int[space.families().size()];
            for (int i = 0; i < scales.length; i++) scales[i] = rng.nextInt(WidthSpace.SCALES.length);
            ChannelMask mask = new ChannelMask(space.graph(), space.removed(space.keptAtScales(scales)));
            model.train();
            sgd.zeroGrad();
            net.zeroGrad();
            for (var e : generated.entrySet()) e.getValue().set(net.weight(e.getKey(), mask));
            Tensor l = Losses.crossEntropy(model.call(b.inputs()), b.labels());
            l.backward();
            sgd.step();
            schedule.step();
            loss += l.item();
            since++;
            if (progress != null && ((step + 1) % 50 == 0 || step + 1 == t.steps())) {
                progress.accept(String.format(Locale.ROOT, "PruningNet step %d/%d, mean loss %.4f", step + 1, t.steps(), loss / since));
                loss = 0;
                since = 0;
            }
        }
        for (GeneratedLayer g : generated.values()) g.set(null);
    }

    /** The accuracy of the width vector {@code kept} with generated weights, after recalibration. */
    private static double score(Module model, PruningNet net, WidthSpace space, Map<String, GeneratedLayer> generated, int[] kept,
            Iterable<Batch> train, Iterable<Batch> validation, Options opts) {
        ChannelMask mask = new ChannelMask(space.graph(), space.removed(kept));
        try (var g = Tensor.noGrad()) {
            for (var e : generated.entrySet()) e.getValue().set(net.weight(e.getKey(), mask));
        }
        Scoring.recalibrate(model, train, opts.recalibrationBatches());
        return Scoring.accuracy(model, validation, opts.validationBatches());
    }

    /** Writes the generated (masked) weights and the trained biases into the original layers. */
    private static void install(Module model, PruningNet net, ChannelGraph graph, Map<String, Module> originals, Map<String, GeneratedLayer> generated,
            Set<Integer> removed) {
        ChannelMask mask = new ChannelMask(graph, removed);
        try (var g = Tensor.noGrad()) {
            for (var e : originals.entrySet()) {
                Map<String, Tensor> st = e.getValue().stateDict();
                st.get("weight").copyInPlace(net.weight(e.getKey(), mask));
                Tensor b = generated.get(e.getKey()).bias();
                if (b != null) st.get("bias").copyInPlace(b);
            }
        }
    }
}
