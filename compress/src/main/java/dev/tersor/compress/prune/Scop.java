package dev.tersor.compress.prune;

import dev.tersor.compress.prune.ChannelGraph.Kind;
import dev.tersor.compress.prune.ChannelGraph.Node;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Adam;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * SCOP (Tang et al., "SCOP: Scientific Control for Reliable Neural Network Pruning", NeurIPS
 * 2020, arXiv 2010.10732; huawei-noah/Efficient-Computing {@code Pruning/SCOP_NeurIPS2020}):
 * knockoff images, which look like the data but know nothing of the labels, run through the
 * network beside the real batch as a control group. Every layer that a batch norm directly
 * follows mixes, for each output channel k, the real and the knockoff features before the batch
 * norm, and passes the knockoff features on unchanged:
 * <pre>
 * batch = [x; x̃]                     (N real images, N knockoffs: 2N)
 * y_real ← β_k·y_real + (1 − β_k)·y_knockoff,   y_knockoff ← y_knockoff      (train mode only)
 * </pre>
 * Only the β (initialised to 0.5) train, with Adam (lr 0.004, betas (0.5, 0.9), as the official
 * code) on the cross entropy of the real half, clamped to [0, 1] after each step; every other
 * parameter is frozen and the batch norms' running statistics are restored afterwards. A channel
 * the network can replace by its knockoff (β → 0) is redundant. Score: |γ_k|·(2β_k − 1), γ the
 * batch norm's scale. Knockoffs come from {@link GaussianKnockoffs}.
 */
public final class Scop implements ChannelCriterion {
    /** The official code's β learning rate. */
    public static final double LR = 0.004;
    private final Iterable<Batch> train;
    private final GaussianKnockoffs knockoffs;
    private final int epochs;
    private final double lr;
    private final Generator rng;
    private final Consumer<String> progress;

    /**
     * @param train training batches (normalised as the network sees them), iterated once per epoch
     * @param epochs passes over {@code train} (the official code: 20)
     */
    public Scop(Iterable<Batch> train, GaussianKnockoffs knockoffs, int epochs, double lr, long seed, Consumer<String> progress) {
        if (epochs < 1) throw new IllegalArgumentException("Scop: epochs must be >= 1, got " + epochs);
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("Scop: lr must be finite and > 0, got " + lr);
        this.train = train;
        this.knockoffs = knockoffs;
        this.epochs = epochs;
        this.lr = lr;
        this.rng = new Generator(seed);
        this.progress = progress;
    }

    @Override
    public double[] scores(Module model, ChannelGraph graph) {
        Batch first = train.iterator().next();
        Map<String, String> bnAfter = Criteria.batchNormAfter(model, first.inputs());
        Map<String, Parameter> betas = new LinkedHashMap<>();
        List<Module.HookHandle> handles = new ArrayList<>();
        Map<String, Tensor> saved = new LinkedHashMap<>();
        for (var e : model.namedBuffers().entrySet()) saved.put(e.getKey(), e.getValue().copy());
        List<Boolean> grads = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            grads.add(p.requiresGrad());
            p.setRequiresGrad(false);
        }
        boolean wasTraining = model.isTraining();
        try {
            for (Node n : graph.nodes()) {
                String bn = bnAfter.get(n.path());
                if (n.kind() != Kind.MIXING || bn == null) continue;
                Parameter beta = new Parameter(Tensor.full(0.5f, n.outChannels()));
                betas.put(n.path(), beta);
                handles.add(model.get(bn).registerForwardPreHook((m, x) -> m.isTraining() ? mix(x, beta.value()) : null));
            }
            if (betas.isEmpty()) throw new IllegalArgumentException("SCOP needs layers followed by a batch norm; the model has none");
            int[] half = {0};
            handles.add(model.registerForwardPreHook((m, x) -> {
                half[0] = x.size(0);
                return m.isTraining() ? Tensor.cat(0, x, knockoffs.sample(x.size(0), rng)) : null;
            }));
            handles.add(model.registerForwardHook((m, x, y) -> m.isTraining() ? y.narrow(0, 0, half[0]) : null));
            train(model, new ArrayList<>(betas.values()));
        } finally {
            for (Module.HookHandle h : handles) h.close();
            List<Parameter> ps = model.parameters();
            for (int i = 0; i < ps.size(); i++) ps.get(i).setRequiresGrad(grads.get(i));
            restore(model, saved);
            if (wasTraining) model.train();
            else model.eval();
        }
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (var e : betas.entrySet()) {
            float[] b = e.getValue().value().toArray();
            Parameter gamma = Criteria.batchNormWeight(model.get(bnAfter.get(e.getKey())));
            float[] g = gamma == null ? null : gamma.value().toArray();
            double[] s = new double[b.length];
            for (int k = 0; k < b.length; k++) s[k] = (g == null ? 1 : Math.abs(g[k])) * (2.0 * b[k] - 1);
            scores.put(e.getKey(), s);
        }
        double[] out = GroupScores.of(graph, scores, true);
        for (var g : graph.groups()) {
            if (g.prunable() && Double.isNaN(out[g.id()])) {
                throw new IllegalArgumentException("SCOP scores layers that a batch norm directly follows; the group of " + g.sites().get(0)
                        + " has none");
            }
        }
        return out;
    }

    /** [real; knockoff] → [β·real + (1 − β)·knockoff; knockoff]. */
    static Tensor mix(Tensor x, Tensor beta) {
        int n = x.size(0) / 2;
        int[] shape = new int[x.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[1] = beta.numel();
        beta = beta.reshape(shape);
        Tensor real = x.narrow(0, 0, n), kf = x.narrow(0, n, n);
        Tensor mixed = real.mul(beta).add(kf.mul(beta.neg().add(1f)));
        return Tensor.cat(0, mixed, kf);
    }

    private void train(Module model, List<Parameter> betas) {
        Adam adam = new Adam(betas, Adam.options().lr(lr).betas(0.5, 0.9).build());
        model.train();
        for (int epoch = 0; epoch < epochs; epoch++) {
            int step = 0;
            double loss = 0;
            for (Batch b : train) {
                adam.zeroGrad();
                Tensor l = Losses.crossEntropy(model.call(b.inputs()), b.labels());
                l.backward();
                adam.step();
                try (var g = Tensor.noGrad()) {
                    for (Parameter p : betas) p.value().copyInPlace(p.value().clamp(0f, 1f));
                }
                loss += l.item();
                step++;
                if (progress != null && step % 50 == 0) progress.accept(String.format(java.util.Locale.ROOT,
                        "SCOP epoch %d/%d, step %d, loss %.4f", epoch + 1, epochs, step, loss / step));
            }
            if (progress != null) progress.accept(String.format(java.util.Locale.ROOT, "SCOP epoch %d/%d done, %d steps, mean loss %.4f",
                    epoch + 1, epochs, step, loss / Math.max(step, 1)));
        }
    }

    private static void restore(Module model, Map<String, Tensor> saved) {
        try (var g = Tensor.noGrad()) {
            for (var e : model.namedBuffers().entrySet()) {
                Tensor s = saved.get(e.getKey());
                if (s != null) e.getValue().copyInPlace(s);
            }
        }
    }
}
