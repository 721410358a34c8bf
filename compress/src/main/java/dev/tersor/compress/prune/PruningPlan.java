package dev.tersor.compress.prune;

import dev.tersor.compress.prune.ChannelGraph.Group;
import dev.tersor.compress.prune.ChannelGraph.Kind;
import dev.tersor.compress.prune.ChannelGraph.Node;
import dev.tersor.compress.prune.ChannelGraph.Site;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a structural pruning kept, independent of the weights: for each mixing layer that lost
 * output channels, the indices (in the unpruned model) of the channels it kept. With the unpruned
 * architecture and a traced {@link ChannelGraph} this is enough to rebuild the pruned one, so it
 * is what the compressed file stores (metadata {@code tersor.pruned}):
 * <pre>
 * layer1.0.conv1=0-3,5,7-15;layer2.0.conv1=0-9,12
 * </pre>
 */
public record PruningPlan(Map<String, int[]> keptOutputs) {
    /** Longest plan text accepted from a file. */
    static final int MAX_TEXT = 1 << 20;

    public PruningPlan {
        Map<String, int[]> copy = new LinkedHashMap<>();
        for (var e : keptOutputs.entrySet()) {
            int[] k = e.getValue().clone();
            for (int i = 0; i < k.length; i++) {
                if (k[i] < 0 || (i > 0 && k[i] <= k[i - 1])) {
                    throw new IllegalArgumentException("PruningPlan: kept channels of " + e.getKey() + " must increase from 0, got "
                            + Arrays.toString(k));
                }
            }
            if (k.length == 0) throw new IllegalArgumentException("PruningPlan: " + e.getKey() + " keeps no channel");
            copy.put(e.getKey(), k);
        }
        keptOutputs = java.util.Collections.unmodifiableMap(copy);
    }

    /** The plan that removes nothing. */
    public static PruningPlan none() {
        return new PruningPlan(Map.of());
    }

    /** Whether nothing is removed. */
    public boolean isEmpty() {
        return keptOutputs.isEmpty();
    }

    /**
     * This plan followed by {@code next}, a plan made on the model this one produced (its channel
     * indices count the kept channels): one plan in the indices of the unpruned model.
     */
    public PruningPlan then(PruningPlan next) {
        Map<String, int[]> out = new LinkedHashMap<>(keptOutputs);
        for (var e : next.keptOutputs.entrySet()) {
            int[] base = keptOutputs.get(e.getKey()), k = e.getValue();
            if (base == null) {
                out.put(e.getKey(), k);
                continue;
            }
            int[] mapped = new int[k.length];
            for (int i = 0; i < k.length; i++) {
                if (k[i] >= base.length) {
                    throw new IllegalArgumentException("PruningPlan.then: " + e.getKey() + " keeps channel " + k[i] + " of " + base.length);
                }
                mapped[i] = base[k[i]];
            }
            out.put(e.getKey(), mapped);
        }
        return new PruningPlan(out);
    }

    /** The plan of removing groups {@code removed} from {@code graph}. */
    public static PruningPlan of(ChannelGraph graph, Set<Integer> removed) {
        Map<String, int[]> kept = new LinkedHashMap<>();
        for (Node n : graph.nodes()) {
            if (n.kind() != Kind.MIXING) continue;
            int[] k = graph.kept(n.path(), true, removed);
            if (k.length < n.outChannels()) kept.put(n.path(), k);
        }
        return new PruningPlan(kept);
    }

    /**
     * The groups of {@code graph} this plan removes.
     *
     * @throws IllegalArgumentException if the plan names a layer the graph does not have, a channel
     *     out of range, or removes a channel without the others of its group
     */
    public Set<Integer> removedGroups(ChannelGraph graph) {
        Set<Integer> removed = new TreeSet<>();
        for (var e : keptOutputs.entrySet()) {
            Node n = graph.node(e.getKey());
            if (n == null || n.kind() != Kind.MIXING) {
                throw new IllegalArgumentException("pruning plan names '" + e.getKey() + "', which is not a prunable layer of this model");
            }
            int[] k = e.getValue();
            if (k[k.length - 1] >= n.outChannels()) {
                throw new IllegalArgumentException("pruning plan keeps channel " + k[k.length - 1] + " of " + e.getKey() + ", which has "
                        + n.outChannels());
            }
            for (int c = 0, j = 0; c < n.outChannels(); c++) {
                if (j < k.length && k[j] == c) {
                    j++;
                    continue;
                }
                int g = graph.groupOf(e.getKey(), c);
                if (g < 0 || !graph.group(g).prunable()) {
                    throw new IllegalArgumentException("pruning plan removes channel " + c + " of " + e.getKey() + ", which cannot be pruned"
                            + (g < 0 ? "" : ": it " + graph.group(g).pinned()));
                }
                removed.add(g);
            }
        }
        for (int g : removed) {
            for (Site s : graph.group(g).sites()) {
                if (!s.out() || graph.node(s.path()).kind() != Kind.MIXING) continue;
                int[] k = keptOutputs.get(s.path());
                if (k == null || Arrays.binarySearch(k, s.index()) >= 0) {
                    throw new IllegalArgumentException("pruning plan is inconsistent: it removes group " + describe(graph.group(g))
                            + " but keeps " + s);
                }
            }
        }
        return removed;
    }

    private static String describe(Group g) {
        return g.sites().isEmpty() ? "#" + g.id() : g.sites().get(0).toString();
    }

    /** The metadata text: {@code path=ranges;path=ranges}. */
    public String encode() {
        StringBuilder sb = new StringBuilder();
        for (var e : keptOutputs.entrySet()) {
            if (sb.length() > 0) sb.append(';');
            sb.append(e.getKey()).append('=');
            int[] k = e.getValue();
            for (int i = 0; i < k.length; ) {
                int j = i;
                while (j + 1 < k.length && k[j + 1] == k[j] + 1) j++;
                if (i > 0) sb.append(',');
                sb.append(k[i]);
                if (j > i) sb.append('-').append(k[j]);
                i = j + 1;
            }
        }
        return sb.toString();
    }

    /**
     * Parses {@link #encode}'s text; channel indices are bounded by {@code maxChannels} so a
     * hostile file cannot make the reader allocate without limit.
     *
     * @throws IllegalArgumentException naming the malformed part
     */
    public static PruningPlan parse(String text, int maxChannels) {
        if (text.length() > MAX_TEXT) throw new IllegalArgumentException("pruning plan is " + text.length() + " characters long");
        Map<String, int[]> kept = new LinkedHashMap<>();
        if (text.isEmpty()) return new PruningPlan(kept);
        for (String entry : text.split(";", -1)) {
            int eq = entry.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("pruning plan entry \"" + entry + "\" is not path=channels");
            String path = entry.substring(0, eq);
            if (kept.containsKey(path)) throw new IllegalArgumentException("pruning plan names " + path + " twice");
            java.util.BitSet ch = new java.util.BitSet();   // a range costs one call, whatever its length (fuzzing: 0-65535 repeated)
            for (String range : entry.substring(eq + 1).split(",", -1)) {
                int dash = range.indexOf('-');
                int a = channel(range, dash < 0 ? range : range.substring(0, dash), maxChannels);
                int b = dash < 0 ? a : channel(range, range.substring(dash + 1), maxChannels);
                if (b < a) throw new IllegalArgumentException("pruning plan range \"" + range + "\" of " + path + " is descending");
                ch.set(a, b + 1);
            }
            kept.put(path, ch.stream().toArray());
        }
        return new PruningPlan(kept);
    }

    private static int channel(String range, String s, int max) {
        try {
            int v = Integer.parseInt(s);
            if (v < 0 || v >= max) throw new IllegalArgumentException("pruning plan channel " + v + " is outside [0, " + max + ")");
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pruning plan range \"" + range + "\" is not a channel or a-b range");
        }
    }

    @Override
    public String toString() {
        return "PruningPlan(" + encode() + ")";
    }
}
