package dev.tersor.compress.prune;

import dev.tersor.compress.prune.ChannelGraph.Family;
import dev.tersor.compress.prune.PruningTarget.Allocation;
import dev.tersor.compress.prune.PruningTarget.Measure;
import dev.tersor.compress.prune.PruningTarget.Scope;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Chooses which groups to remove for a {@link PruningTarget} from the criterion's scores. Uniform
 * allocation removes the same fraction r of every family in scope (the kept count
 * ⌈(1 − r)·size⌉ rounded up to the multiple, at least one multiple); for a FLOPs target r is the
 * smallest rate whose pruned model has at most (1 − amount) of the multiply-accumulates, found by
 * bisection (the count is monotone in r). Global allocation removes groups in order of their score
 * divided by their family's mean score until the target is met, keeping at least one group per
 * family. Ties break toward the lower group id, so the choice is deterministic.
 */
public final class Allocator {
    private Allocator() {
    }

    /**
     * The groups to remove.
     *
     * @throws IllegalArgumentException if a FLOPs target cannot be met in the scope, or no family is in scope
     */
    public static Set<Integer> choose(ChannelGraph graph, double[] scores, PruningTarget target) {
        if (scores.length != graph.groups().size()) {
            throw new IllegalArgumentException("Allocator: " + scores.length + " scores for " + graph.groups().size() + " groups");
        }
        List<Family> families = new ArrayList<>();
        for (Family f : graph.families()) if (target.scope() == Scope.ALL || f.producers().size() == 1) families.add(f);
        if (families.isEmpty()) throw new IllegalArgumentException("nothing to prune: the model has no prunable channel group in scope " + target.scope());
        for (Family f : families) {
            for (int g : f.groups()) {
                if (Double.isNaN(scores[g])) throw new IllegalArgumentException("the criterion gave no score to the group of " + graph.group(g).sites().get(0));
            }
        }
        if (target.amount() == 0) return Set.of();
        return target.allocation() == Allocation.UNIFORM ? uniform(graph, scores, target, families) : global(graph, scores, target, families);
    }

    private static Set<Integer> uniform(ChannelGraph graph, double[] scores, PruningTarget t, List<Family> families) {
        if (t.measure() == Measure.CHANNELS) return atRate(scores, families, t.amount(), t.multiple());
        long base = graph.macs(), goal = (long) Math.floor((1 - t.amount()) * base);
        Set<Integer> most = atRate(scores, families, 1, t.multiple());
        long least = graph.macs(most);
        if (least > goal) throw cannot(t, base, least);
        double lo = 0, hi = 1;
        for (int i = 0; i < 50; i++) {
            double mid = (lo + hi) / 2;
            if (graph.macs(atRate(scores, families, mid, t.multiple())) <= goal) hi = mid;
            else lo = mid;
        }
        return atRate(scores, families, hi, t.multiple());
    }

    /** Removes the lowest-scoring groups of each family down to ⌈(1 − rate)·size⌉ kept, rounded up to the multiple. */
    private static Set<Integer> atRate(double[] scores, List<Family> families, double rate, int multiple) {
        Set<Integer> removed = new TreeSet<>();
        for (Family f : families) {
            int size = f.size();
            int keep = (int) Math.ceil((1 - rate) * size - 1e-9);
            keep = Math.max(keep, 1);
            keep = Math.min(size, ((keep + multiple - 1) / multiple) * multiple);
            List<Integer> order = ranked(scores, f.groups());
            for (int i = 0; i < size - keep; i++) removed.add(order.get(i));
        }
        return removed;
    }

    private static Set<Integer> global(ChannelGraph graph, double[] scores, PruningTarget t, List<Family> families) {
        List<double[]> candidates = new ArrayList<>();   // {normalised score, group, family}
        for (int fi = 0; fi < families.size(); fi++) {
            Family f = families.get(fi);
            double mean = f.groups().stream().mapToDouble(g -> Math.abs(scores[g])).average().orElse(0);
            for (int g : f.groups()) candidates.add(new double[] {mean > 0 ? scores[g] / mean : 0, g, fi});
        }
        candidates.sort(Comparator.<double[]>comparingDouble(c -> c[0]).thenComparingDouble(c -> c[1]));
        int[] kept = new int[families.size()];
        for (int i = 0; i < kept.length; i++) kept[i] = families.get(i).size();
        int total = candidates.size(), toRemove = (int) Math.round(t.amount() * total);
        long base = graph.macs(), goal = (long) Math.floor((1 - t.amount()) * base);
        Set<Integer> removed = new TreeSet<>();
        for (double[] c : candidates) {
            boolean done = t.measure() == Measure.CHANNELS ? removed.size() >= toRemove : graph.macs(removed) <= goal;
            if (done) return removed;
            int fi = (int) c[2];
            if (kept[fi] <= 1) continue;
            kept[fi]--;
            removed.add((int) c[1]);
        }
        if (t.measure() == Measure.FLOPS && graph.macs(removed) > goal) throw cannot(t, base, graph.macs(removed));
        return removed;
    }

    private static List<Integer> ranked(double[] scores, List<Integer> groups) {
        List<Integer> order = new ArrayList<>(groups);
        order.sort(Comparator.<Integer>comparingDouble(g -> scores[g]).thenComparingInt(g -> g));
        return order;
    }

    private static IllegalArgumentException cannot(PruningTarget t, long base, long least) {
        return new IllegalArgumentException(String.format(Locale.ROOT,
                "a FLOPs reduction of %.1f%% cannot be met: pruning every family in scope %s down to %d channel group(s) removes at most %.1f%%",
                100 * t.amount(), t.scope(), t.multiple(), 100.0 * (base - least) / base));
    }
}
