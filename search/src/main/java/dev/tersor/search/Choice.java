package dev.tersor.search;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One decision of a search space: a layer of a chain (or, later, an edge of a cell) that runs
 * exactly one of its candidate ops, each mapping {@code in} channels to {@code out} channels
 * with {@code stride}.
 *
 * @param name       the dotted module path of the layer in built networks, e.g. {@code layers.2}
 * @param in         input channels
 * @param out        output channels
 * @param stride     spatial stride (1 or 2)
 * @param candidates the ops to choose from (at least one; no name twice)
 */
public record Choice(String name, int in, int out, int stride, List<OpSpec> candidates) {
    public Choice {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("Choice: name must be non-empty");
        if (in < 1 || out < 1) throw new IllegalArgumentException("Choice " + name + ": channels must be positive, got in=" + in + ", out=" + out);
        if (stride != 1 && stride != 2) throw new IllegalArgumentException("Choice " + name + ": stride must be 1 or 2, got " + stride);
        if (candidates == null || candidates.isEmpty()) throw new IllegalArgumentException("Choice " + name + ": needs at least one candidate op");
        candidates = List.copyOf(candidates);
        Set<String> seen = new HashSet<>();
        for (OpSpec op : candidates) {
            if (!seen.add(op.name())) throw new IllegalArgumentException("Choice " + name + ": candidate '" + op.name() + "' appears twice");
        }
    }

    /** Number of candidates. */
    public int size() {
        return candidates.size();
    }

    /** The candidate names, e.g. {@code [conv_3x3, skip_connect]}. */
    public List<String> names() {
        return candidates.stream().map(OpSpec::name).toList();
    }
}
