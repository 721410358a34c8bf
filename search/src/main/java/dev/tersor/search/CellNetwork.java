package dev.tersor.search;

import dev.tersor.nn.Module;
import dev.tersor.nn.ModuleList;
import dev.tersor.tensor.Tensor;
import java.util.List;

/**
 * A stand-alone network of a {@link CellSpace}: {@code stem}, then per stage s its cell
 * {@code cells.s} (a {@link Cell}; preceded by {@code reductions.(s−1)} from the second stage
 * on), then {@code head}; x [N, C, H, W] → logits [N, classes]. The supernets of the space have
 * the same skeleton and keys, with every candidate in their cells.
 */
public final class CellNetwork extends Module {
    private final Module stem, head;
    private final ModuleList cells, reductions;

    CellNetwork(CellSpace space, List<Module> cells) {
        this.stem = register("stem", space.stem());
        this.cells = register("cells", new ModuleList(cells.toArray(Module[]::new)));
        this.reductions = register("reductions", new ModuleList(space.reductions().toArray(Module[]::new)));
        this.head = register("head", space.head());
    }

    /** Runs cell k on its input. */
    @FunctionalInterface
    interface CellRun {
        Tensor apply(int k, Tensor x);
    }

    /** The skeleton's forward: stem, each cell (after the reduction from the second on), head. */
    static Tensor run(Module stem, ModuleList reductions, Module head, int cells, CellRun cell, Tensor x) {
        Tensor h = stem.call(x);
        for (int k = 0; k < cells; k++) {
            if (k > 0) h = reductions.get(k - 1).call(h);
            h = cell.apply(k, h);
        }
        return head.call(h);
    }

    @Override
    public Tensor forward(Tensor x) {
        return run(stem, reductions, head, cells.size(), (k, h) -> cells.get(k).call(h), x);
    }
}
