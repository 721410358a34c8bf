package dev.tersor.compress.convert;

import dev.tersor.compress.io.LayerCodec;
import dev.tersor.compress.quant.QParams;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import java.util.Map;

/** Reads {@link CompressedConv2d} and {@link CompressedLinear} layers (kind {@value #KIND}) from a compressed file. */
public final class Int8Codec implements LayerCodec {
    /** The kind integer-weight layers are written as. */
    public static final String KIND = "int8";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Module read(String path, Module original, Map<String, String> scheme, LayerTensors tensors) {
        QParams input = scheme.containsKey("input") ? Schemes.input(tensors, scheme, "input") : null;
        if (original instanceof Conv2d c) {
            QuantizedWeights w = QuantizedWeights.read(scheme, tensors, c.weight().shape(), c.bias() != null);
            return new CompressedConv2d(w, c.options(), input);
        }
        if (original instanceof Linear l) {
            QuantizedWeights w = QuantizedWeights.read(scheme, tensors, l.weight().shape(), l.bias() != null);
            return new CompressedLinear(w, input);
        }
        throw tensors.error("is an int8 layer, but the architecture has a " + original.getClass().getSimpleName() + " there");
    }
}
