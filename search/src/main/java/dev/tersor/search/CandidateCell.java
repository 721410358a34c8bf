package dev.tersor.search;

import dev.tersor.nn.Module;
import dev.tersor.nn.ModuleList;
import dev.tersor.tensor.Tensor;

/**
 * A supernet cell of a {@link CellSpace}: {@code edges.e.j} is candidate j of edge e, at one
 * stage's channels. It is run by its supernet (which picks or mixes the candidates), not on
 * its own.
 */
final class CandidateCell extends Module {
    private final ModuleList edges;

    CandidateCell(CellSpace space, int channels) {
        edges = register("edges", new ModuleList());
        for (int e = 0; e < space.graph().edges(); e++) {
            ModuleList candidates = new ModuleList();
            for (OpSpec op : space.candidates()) candidates.add(op.build(channels, channels, 1));
            edges.add(candidates);
        }
    }

    /** The candidates of edge {@code e}. */
    ModuleList candidates(int e) {
        return (ModuleList) edges.get(e);
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("a supernet cell runs through its supernet, which chooses or mixes its candidates");
    }
}
