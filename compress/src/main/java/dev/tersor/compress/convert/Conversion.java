package dev.tersor.compress.convert;

import dev.tersor.compress.cluster.ClusteredLayer;
import dev.tersor.compress.quant.QuantLayer;
import dev.tersor.compress.slb.SlbConv2d;
import dev.tersor.compress.slb.SlbLayer;
import dev.tersor.tensor.Tensor;
import dev.tersor.nn.Module;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns quantized layers into integer inference layers, in place:
 * <pre>{@code
 * Conversion.convert(qatModel);                    // every QuantLayer module (QAT) → CompressedConv2d / CompressedLinear
 * Conversion.convert(floatModel, ptq.layers());    // the layers calibrated by PTQ, by dotted path
 * CompressedModel.save(model, "lenet5", recipe, path);
 * }</pre>
 * The weights are quantized with each layer's weight parameters; the converted layer computes
 * the same integers a fake-quantized forward rounds to, so its output matches the fake-quantized
 * model's to float rounding of the accumulation.
 */
public final class Conversion {
    private Conversion() {
    }

    /**
     * Replaces every module of {@code model} that is a {@link QuantLayer} (QAT) by its integer form
     * and every {@link ClusteredLayer} (weight clustering) or {@link SlbLayer} (searched low-bit
     * weights, their argmax values) by its codebook form; returns the model in eval mode.
     */
    public static Module convert(Module model) {
        Map<String, QuantLayer> layers = new LinkedHashMap<>();
        Map<String, Module> clustered = new LinkedHashMap<>();
        for (var e : model.namedModules().entrySet()) {
            if (e.getKey().isEmpty()) continue;
            if (e.getValue() instanceof QuantLayer q) layers.put(e.getKey(), q);
            else if (e.getValue() instanceof ClusteredLayer c) clustered.put(e.getKey(), codebook(c));
            else if (e.getValue() instanceof SlbLayer s) clustered.put(e.getKey(), codebook(s));
        }
        convert(model, layers);
        clustered.forEach(model::replace);
        return model.eval();
    }

    /** The codebook inference form of a searched low-bit (SLB) layer: its 2^b grid values and each weight's argmax index. */
    public static Module codebook(SlbLayer s) {
        Tensor b = s.bias() == null ? null : s.bias().value();
        CodebookWeights w = new CodebookWeights(s.grid(), s.indices().toArray(), s.indices().shape(), s.bits(),
                b == null ? null : b.contiguous().toArray());
        return s instanceof SlbConv2d c ? new CompressedConv2d(w, c.options(), null) : new CompressedLinear(w, null);
    }

    /** The codebook inference form of a clustered layer: k centres and packed indices, weights decoded once. */
    public static Module codebook(ClusteredLayer c) {
        CodebookWeights w = CodebookWeights.of(c);
        return c.convOptions() != null ? new CompressedConv2d(w, c.convOptions(), null) : new CompressedLinear(w, null);
    }

    /**
     * Replaces the module at each path with the integer form of its {@link QuantLayer}; returns
     * the model in eval mode. Every layer is converted before any is replaced, so a bad path or
     * layer leaves the model as it was.
     */
    public static Module convert(Module model, Map<String, ? extends QuantLayer> layers) {
        Map<String, Module> modules = model.namedModules();
        Map<String, Module> converted = new LinkedHashMap<>();
        for (var e : layers.entrySet()) {
            if (e.getKey().isEmpty() || !modules.containsKey(e.getKey())) {
                throw new IllegalArgumentException("convert: the model has no layer '" + e.getKey() + "'");
            }
            try {
                converted.put(e.getKey(), layer(e.getValue()));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("convert: layer '" + e.getKey() + "': " + ex.getMessage(), ex);
            }
        }
        converted.forEach(model::replace);
        return model.eval();
    }

    /** The integer form of one quantized layer. */
    public static Module layer(QuantLayer q) {
        QuantizedWeights w = QuantizedWeights.of(q);
        return q.convOptions() != null ? new CompressedConv2d(w, q.convOptions(), q.inputQParams()) : new CompressedLinear(w, q.inputQParams());
    }
}
