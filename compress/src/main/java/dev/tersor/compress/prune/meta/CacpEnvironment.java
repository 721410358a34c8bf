package dev.tersor.compress.prune.meta;

import dev.tersor.compress.prune.ChannelGraph;
import dev.tersor.compress.prune.ChannelGraph.Family;
import dev.tersor.compress.prune.ChannelGraph.Node;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * CACP's layer-by-layer pruning process (liuyixin-louis/CACP {@code environment.py},
 * {@code rewards.py}) on channel families: one step per family, in graph order. The state of
 * step t is
 * <pre>
 * [density, t, type, n, c, h·w, stride, k, MACs, weights, reduced, rest, a_{t−1}]
 * </pre>
 * density = 1 − the target FLOPs reduction (the condition CACP adds to AMC's state), type 0 for a
 * convolution and 1 for a linear layer, n and c the first producer's output and input channels,
 * h·w its output positions (the official state has the input's h and w), stride and kernel k, the
 * family's producers' MACs and weights; these are min-max normalised over the families as the
 * official code does. reduced is the fraction of the model's MACs removed so far, rest the
 * fraction the later families can still remove (each at most 90%, the official
 * {@code min(0.9, action_high)}), a_{t−1} the previous fraction pruned.
 *
 * <p>An action is the fraction of the family's groups to prune, clipped to [actionLow, actionHigh]
 * and then raised to the least fraction that still lets the target be met if every later family
 * is pruned by 90% ({@code mac_constrained_clamp_action}; here exact, with {@link ChannelGraph#macs},
 * instead of the official per-layer MACs estimate). ⌊fraction·size⌋ groups of the lowest L1 norm
 * are removed (at least one group is kept).
 */
final class CacpEnvironment {
    static final double REST_MAX = 0.9;
    static final int FEATURES = 13;

    private final ChannelGraph graph;
    private final List<Family> families;
    private final List<List<Integer>> byScore = new ArrayList<>();   // each family's groups, lowest score first
    private final float[][] statics;
    private final double actionLow, actionHigh;

    CacpEnvironment(Module model, ChannelGraph graph, List<Family> families, double[] scores, double actionLow, double actionHigh) {
        this.graph = graph;
        this.families = List.copyOf(families);
        this.actionLow = actionLow;
        this.actionHigh = actionHigh;
        for (Family f : families) {
            List<Integer> order = new ArrayList<>(f.groups());
            order.sort(Comparator.<Integer>comparingDouble(g -> scores[g]).thenComparingInt(g -> g));
            byScore.add(order);
        }
        statics = new float[families.size()][];
        for (int t = 0; t < statics.length; t++) statics[t] = features(model, t);
        for (int j = 0; j < 9; j++) {
            float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
            for (float[] s : statics) {
                lo = Math.min(lo, s[j]);
                hi = Math.max(hi, s[j]);
            }
            if (hi > lo) for (float[] s : statics) s[j] = (s[j] - lo) / (hi - lo);
        }
    }

    /** t, type, n, c, h·w, stride, k, MACs, weights of family t. */
    private float[] features(Module model, int t) {
        Family f = families.get(t);
        Node first = graph.node(f.producers().get(0));
        Module layer = model.get(first.path());
        Tensor w = layer.stateDict().get("weight");
        boolean conv = w != null && w.dim() == 4;
        int k = conv ? w.shape()[2] : 1;
        int stride = layer instanceof Conv2d c ? c.options().strideH() : 0;
        long perPosition = w == null ? 1 : Math.max(1, w.numel());
        float hw = conv ? (float) ((double) first.macs() / first.calls() / perPosition) : 1;
        long macs = 0, weights = 0;
        for (String p : f.producers()) {
            macs += graph.node(p).macs();
            Tensor pw = model.get(p).stateDict().get("weight");
            weights += pw == null ? 0 : pw.numel();
        }
        return new float[] {t, conv ? 0 : 1, first.outChannels(), first.inChannels(), hw, stride, k, macs, weights};
    }

    int steps() {
        return families.size();
    }

    List<Family> families() {
        return families;
    }

    /** The most of the MACs that can be removed with every family pruned by 90%. */
    double mostRemovable() {
        Set<Integer> all = new TreeSet<>();
        for (int t = 0; t < families.size(); t++) all.addAll(lowest(t, atMost(t, REST_MAX)));
        return 1 - (double) graph.macs(all) / graph.macs();
    }

    /** Groups pruned from family t for a fraction a: ⌊a·size⌋, at most size − 1. */
    int atMost(int t, double a) {
        int size = families.get(t).size();
        return Math.min(size - 1, (int) Math.floor(a * size + 1e-9));
    }

    /** The {@code count} lowest-scoring groups of family t. */
    List<Integer> lowest(int t, int count) {
        return byScore.get(t).subList(0, count);
    }

    /** One pruning episode for a target FLOPs reduction. */
    Episode start(double rate) {
        double most = mostRemovable();
        if (rate > most + 1e-12) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "CACP: a FLOPs reduction of %.1f%% cannot be met: pruning every family in scope by 90%% removes at most %.1f%%",
                    100 * rate, 100 * most));
        }
        return new Episode(rate);
    }

    final class Episode {
        final double rate;
        final long base = graph.macs(), goal;
        final Set<Integer> removed = new TreeSet<>();
        final double[] fractions = new double[families.size()];
        int t;
        double prev;

        Episode(double rate) {
            this.rate = rate;
            this.goal = (long) Math.floor((1 - rate) * base);
        }

        boolean done() {
            return t == families.size();
        }

        /** The state before step t (the last family's static row after the last step, as the official final observation). */
        float[] state() {
            int row = Math.min(t, families.size() - 1);
            float[] s = new float[FEATURES];
            s[0] = (float) (1 - rate);
            System.arraycopy(statics[row], 0, s, 1, 9);
            long now = graph.macs(removed);
            s[10] = (float) ((double) (base - now) / base);
            s[11] = done() ? 0f : (float) ((double) (now - graph.macs(withLater(removed, t + 1))) / base);
            s[12] = (float) prev;
            return s;
        }

        /** Prunes family t by {@code action} (clipped and constrained); returns the fraction applied. */
        double step(double action) {
            double a = Math.min(actionHigh, Math.max(actionLow, action));
            int lo = atMost(t, a), hi = families.get(t).size() - 1, count = hi;
            // the least count ≥ lo that still lets the target be met with the later families at 90%
            if (fits(lo)) count = lo;
            else {
                int l = lo, h = hi;
                while (l + 1 < h) {
                    int m = (l + h) >>> 1;
                    if (fits(m)) h = m;
                    else l = m;
                }
                count = h;
            }
            removed.addAll(lowest(t, count));
            fractions[t] = (double) count / families.get(t).size();
            prev = fractions[t];
            t++;
            return prev;
        }

        private boolean fits(int count) {
            Set<Integer> r = new TreeSet<>(removed);
            r.addAll(lowest(t, count));
            return graph.macs(withLater(r, t + 1)) <= goal;
        }

        private Set<Integer> withLater(Set<Integer> r, int from) {
            Set<Integer> all = new TreeSet<>(r);
            for (int j = from; j < families.size(); j++) all.addAll(lowest(j, atMost(j, REST_MAX)));
            return all;
        }
    }
}
