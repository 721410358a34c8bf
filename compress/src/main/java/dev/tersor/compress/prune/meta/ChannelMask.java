package dev.tersor.compress.prune.meta;

import dev.tersor.compress.prune.ChannelGraph;
import dev.tersor.compress.prune.ChannelGraph.Kind;
import dev.tersor.compress.prune.ChannelGraph.Node;
import dev.tersor.compress.prune.ChannelGraph.Site;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A removal of channel groups simulated at full width: every mixing layer's weight
 * W [O, I, ...] is multiplied by m_out[o]·m_in[i], the 0/1 masks of its output and input
 * channels that survive. This computes what the physically pruned model computes (up to float
 * summation order): a removed group's channels reach only sites of the same group (the tracer
 * joins everything a channel reaches), so the only layers that turn them into kept outputs are
 * mixing layers, whose weights on them are now zero. Batch norms of removed channels still run
 * but nothing kept reads them. It is how MetaPruning's cropping {@code W[:k_out, :k_in]} is done
 * here, and how candidates are scored without rebuilding the model.
 */
final class ChannelMask {
    /** Per mixing layer: {kept outputs mask [O], kept inputs mask [I]} (1 kept, 0 removed). */
    private final Map<String, float[][]> masks = new LinkedHashMap<>();

    ChannelMask(ChannelGraph graph, Set<Integer> removed) {
        for (Node n : graph.nodes()) {
            if (n.kind() != Kind.MIXING) continue;
            float[] out = new float[n.outChannels()], in = new float[n.inChannels()];
            Arrays.fill(out, 1f);
            Arrays.fill(in, 1f);
            masks.put(n.path(), new float[][] {out, in});
        }
        for (int id : removed) {
            for (Site s : graph.group(id).sites()) {
                float[][] m = masks.get(s.path());
                if (m != null) m[s.out() ? 0 : 1][s.index()] = 0f;
            }
        }
    }

    /** The mixing layers, in graph order. */
    Set<String> layers() {
        return masks.keySet();
    }

    /** The fraction of input ({@code out} false) or output channels of {@code path} kept. */
    float ratio(String path, boolean out) {
        float[] m = masks.get(path)[out ? 0 : 1];
        if (m.length == 0) return 1f;
        float s = 0;
        for (float v : m) s += v;
        return s / m.length;
    }

    /** The full 0/1 mask of a weight of {@code shape} [O, I, ...] (rank 2 or more) of layer {@code path}. */
    Tensor of(String path, int[] shape) {
        float[][] m = masks.get(path);
        if (m == null) throw new IllegalArgumentException("ChannelMask: " + path + " is not a traced mixing layer");
        if (shape.length < 2 || shape[0] != m[0].length || shape[1] != m[1].length) {
            throw new IllegalArgumentException("ChannelMask: weight " + Arrays.toString(shape) + " of " + path + " does not have "
                    + m[0].length + " outputs and " + m[1].length + " inputs on axes 0 and 1");
        }
        int per = 1;
        for (int d = 2; d < shape.length; d++) per *= shape[d];
        float[] v = new float[shape[0] * shape[1] * per];
        for (int o = 0, k = 0; o < shape[0]; o++) {
            for (int i = 0; i < shape[1]; i++, k += per) if (m[0][o] * m[1][i] != 0f) Arrays.fill(v, k, k + per, 1f);
        }
        return Tensor.fromArray(v, shape);
    }

    /**
     * Writes {@code original[path] ⊙ mask} into the weight of every mixing layer of {@code model}
     * that {@code original} holds (path → weight tensor, e.g. {@link #weights}).
     */
    void apply(Module model, Map<String, Tensor> original) {
        try (var g = Tensor.noGrad()) {
            for (var e : original.entrySet()) {
                Tensor w = model.get(e.getKey()).stateDict().get("weight");
                w.copyInPlace(e.getValue().mul(of(e.getKey(), e.getValue().shape())));
            }
        }
    }

    /** Copies of the weights of the mixing layers of {@code model} that {@code graph} traced. */
    static Map<String, Tensor> weights(Module model, ChannelGraph graph) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (Node n : graph.nodes()) {
            if (n.kind() != Kind.MIXING) continue;
            Tensor t = model.get(n.path()).stateDict().get("weight");
            if (t == null || t.dim() < 2) throw new IllegalArgumentException(n.path() + " (" + n.type() + ") has no weight [out, in, ...] to mask");
            w.put(n.path(), t.copy());
        }
        return w;
    }

    /** Puts the weights {@code saved} (from {@link #weights}) back. */
    static void restore(Module model, Map<String, Tensor> saved) {
        try (var g = Tensor.noGrad()) {
            for (var e : saved.entrySet()) model.get(e.getKey()).stateDict().get("weight").copyInPlace(e.getValue());
        }
    }
}
