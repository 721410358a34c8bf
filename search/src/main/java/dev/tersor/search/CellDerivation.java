package dev.tersor.search;

import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The discrete cell of a relaxed {@link CellSpace}, derived as DARTS and PC-DARTS do
 * ({@code genotype()} / {@code _parse}): every edge's strength is its largest op weight other than
 * {@code none} (times its edge weight under edge normalisation); each node keeps its
 * {@code keep} strongest incoming edges (all when it has fewer), each with its strongest op other
 * than {@code none}; the other edges become {@code none}. Ties go to the lower index. In a space
 * without {@code none} no edge can be dropped, and every edge keeps its strongest op.
 */
public final class CellDerivation {
    private CellDerivation() {
    }

    /** The architecture of {@code space} from op weights [edges, ops] and edge weights [edges]; DARTS keeps 2 inputs per node. */
    public static Architecture derive(CellSpace space, Tensor opWeights, Tensor edgeWeights, int keep) {
        CellGraph g = space.graph();
        int edges = g.edges(), ops = space.candidates().size();
        if (!java.util.Arrays.equals(opWeights.shape(), new int[] {edges, ops})) {
            throw new IllegalArgumentException("CellDerivation: op weights must be [" + edges + ", " + ops + "], got " + java.util.Arrays.toString(opWeights.shape()));
        }
        if (!java.util.Arrays.equals(edgeWeights.shape(), new int[] {edges})) {
            throw new IllegalArgumentException("CellDerivation: edge weights must be [" + edges + "], got " + java.util.Arrays.toString(edgeWeights.shape()));
        }
        if (keep < 1) throw new IllegalArgumentException("CellDerivation: keep must be >= 1, got " + keep);
        int none = -1;
        for (int o = 0; o < ops; o++) if (space.candidates().get(o).kind() == OpSpec.Kind.ZERO) none = o;
        if (none >= 0 && ops == 1) throw new IllegalArgumentException("CellDerivation: the only candidate is none");
        float[] w = opWeights.contiguous().toArray(), b = edgeWeights.contiguous().toArray();
        int[] best = new int[edges];
        double[] strength = new double[edges];
        for (int e = 0; e < edges; e++) {
            best[e] = -1;
            for (int o = 0; o < ops; o++) {
                if (o == none) continue;
                if (best[e] < 0 || w[e * ops + o] > w[e * ops + best[e]]) best[e] = o;
            }
            strength[e] = (double) w[e * ops + best[e]] * b[e];
        }
        List<Integer> chosen = new ArrayList<>(java.util.Collections.nCopies(edges, none));
        for (int j = 1; j < g.nodes(); j++) {
            List<Integer> in = new ArrayList<>(g.into(j));
            if (none >= 0) in.sort(Comparator.comparingDouble((Integer e) -> -strength[e]).thenComparingInt(e -> e));
            for (int i = 0; i < in.size() && (none < 0 || i < keep); i++) chosen.set(in.get(i), best[in.get(i)]);
        }
        return new Architecture(space.name(), chosen);
    }
}
