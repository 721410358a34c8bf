package dev.tersor.search;

import dev.tersor.nn.Module;
import dev.tersor.nn.ModuleList;
import dev.tersor.tensor.Tensor;

/**
 * The {@link Supernet} of a {@link ChainSpace}: {@code stem}, {@code layers.i.j} (candidate j of
 * layer i) and {@code head}, the keys of {@link ChainNetwork} with the candidate index added.
 */
public final class ChainSupernet extends Supernet {
    private final Module stem, head;
    private final ModuleList layers = new ModuleList();

    ChainSupernet(ChainSpace space) {
        super(space);
        this.stem = register("stem", space.stem());
        register("layers", layers);
        for (Choice c : space.choices()) {
            ModuleList candidates = new ModuleList();
            for (OpSpec op : c.candidates()) candidates.add(op.build(c.in(), c.out(), c.stride()));
            layers.add(candidates);
        }
        this.head = register("head", space.head());
    }

    @Override
    protected Tensor forward(Tensor x, Architecture path) {
        Tensor h = stem.call(x);
        for (int i = 0; i < layers.size(); i++) h = ((ModuleList) layers.get(i)).get(path.op(i)).call(h);
        return head.call(h);
    }
}
