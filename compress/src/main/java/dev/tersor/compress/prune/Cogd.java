package dev.tersor.compress.prune;

import dev.tersor.compress.prune.ChannelGraph.Kind;
import dev.tersor.compress.prune.ChannelGraph.Node;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * CoGD (Zhuo et al., "Cogradient Descent for Bilinear Optimization", CVPR 2020, arXiv 2006.09142;
 * Wang et al., "Cogradient Descent for Dependable Learning", arXiv 2106.10617): pruning as a
 * bilinear problem min_{W,m} L(W, m) + λ·‖m‖₁, the filters W and a sparse soft mask m on the
 * channels. Plain gradient descent on such a pair converges asynchronously: as m_k goes to zero,
 * the gradient of W_k vanishes and W_k stops training. CoGD gives the coupled variable a gradient
 * through a projection function between the two, switched on only where asynchronous convergence
 * is detected, and plain gradient descent elsewhere.
 *
 * <p>Every layer whose channels can be pruned gets a {@link SoftMask} (1 at the start); the whole
 * network then trains on the cross entropy for {@code epochs} passes, the parameters by plain
 * gradient descent (rate η2), each mask by the proximal L1 step (rate η1) and the asynchronous
 * channels' parameters by the cogradient step of {@link CogdStep}. The masks are folded into the
 * parameters afterwards (the model keeps the trained weights and running statistics) and each
 * channel scores |m_k|. The form of the update, the asynchrony test and the constants are this
 * project's reconstruction (docs/pruning.md says which parts come from where).
 */
public final class Cogd implements ChannelCriterion {

    /**
     * @param epochs passes over the training batches (≥ 1)
     * @param lr η2, the gradient-descent rate of the network's parameters (&gt; 0)
     * @param maskLr η1, the rate of the masks (&gt; 0)
     * @param lambda λ of the L1 penalty on the masks (≥ 0)
     * @param tau the fraction τ ∈ [0, 1] of a layer's channels the asynchrony test ranks as "near zero"
     */
    public record Settings(int epochs, double lr, double maskLr, double lambda, double tau) {
        public Settings {
            if (epochs < 1) throw new IllegalArgumentException("CoGD: epochs must be >= 1, got " + epochs);
            if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("CoGD: lr must be finite and > 0, got " + lr);
            if (!(maskLr > 0) || Double.isInfinite(maskLr)) {
                throw new IllegalArgumentException("CoGD: mask lr must be finite and > 0, got " + maskLr);
            }
            if (!(lambda >= 0) || Double.isInfinite(lambda)) {
                throw new IllegalArgumentException("CoGD: lambda must be finite and >= 0, got " + lambda);
            }
            if (!(tau >= 0 && tau <= 1)) throw new IllegalArgumentException("CoGD: tau must be in [0, 1], got " + tau);
        }

        /** This project's defaults (epochs 2, η2 = η1 = 0.01 as GAL's official code, λ = 0.01, τ = 0.5). */
        public static Settings defaults() {
            return new Settings(2, 0.01, 0.01, 0.01, 0.5);
        }
    }

    private final Iterable<Batch> train;
    private final Settings settings;
    private final Consumer<String> progress;

    /** @param train training batches (normalised as the network sees them), iterated once per epoch */
    public Cogd(Iterable<Batch> train, Settings settings, Consumer<String> progress) {
        if (settings == null) throw new IllegalArgumentException("CoGD: null settings");
        this.train = train;
        this.settings = settings;
        this.progress = progress;
    }

    @Override
    public double[] scores(Module model, ChannelGraph graph) {
        Batch first = train.iterator().next();
        Map<String, String> bnAfter = Criteria.batchNormAfter(model, first.inputs());
        List<CogdPair> pairs = new ArrayList<>();
        boolean wasTraining = model.isTraining();
        try {
            for (Node n : graph.nodes()) {
                if (n.kind() != Kind.MIXING || !prunable(graph, n.path())) continue;
                String bn = bnAfter.get(n.path());
                SoftMask mask = SoftMask.attach(model, n.path(), bn, n.outChannels());
                if (mask == null) continue;
                List<Parameter> coupled = new ArrayList<>(SoftMask.ownPerChannel(model.get(n.path()), n.outChannels()));
                if (bn != null) coupled.addAll(SoftMask.ownPerChannel(model.get(bn), n.outChannels()));
                pairs.add(new CogdPair(mask, new ChannelSlices(coupled, n.outChannels())));
            }
            if (pairs.isEmpty()) {
                throw new IllegalArgumentException("CoGD masks Conv2d/Linear layers or affine batch norms on prunable channels; the model has none");
            }
            train(model, pairs);
        } finally {
            for (CogdPair p : pairs) p.mask().fold();
            if (wasTraining) model.train();
            else model.eval();
        }
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (CogdPair p : pairs) {
            float[] m = p.mask().mask().value().toArray();
            double[] s = new double[m.length];
            for (int k = 0; k < m.length; k++) s[k] = Math.abs(m[k]);
            scores.put(p.mask().layer(), s);
        }
        double[] out = GroupScores.of(graph, scores, true);
        for (var g : graph.groups()) {
            if (g.prunable() && Double.isNaN(out[g.id()])) {
                throw new IllegalArgumentException("CoGD could not mask the group of " + g.sites().get(0)
                        + " (it needs a Conv2d/Linear producer or an affine batch norm after it)");
            }
        }
        return out;
    }

    private void train(Module model, List<CogdPair> pairs) {
        List<Parameter> params = new ArrayList<>();
        for (Parameter p : model.parameters()) if (p.requiresGrad()) params.add(p);
        Sgd sgd = new Sgd(params, Sgd.options(settings.lr()).build());   // no momentum, no decay: plain gradient descent
        model.train();
        int epochs = settings.epochs();
        for (int epoch = 0; epoch < epochs; epoch++) {
            int step = 0;
            long updates = 0, cogradient = 0;
            double loss = 0;
            for (Batch b : train) {
                sgd.zeroGrad();
                for (CogdPair p : pairs) p.mask().mask().zeroGrad();
                Tensor l = Losses.crossEntropy(model.call(b.inputs()), b.labels());
                l.backward();
                for (CogdPair p : pairs) p.before();
                sgd.step();
                for (CogdPair p : pairs) {
                    cogradient += p.after(settings.maskLr(), settings.lr(), settings.lambda(), settings.tau());
                    updates += p.mask().mask().numel();
                }
                loss += l.item();
                step++;
                if (progress != null && step % 50 == 0) progress.accept(String.format(Locale.ROOT, "CoGD epoch %d/%d, step %d, loss %.4f",
                        epoch + 1, epochs, step, loss / step));
            }
            if (progress != null) progress.accept(String.format(Locale.ROOT,
                    "CoGD epoch %d/%d done, %d steps, mean loss %.4f, %d of %d masks at zero, cogradient steps on %.1f%% of channel updates",
                    epoch + 1, epochs, step, loss / Math.max(step, 1), zeros(pairs), masks(pairs), 100.0 * cogradient / Math.max(updates, 1)));
        }
    }

    private static int zeros(List<CogdPair> pairs) {
        int z = 0;
        for (CogdPair p : pairs) for (float v : p.mask().mask().value().toArray()) if (v == 0) z++;
        return z;
    }

    private static int masks(List<CogdPair> pairs) {
        int n = 0;
        for (CogdPair p : pairs) n += p.mask().mask().numel();
        return n;
    }

    private static boolean prunable(ChannelGraph graph, String path) {
        int g = graph.groupOf(path, 0);
        return g >= 0 && graph.group(g).prunable();
    }
}
