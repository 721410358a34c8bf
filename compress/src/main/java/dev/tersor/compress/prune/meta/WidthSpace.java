package dev.tersor.compress.prune.meta;

import dev.tersor.compress.prune.ChannelGraph;
import dev.tersor.compress.prune.ChannelGraph.Family;
import dev.tersor.compress.prune.PruningTarget.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The width vectors MetaPruning searches: for each channel family of a {@link ChannelGraph} in
 * scope, how many of its groups are kept. Keeping k groups keeps the first k in channel order
 * (MetaPruning's cropping {@code weight[:k]}); families out of scope stay whole.
 *
 * <p>A family's choices are the distinct counts max(1, ⌊size·s⌋) over the official grid of 31
 * scales s = 0.10, 0.13, …, 1.00 ({@code channel_scale} in liuzechun/MetaPruning
 * {@code resnet/training/resnet.py}), so a small family has fewer choices than 31. A genome is one
 * choice index per family (index 0 the narrowest, the last the full family).
 */
public final class WidthSpace {
    /** The official scales 0.10 + 0.03·i, i = 0 … 30. */
    static final double[] SCALES = scales();

    private final ChannelGraph graph;
    private final List<Family> searched = new ArrayList<>();
    private final int[][] choices;

    /**
     * @throws IllegalArgumentException if no family is in {@code scope}
     */
    public WidthSpace(ChannelGraph graph, Scope scope) {
        this.graph = graph;
        for (Family f : graph.families()) if (scope == Scope.ALL || f.producers().size() == 1) searched.add(f);
        if (searched.isEmpty()) throw new IllegalArgumentException("MetaPruning: the model has no prunable channel family in scope " + scope);
        choices = new int[searched.size()][];
        for (int i = 0; i < choices.length; i++) {
            int size = searched.get(i).size();
            TreeSet<Integer> c = new TreeSet<>();
            for (double s : SCALES) c.add(Math.max(1, (int) Math.floor(size * s + 1e-9)));
            choices[i] = c.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private static double[] scales() {
        double[] s = new double[31];
        for (int i = 0; i < s.length; i++) s[i] = (10 + 3 * i) / 100.0;
        return s;
    }

    /** The traced graph. */
    public ChannelGraph graph() {
        return graph;
    }

    /** The searched families, in graph order. */
    public List<Family> families() {
        return List.copyOf(searched);
    }

    /** Number of choices of family {@code f} (its gene's levels). */
    public int levels(int f) {
        return choices[f].length;
    }

    /** Levels of every gene. */
    int[] levels() {
        int[] l = new int[choices.length];
        for (int i = 0; i < l.length; i++) l[i] = choices[i].length;
        return l;
    }

    /** Kept groups per searched family for the genome {@code genes}. */
    public int[] kept(int[] genes) {
        check(genes);
        int[] k = new int[genes.length];
        for (int i = 0; i < k.length; i++) k[i] = choices[i][genes[i]];
        return k;
    }

    /**
     * Kept groups when family i takes scale {@code SCALES[scaleIds[i]]} (max(1, ⌊size·s⌋)): the
     * PruningNet's training draws each scale id uniformly, as the official {@code train.py}.
     */
    int[] keptAtScales(int[] scaleIds) {
        int[] k = new int[scaleIds.length];
        for (int i = 0; i < k.length; i++) k[i] = Math.max(1, (int) Math.floor(searched.get(i).size() * SCALES[scaleIds[i]] + 1e-9));
        return k;
    }

    /** The full width (nothing removed). */
    int[] fullGenes() {
        int[] g = new int[choices.length];
        for (int i = 0; i < g.length; i++) g[i] = choices[i].length - 1;
        return g;
    }

    /** The groups removed when family i keeps its first {@code kept[i]} groups. */
    public Set<Integer> removed(int[] kept) {
        if (kept.length != searched.size()) {
            throw new IllegalArgumentException("MetaPruning: a width vector of " + kept.length + " entries for " + searched.size() + " families");
        }
        Set<Integer> removed = new TreeSet<>();
        for (int i = 0; i < kept.length; i++) {
            List<Integer> groups = searched.get(i).groups();
            if (kept[i] < 1 || kept[i] > groups.size()) {
                throw new IllegalArgumentException("MetaPruning: family " + i + " (" + searched.get(i).producers() + ") has " + groups.size()
                        + " groups; cannot keep " + kept[i]);
            }
            removed.addAll(groups.subList(kept[i], groups.size()));
        }
        return removed;
    }

    /** Multiply-accumulates of one sample's forward for the genome {@code genes}. */
    long macs(int[] genes) {
        return graph.macs(removed(kept(genes)));
    }

    private void check(int[] genes) {
        if (genes.length != choices.length) {
            throw new IllegalArgumentException("MetaPruning: a genome of " + genes.length + " genes for " + choices.length + " families");
        }
        for (int i = 0; i < genes.length; i++) {
            if (genes[i] < 0 || genes[i] >= choices[i].length) {
                throw new IllegalArgumentException("MetaPruning: gene " + i + " is " + genes[i] + ", outside [0, " + choices[i].length + ")");
            }
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("WidthSpace(");
        for (int i = 0; i < choices.length; i++) sb.append(i == 0 ? "" : ", ").append(searched.get(i).size()).append(':').append(choices[i].length);
        return sb.append(')').toString();
    }
}
