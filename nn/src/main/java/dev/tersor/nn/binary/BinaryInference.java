package dev.tersor.nn.binary;

import dev.tersor.nn.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Converts a trained model for inference: every {@link BinaryConv2d} and {@link BinaryLinear} is
 * replaced by its packed form ({@link PackedBinaryConv2d}, {@link PackedBinaryLinear}), in place;
 * the model is put in eval mode. Outputs stay exactly those of the model's eval forward; the
 * packed layers hold no parameters, so save the state dict before converting if you need it.
 * <pre>{@code
 * Module fast = BinaryInference.convert(model);      // same object, binary layers packed
 * }</pre>
 */
public final class BinaryInference {
    private BinaryInference() {
    }

    /** Packs every binary layer of {@code model} in place and returns the model (in eval mode). */
    public static Module convert(Module model) {
        if (model instanceof BinaryLayer layer) return layer.toInference().eval();
        List<Map.Entry<String, Module>> binary = new ArrayList<>();
        for (var e : model.namedModules().entrySet()) if (e.getValue() instanceof BinaryLayer) binary.add(e);
        for (var e : binary) model.replace(e.getKey(), ((BinaryLayer) e.getValue()).toInference());
        return model.eval();
    }

    /** The number of binary layers in {@code model}. */
    public static int countBinaryLayers(Module model) {
        int n = 0;
        for (Module m : model.namedModules().values()) if (m instanceof BinaryLayer) n++;
        return n;
    }
}
