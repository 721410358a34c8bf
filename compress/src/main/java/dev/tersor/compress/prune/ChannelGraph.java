package dev.tersor.compress.prune;

import dev.tersor.compress.prune.LayerSurgery.Role;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which channels of a model must be pruned together, as traced by {@link ChannelTrace}: every
 * traced layer ({@link Node}) with its channel counts, and the {@link Group}s, each a set of
 * channel {@link Site}s (an input or output channel of a layer) that one pruning decision removes
 * together. A group is prunable when it holds an output channel of at least one mixing layer
 * (convolution, linear: a filter to score) and no reason pins it. Groups with the same mixing
 * layers form a {@link Family} (e.g. the 16 channels of one block's inner convolution, or the 16
 * residual channels that run through a whole ResNet stage): kept counts are chosen per family.
 */
public final class ChannelGraph {

    /** How a traced layer takes part; the surgery roles plus layers no surgery knows. */
    public enum Kind {
        MIXING, CHANNELWISE, ROUTING,
        /** A layer without state that no surgery knows (ReLU, pooling, flatten): channels pass through. */
        TRANSPARENT,
        /** A layer with state that no surgery knows: channels through it are pinned. */
        OPAQUE;

        static Kind of(Role r) {
            return switch (r) {
                case MIXING -> MIXING;
                case CHANNELWISE -> CHANNELWISE;
                case ROUTING -> ROUTING;
            };
        }
    }

    /**
     * One traced layer: its dotted path, class, channel counts on axis 1 of its input and output,
     * and its multiply-accumulates in one traced forward (all calls, for the sample's batch of 1).
     */
    public record Node(String path, String type, Kind kind, int inChannels, int outChannels, long macs, int calls) {
    }

    /** An input ({@code out == false}) or output channel of the layer at {@code path}. */
    public record Site(String path, boolean out, int index) {
        @Override
        public String toString() {
            return path + (out ? ".out[" : ".in[") + index + "]";
        }
    }

    /** Channels pruned together; {@code pinned} says why it cannot be (null when it can). */
    public record Group(int id, List<Site> sites, List<String> producers, String pinned) {
        /** Whether the group can be pruned. */
        public boolean prunable() {
            return pinned == null && !producers.isEmpty();
        }
    }

    /** Prunable groups with the same producing layers, in channel order. */
    public record Family(List<String> producers, List<Integer> groups) {
        /** Groups in the family. */
        public int size() {
            return groups.size();
        }
    }

    private final List<Node> nodes;
    private final Map<String, Node> byPath = new LinkedHashMap<>();
    private final List<Group> groups;
    private final List<Family> families;
    private final Map<String, int[]> outGroup = new LinkedHashMap<>();

    private final Map<String, LayerSurgery> surgeries;

    ChannelGraph(List<Node> nodes, List<Group> groups, Map<String, LayerSurgery> surgeries) {
        this.surgeries = Map.copyOf(surgeries);
        this.nodes = List.copyOf(nodes);
        for (Node n : nodes) byPath.put(n.path(), n);
        this.groups = List.copyOf(groups);
        for (Group g : groups) {
            for (Site s : g.sites()) {
                if (!s.out()) continue;
                int[] a = outGroup.computeIfAbsent(s.path(), k -> filled(byPath.get(k).outChannels()));
                a[s.index()] = g.id();
            }
        }
        Map<List<String>, List<Integer>> fam = new LinkedHashMap<>();
        for (Group g : groups) if (g.prunable()) fam.computeIfAbsent(g.producers(), k -> new ArrayList<>()).add(g.id());
        List<Family> f = new ArrayList<>();
        for (var e : fam.entrySet()) f.add(new Family(e.getKey(), List.copyOf(e.getValue())));
        this.families = List.copyOf(f);
    }

    /** Traced layers in the order the forward first ran them. */
    public List<Node> nodes() {
        return nodes;
    }

    /** The traced layer at {@code path}, or null. */
    public Node node(String path) {
        return byPath.get(path);
    }

    /** Every group (prunable or not) that holds an output channel of a mixing layer, by id. */
    public List<Group> groups() {
        return groups;
    }

    /** The group with id {@code id}. */
    public Group group(int id) {
        return groups.get(id);
    }

    /** The prunable groups, by family. */
    public List<Family> families() {
        return families;
    }

    /** Multiply-accumulates of one sample's forward with nothing removed. */
    public long macs() {
        return macs(Set.of());
    }

    /**
     * Multiply-accumulates of one sample's forward after removing the groups {@code removed}:
     * a mixing layer's count scales with its kept input and output channels, a channel-wise
     * layer's with its kept channels; other layers keep theirs.
     */
    public long macs(Set<Integer> removed) {
        Map<String, int[]> lost = new LinkedHashMap<>();   // path -> {inputs lost, outputs lost}
        for (int id : removed) {
            for (Site s : groups.get(id).sites()) lost.computeIfAbsent(s.path(), k -> new int[2])[s.out() ? 1 : 0]++;
        }
        double total = 0;
        for (Node n : nodes) {
            int[] l = lost.getOrDefault(n.path(), new int[2]);
            double in = n.inChannels() == 0 ? 1 : (double) (n.inChannels() - l[0]) / n.inChannels();
            double out = n.outChannels() == 0 ? 1 : (double) (n.outChannels() - l[1]) / n.outChannels();
            total += switch (n.kind()) {
                case MIXING -> n.macs() * in * out;
                case CHANNELWISE -> n.macs() * out;
                default -> n.macs();
            };
        }
        return Math.round(total);
    }

    /** The input ({@code out} false) or output channels of {@code path} that survive removing {@code removed}. */
    public int[] kept(String path, boolean out, Set<Integer> removed) {
        Node n = byPath.get(path);
        int count = out ? n.outChannels() : n.inChannels();
        boolean[] gone = new boolean[count];
        for (int id : removed) for (Site s : groups.get(id).sites()) if (s.path().equals(path) && s.out() == out) gone[s.index()] = true;
        int k = 0;
        for (boolean g : gone) if (!g) k++;
        int[] keep = new int[k];
        for (int i = 0, j = 0; i < count; i++) if (!gone[i]) keep[j++] = i;
        return keep;
    }

    /** The surgery that rebuilds the layer at {@code path}, or null for layers pruning leaves alone. */
    LayerSurgery surgery(String path) {
        return surgeries.get(path);
    }

    /** The group holding output channel {@code channel} of {@code path}, or -1 when no group does. */
    public int groupOf(String path, int channel) {
        int[] g = outGroup.get(path);
        return g == null || channel < 0 || channel >= g.length ? -1 : g[channel];
    }

    @Override
    public String toString() {
        long prunable = groups.stream().filter(Group::prunable).count();
        return "ChannelGraph(" + nodes.size() + " layers, " + groups.size() + " groups, " + prunable + " prunable in "
                + families.size() + " families)";
    }

    private static int[] filled(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, -1);
        return a;
    }
}
