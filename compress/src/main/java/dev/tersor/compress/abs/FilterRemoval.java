package dev.tersor.compress.abs;

import dev.tersor.compress.prune.ChannelGraph;
import dev.tersor.compress.prune.ChannelTrace;
import dev.tersor.compress.prune.Pruning;
import dev.tersor.compress.prune.PruningPlan;
import dev.tersor.compress.quant.FakeQuantizer;
import dev.tersor.compress.quant.QParams;
import dev.tersor.compress.quant.QuantConv2d;
import dev.tersor.compress.quant.QuantLinear;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Physically removes the 0-bit filters of a finished ABS model ({@link Abs#finish}) with the
 * structural pruning engine, so a pruned filter costs neither bytes nor multiply-accumulates: the
 * filter, its bias, its weight scale and the next layers' matching input channels are gone.
 * <p>
 * A channel group is removed when every layer producing it has that filter entirely 0 (weights
 * and bias, as {@link Abs#finish} leaves a 0-bit filter) and no batch norm or other channel-wise
 * layer sits on it (batch norm would turn the zero channel into its constant shift). The fake
 * quantized layers are swapped for float ones of the same weights for the trace and the surgery
 * (so the plan is the one {@code CompressedModel.load} replays on the float architecture), then
 * wrapped again with their grids, the weight scales of removed filters dropped. The model's
 * outputs on a random batch must not change (to float rounding), else the model's layers are put
 * back as they were and an {@link IllegalStateException} says so.
 */
public final class FilterRemoval {
    private FilterRemoval() {
    }

    /** What {@link #apply} removed: the plan (empty when no group was all 0-bit) and the filters removed per layer. */
    public record Result(PruningPlan plan, Map<String, Integer> removedFilters) {
        /** Filters removed over all layers. */
        public int total() {
            return removedFilters.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /**
     * Removes the all-zero filter groups of {@code model} (a finished ABS model in eval mode, its
     * layers {@link QuantConv2d}/{@link QuantLinear} or float) in place; {@code sample} is one
     * input of the model's shape (batch 1), used to trace channels.
     */
    public static Result apply(Module model, Tensor sample) {
        Tensor probe = probe(sample);
        Tensor before;
        try (var g = Tensor.noGrad()) {
            before = model.call(probe);
        }
        Map<String, Module> original = new LinkedHashMap<>(model.namedModules());
        try {
            return remove(model, sample, probe, before);
        } catch (RuntimeException e) {
            for (var o : original.entrySet()) {
                if (!o.getKey().isEmpty() && model.namedModules().get(o.getKey()) != o.getValue()) model.replace(o.getKey(), o.getValue());
            }
            throw e;
        }
    }

    private static Result remove(Module model, Tensor sample, Tensor probe, Tensor before) {
        Map<String, Module> wrapped = new LinkedHashMap<>();
        for (var e : model.namedModules().entrySet()) {
            if (e.getValue() instanceof QuantConv2d || e.getValue() instanceof QuantLinear) wrapped.put(e.getKey(), e.getValue());
        }
        wrapped.forEach((path, q) -> model.replace(path, floatLayer(q)));
        ChannelGraph graph = ChannelTrace.trace(model, sample);
        Map<String, Set<Integer>> zero = new LinkedHashMap<>();
        for (ChannelGraph.Node n : graph.nodes()) if (n.kind() == ChannelGraph.Kind.MIXING) zero.put(n.path(), zeroFilters(model.get(n.path())));
        Set<Integer> removed = new LinkedHashSet<>();
        for (ChannelGraph.Group group : graph.groups()) if (group.prunable() && allZero(graph, group, zero)) removed.add(group.id());
        Map<String, int[][]> kept = new LinkedHashMap<>();
        for (String path : wrapped.keySet()) kept.put(path, new int[][] {graph.kept(path, false, removed), graph.kept(path, true, removed)});
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ChannelGraph.Node n : graph.nodes()) {
            if (n.kind() != ChannelGraph.Kind.MIXING) continue;
            int gone = n.outChannels() - graph.kept(n.path(), true, removed).length;
            if (gone > 0) counts.put(n.path(), gone);
        }
        PruningPlan plan = removed.isEmpty() ? PruningPlan.none() : Pruning.apply(model, graph, removed, sample);
        for (var e : wrapped.entrySet()) {
            Module small = model.get(e.getKey());
            int[][] k = kept.get(e.getKey());
            model.replace(e.getKey(), rewrap(e.getValue(), small, k[0], k[1]));
        }
        Tensor after;
        try (var g = Tensor.noGrad()) {
            after = model.call(probe);
        }
        check(before, after);
        model.eval();
        return new Result(plan, counts);
    }

    private static Tensor probe(Tensor sample) {
        int[] shape = sample.shape().clone();
        shape[0] = 4;
        return Tensor.randn(new Generator(20260101L), shape);
    }

    /** Whether every producer of {@code group} has the group's filter entirely 0 and no channel-wise layer holds it. */
    private static boolean allZero(ChannelGraph graph, ChannelGraph.Group group, Map<String, Set<Integer>> zero) {
        boolean produced = false;
        for (ChannelGraph.Site s : group.sites()) {
            ChannelGraph.Kind kind = graph.node(s.path()).kind();
            if (kind == ChannelGraph.Kind.CHANNELWISE) return false;
            if (!s.out() || kind != ChannelGraph.Kind.MIXING) continue;
            produced = true;
            if (!zero.get(s.path()).contains(s.index())) return false;
        }
        return produced;
    }

    /** The filters of a Conv2d/Linear whose weights ({@link Abs#zeroFilters}) and bias are all 0; none for other layers. */
    private static Set<Integer> zeroFilters(Module m) {
        dev.tersor.nn.Parameter w = m instanceof Conv2d c ? c.weight() : m instanceof Linear l ? l.weight() : null;
        dev.tersor.nn.Parameter b = m instanceof Conv2d c ? c.bias() : m instanceof Linear l ? l.bias() : null;
        if (w == null) return Set.of();
        Set<Integer> out = new java.util.HashSet<>(Abs.zeroFilters(w.value()));
        if (b != null) {
            float[] bias = b.value().toArray();
            out.removeIf(k -> bias[k] != 0f);
        }
        return out;
    }

    private static Module floatLayer(Module q) {
        if (q instanceof QuantConv2d c) {
            int[] s = c.weight().shape();
            Conv2d f = new Conv2d(s[1] * c.convOptions().groups(), s[0], s[2], s[3], c.convOptions(), c.bias() != null);
            return filled(f, c.weight(), c.bias());
        }
        QuantLinear l = (QuantLinear) q;
        int[] s = l.weight().shape();
        return filled(new Linear(s[1], s[0], l.bias() != null), l.weight(), l.bias());
    }

    private static Module filled(Module f, Tensor w, Tensor b) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("weight", w);
        if (b != null) state.put("bias", b);
        f.loadStateDict(state, true);
        return f;
    }

    private static Module rewrap(Module old, Module small, int[] keptIn, int[] keptOut) {
        FakeQuantizer wq = old instanceof QuantConv2d c ? c.weightQuantizer() : ((QuantLinear) old).weightQuantizer();
        FakeQuantizer aq = old instanceof QuantConv2d c ? c.inputQuantizer() : ((QuantLinear) old).inputQuantizer();
        FakeQuantizer w = sliced(wq, keptOut), a = aq == null ? null : sliced(aq, keptIn);
        return small instanceof Conv2d c ? new QuantConv2d(c, w, a) : new QuantLinear((Linear) small, w, a);
    }

    /** A grid quantizer keeps the scales of the kept channels (a per-tensor one is unchanged). */
    private static FakeQuantizer sliced(FakeQuantizer q, int[] kept) {
        if (!(q instanceof GridQuantizer g)) {
            throw new IllegalArgumentException("FilterRemoval: expected the fixed grids of a finished ABS model, found " + q.getClass().getSimpleName());
        }
        QParams p = g.qparams();
        if (p.scale().length == 1) return g;
        float[] s = new float[kept.length];
        for (int i = 0; i < kept.length; i++) s[i] = p.scale()[kept[i]];
        return new GridQuantizer(new QParams(s, new int[s.length], p.qmin(), p.qmax()), g.scheme().bits());
    }

    private static void check(Tensor before, Tensor after) {
        float[] a = before.toArray(), b = after.toArray();
        double scale = 0, diff = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(a[i]));
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        if (a.length != b.length || diff > 1e-4 * (1 + scale)) {
            throw new IllegalStateException("FilterRemoval: removing the 0-bit filters changed the model's outputs by up to " + diff
                    + " (of " + scale + "); a layer between a pruned filter and its consumer does not map 0 to 0");
        }
    }
}
