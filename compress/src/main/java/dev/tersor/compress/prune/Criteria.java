package dev.tersor.compress.prune;

import dev.tersor.compress.prune.ChannelGraph.Kind;
import dev.tersor.compress.quant.BatchNormFolding;
import dev.tersor.compress.prune.ChannelGraph.Node;
import dev.tersor.nn.BatchNorm1d;
import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The data-free criteria: filter norms (Li et al., "Pruning Filters for Efficient ConvNets",
 * ICLR 2017: the L1 norm Σ|W[k]| of each filter, or its L2 norm) and network slimming's batch-norm
 * scales (Liu et al., ICCV 2017: |γ| of the batch norms on a channel). Scores of a group that
 * spans several layers are combined by {@link GroupScores}.
 */
public final class Criteria {
    private Criteria() {
    }

    /** Σ|W[k, ...]| of each output channel k of each mixing layer. */
    public static ChannelCriterion l1() {
        return (model, graph) -> GroupScores.of(graph, filterNorms(model, graph, 1), true);
    }

    /** √(Σ W[k, ...]²) of each output channel k of each mixing layer. */
    public static ChannelCriterion l2() {
        return (model, graph) -> GroupScores.of(graph, filterNorms(model, graph, 2), true);
    }

    /**
     * |γ| of every affine batch norm on the group's channels (train with
     * {@link SlimmingPenalty} first, as the paper does).
     *
     * @throws IllegalArgumentException if a prunable group has no batch norm to score it
     */
    public static ChannelCriterion slimming() {
        return (model, graph) -> {
            Map<String, double[]> gammas = new LinkedHashMap<>();
            for (Node n : graph.nodes()) {
                if (n.kind() != Kind.CHANNELWISE) continue;
                Parameter w = batchNormWeight(model.get(n.path()));
                if (w == null) continue;
                float[] v = w.value().toArray();
                double[] s = new double[v.length];
                for (int i = 0; i < v.length; i++) s[i] = Math.abs(v[i]);
                gammas.put(n.path(), s);
            }
            double[] scores = GroupScores.of(graph, gammas, true);
            for (var g : graph.groups()) {
                if (g.prunable() && Double.isNaN(scores[g.id()])) {
                    throw new IllegalArgumentException("network slimming needs an affine batch norm on every pruned channel; the group of "
                            + g.sites().get(0) + " has none");
                }
            }
            return scores;
        };
    }

    /** Each layer that a batch norm directly follows (as batch-norm folding finds the pairs on {@code sample}) → that batch norm's path. */
    static Map<String, String> batchNormAfter(Module model, Tensor sample) {
        Map<String, String> out = new LinkedHashMap<>();
        for (BatchNormFolding.Pair p : BatchNormFolding.pairs(model, sample.narrow(0, 0, 1).contiguous())) out.put(p.layer(), p.batchNorm());
        return out;
    }

    /** γ of an affine BatchNorm1d/2d, else null. */
    static Parameter batchNormWeight(Module m) {
        if (m instanceof BatchNorm2d b) return b.weight();
        if (m instanceof BatchNorm1d b) return b.weight();
        return null;
    }

    private static Map<String, double[]> filterNorms(Module model, ChannelGraph graph, int p) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Node n : graph.nodes()) {
            if (n.kind() != Kind.MIXING) continue;
            Tensor w = model.get(n.path()).stateDict().get("weight");
            if (w == null) continue;
            float[] v = w.contiguous().toArray();
            int per = v.length / w.shape()[0];
            double[] s = new double[w.shape()[0]];
            for (int k = 0; k < s.length; k++) {
                double acc = 0;
                for (int j = 0; j < per; j++) {
                    double x = v[k * per + j];
                    acc += p == 1 ? Math.abs(x) : x * x;
                }
                s[k] = p == 1 ? acc : Math.sqrt(acc);
            }
            out.put(n.path(), s);
        }
        return out;
    }
}
