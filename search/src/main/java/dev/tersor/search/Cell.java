package dev.tersor.search;

import dev.tersor.nn.Module;
import dev.tersor.nn.ModuleList;
import dev.tersor.tensor.Tensor;
import java.util.List;

/**
 * One cell of a stand-alone {@link CellNetwork}: the chosen op of every edge ({@code edges.e})
 * wired by a {@link CellGraph}; x [N, C, H, W] → [N, C, H, W]. An edge whose op is
 * {@link Zero} is not run (it adds nothing).
 */
public final class Cell extends Module {
    private final CellGraph graph;
    private final ModuleList edges;

    Cell(CellGraph graph, List<Module> ops) {
        if (ops.size() != graph.edges()) throw new IllegalArgumentException("Cell: " + ops.size() + " ops for " + graph.edges() + " edges");
        this.graph = graph;
        this.edges = register("edges", new ModuleList(ops.toArray(Module[]::new)));
    }

    @Override
    public Tensor forward(Tensor x) {
        return graph.run(x, (e, in) -> edges.get(e) instanceof Zero ? null : edges.get(e).call(in));
    }

    @Override
    protected String extraRepr() {
        return "nodes=" + graph.nodes();
    }
}
