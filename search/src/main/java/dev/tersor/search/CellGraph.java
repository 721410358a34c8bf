package dev.tersor.search;

import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The wiring of a cell (NAS-Bench-201 style): node 0 is the cell's input; every later node j is
 * the sum of one op per edge from each earlier node i; the last node is the cell's output. Edges
 * are numbered node by node, (0→1), (0→2), (1→2), (0→3), (1→3), (2→3), ...: a cell of n nodes
 * has n(n−1)/2 edges.
 *
 * @param nodes number of nodes, the input included (at least 2)
 */
public record CellGraph(int nodes) {
    public CellGraph {
        if (nodes < 2 || nodes > 8) throw new IllegalArgumentException("CellGraph: nodes must be in [2, 8] (the input node included), got " + nodes);
    }

    /** One edge's output from its source node's value, or null when the edge contributes nothing (the zero op). */
    @FunctionalInterface
    public interface EdgeOp {
        Tensor apply(int edge, Tensor source);
    }

    /** Number of edges. */
    public int edges() {
        return nodes * (nodes - 1) / 2;
    }

    /** The source node of {@code edge}. */
    public int from(int edge) {
        return endpoints(edge)[0];
    }

    /** The target node of {@code edge}. */
    public int to(int edge) {
        return endpoints(edge)[1];
    }

    /** The edges into {@code node} (1 ≤ node < nodes), in edge order. */
    public List<Integer> into(int node) {
        if (node < 1 || node >= nodes) throw new IllegalArgumentException("CellGraph: node must be in [1, " + (nodes - 1) + "], got " + node);
        List<Integer> out = new ArrayList<>();
        int first = node * (node - 1) / 2;
        for (int i = 0; i < node; i++) out.add(first + i);
        return out;
    }

    /** The edge name {@code i->j} of {@code edge}, as written in docs and tables. */
    public String label(int edge) {
        int[] e = endpoints(edge);
        return e[0] + "->" + e[1];
    }

    /**
     * Runs the cell on {@code x}: node values in order, each the sum of its edges' outputs; a node
     * whose edges all give null is zeros shaped like {@code zeroLike}'s output would be, i.e. like
     * the input {@code x} (cells keep the shape).
     */
    public Tensor run(Tensor x, EdgeOp op) {
        Tensor[] value = new Tensor[nodes];
        value[0] = x;
        for (int j = 1; j < nodes; j++) {
            Tensor sum = null;
            for (int e : into(j)) {
                Tensor y = op.apply(e, value[from(e)]);
                if (y != null) sum = sum == null ? y : sum.add(y);
            }
            value[j] = sum != null ? sum : Tensor.zeros(x.shape());
        }
        return value[nodes - 1];
    }

    private int[] endpoints(int edge) {
        if (edge < 0 || edge >= edges()) throw new IllegalArgumentException("CellGraph: edge must be in [0, " + edges() + "), got " + edge);
        int j = 1;
        while ((j + 1) * j / 2 <= edge) j++;
        return new int[] {edge - j * (j - 1) / 2, j};
    }
}
