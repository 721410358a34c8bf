package dev.tersor.compress.prune;

import dev.tersor.compress.prune.ChannelGraph.Kind;
import dev.tersor.compress.prune.ChannelGraph.Node;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Removes channel groups from a model for real: each affected layer is replaced (by dotted path)
 * by a smaller layer of the same kind holding the kept slices of its weights, biases, batch-norm
 * parameters and running statistics, so the result is an ordinary dense model with fewer
 * channels.
 * <pre>{@code
 * ChannelGraph g = ChannelTrace.trace(model, sample);
 * Set<Integer> removed = Allocation.choose(g, Criteria.l1(model, g), PruningTarget.flops(0.5));
 * PruningPlan plan = Pruning.apply(model, g, removed, sample);   // model is now smaller
 * }</pre>
 */
public final class Pruning {
    private Pruning() {
    }

    /**
     * Removes the groups {@code removed} of {@code graph} (traced from {@code model}) in place,
     * checks that the smaller model still runs on {@code sample}, and returns the plan.
     *
     * @throws IllegalArgumentException if a group is not prunable or a layer would keep no channel
     * @throws IllegalStateException if the pruned model no longer runs (some code in a forward depends on a channel count)
     */
    public static PruningPlan apply(Module model, ChannelGraph graph, Set<Integer> removed, Tensor sample) {
        return apply(model, graph, removed, sample, true);
    }

    private static PruningPlan apply(Module model, ChannelGraph graph, Set<Integer> removed, Tensor sample, boolean verify) {
        for (int id : removed) {
            if (id < 0 || id >= graph.groups().size()) throw new IllegalArgumentException("no channel group " + id);
            if (!graph.group(id).prunable()) {
                throw new IllegalArgumentException("channel group " + id + " cannot be pruned: it " + graph.group(id).pinned());
            }
        }
        Map<String, int[][]> kept = new java.util.LinkedHashMap<>();   // path -> {kept inputs, kept outputs}
        for (Node n : graph.nodes()) {
            if (graph.surgery(n.path()) == null) continue;
            int[] in = graph.kept(n.path(), false, removed), out = graph.kept(n.path(), true, removed);
            kept.put(n.path(), new int[][] {in, out});
            if ((n.inChannels() > 0 && in.length == 0) || (n.outChannels() > 0 && out.length == 0)) {
                throw new IllegalArgumentException("pruning would leave " + n.path() + " with no " + (in.length == 0 ? "input" : "output")
                        + " channel");
            }
        }
        PruningPlan plan = PruningPlan.of(graph, removed);
        for (Node n : graph.nodes()) {
            LayerSurgery s = graph.surgery(n.path());
            if (s == null) continue;
            int[] in = kept.get(n.path())[0], out = kept.get(n.path())[1];
            if (in.length == n.inChannels() && out.length == n.outChannels()) continue;
            if (n.kind() == Kind.CHANNELWISE && !Arrays.equals(in, out)) {
                throw new IllegalStateException(n.path() + ": channel-wise layer would keep inputs " + Arrays.toString(in) + " but outputs "
                        + Arrays.toString(out));
            }
            if (n.path().isEmpty()) throw new IllegalArgumentException("the model is a single layer; pruning it would change its output");
            model.replace(n.path(), s.rebuild(model.get(n.path()), in, out));
        }
        check(model, sample);
        if (verify) verify(graph, removed, ChannelTrace.trace(model, sample));
        return plan;
    }

    /**
     * Checks that the pruned model's channel groups are exactly the kept groups of the original,
     * renumbered: otherwise some forward code routes channels by fixed counts (e.g. splits a
     * tensor at channel 4) and now mixes channels it did not mix before.
     */
    private static void verify(ChannelGraph before, Set<Integer> removed, ChannelGraph after) {
        Map<String, int[]> newIndex = new java.util.HashMap<>();
        Set<Set<String>> expected = new java.util.HashSet<>(), actual = new java.util.HashSet<>();
        for (ChannelGraph.Group g : before.groups()) {
            if (removed.contains(g.id())) continue;
            Set<String> sites = new java.util.HashSet<>();
            for (ChannelGraph.Site s : g.sites()) {
                int[] map = newIndex.computeIfAbsent(s.path() + (s.out() ? ">" : "<"), k -> renumber(before, s.path(), s.out(), removed));
                sites.add(new ChannelGraph.Site(s.path(), s.out(), map[s.index()]).toString());
            }
            expected.add(sites);
        }
        for (ChannelGraph.Group g : after.groups()) {
            Set<String> sites = new java.util.HashSet<>();
            for (ChannelGraph.Site s : g.sites()) sites.add(s.toString());
            actual.add(sites);
        }
        if (!expected.equals(actual)) {
            Set<Set<String>> missing = new java.util.HashSet<>(expected);
            missing.removeAll(actual);
            String example = missing.isEmpty() ? "" : ": e.g. " + new java.util.TreeSet<>(missing.iterator().next());
            throw new IllegalStateException("the pruned model routes channels differently from the original (some forward code depends on"
                    + " channel counts the tracer cannot see)" + example);
        }
    }

    /** New index of each old channel of {@code path}'s input or output (−1 if removed). */
    private static int[] renumber(ChannelGraph g, String path, boolean out, Set<Integer> removed) {
        ChannelGraph.Node n = g.node(path);
        int[] map = new int[out ? n.outChannels() : n.inChannels()];
        java.util.Arrays.fill(map, -1);
        int[] kept = g.kept(path, out, removed);
        for (int i = 0; i < kept.length; i++) map[kept[i]] = i;
        return map;
    }

    /**
     * Rebuilds the pruned architecture of {@code plan} on {@code model} (an unpruned instance); its
     * weights are whatever {@code model} held. The re-trace check is skipped: the plan was checked
     * when it was made.
     */
    public static void apply(Module model, PruningPlan plan, Tensor sample) {
        if (plan.isEmpty()) return;
        ChannelGraph g = ChannelTrace.trace(model, sample);
        apply(model, g, plan.removedGroups(g), sample, false);
    }

    private static void check(Module model, Tensor sample) {
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var g = Tensor.noGrad()) {
            model.call(sample.narrow(0, 0, 1).contiguous());
        } catch (RuntimeException e) {
            throw new IllegalStateException("the pruned model no longer runs (a forward depends on a channel count the tracer cannot see): "
                    + e.getMessage(), e);
        } finally {
            if (wasTraining) model.train();
        }
    }
}
