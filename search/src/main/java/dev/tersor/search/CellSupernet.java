package dev.tersor.search;

import dev.tersor.nn.Module;
import dev.tersor.nn.ModuleList;
import dev.tersor.tensor.Tensor;

/**
 * The single-path {@link Supernet} of a {@link CellSpace}: the stand-alone skeleton with, in
 * each cell k, the candidates of edge e at {@code cells.k.edges.e.j} (candidate j); a path runs
 * candidate {@code path.op(e)} on edge e of every cell. A {@link Zero} candidate is skipped.
 */
public final class CellSupernet extends Supernet {
    private final CellGraph graph;
    private final Module stem, head;
    private final ModuleList cells = new ModuleList(), reductions;

    CellSupernet(CellSpace space) {
        super(space);
        this.graph = space.graph();
        this.stem = register("stem", space.stem());
        register("cells", cells);
        for (int c : space.stageChannels()) cells.add(new CandidateCell(space, c));
        this.reductions = register("reductions", new ModuleList(space.reductions().toArray(Module[]::new)));
        this.head = register("head", space.head());
    }

    @Override
    protected Tensor forward(Tensor x, Architecture path) {
        return CellNetwork.run(stem, reductions, head, cells.size(), (k, h) -> graph.run(h, (e, in) -> {
            Module op = ((CandidateCell) cells.get(k)).candidates(e).get(path.op(e));
            return op instanceof Zero ? null : op.call(in);
        }), x);
    }
}
