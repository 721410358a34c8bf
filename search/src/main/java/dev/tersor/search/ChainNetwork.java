package dev.tersor.search;

import dev.tersor.nn.Module;
import dev.tersor.nn.ModuleList;
import dev.tersor.tensor.Tensor;
import java.util.List;

/**
 * A stand-alone network of a {@link ChainSpace}: {@code stem}, then {@code layers.0} ...
 * {@code layers.(L−1)} (one chosen op each), then {@code head}; x [N, C, H, W] → logits
 * [N, classes]. An ordinary {@link Module}: it trains with {@link dev.tersor.nn.train.Trainer}
 * and saves as safetensors.
 */
public final class ChainNetwork extends Module {
    private final Module stem, head;
    private final ModuleList layers;

    ChainNetwork(Module stem, List<Module> ops, Module head) {
        this.stem = register("stem", stem);
        this.layers = register("layers", new ModuleList(ops.toArray(Module[]::new)));
        this.head = register("head", head);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = stem.call(x);
        for (Module op : layers) h = op.call(h);
        return head.call(h);
    }
}
