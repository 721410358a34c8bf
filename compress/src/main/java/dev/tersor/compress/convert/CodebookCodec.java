package dev.tersor.compress.convert;

import dev.tersor.compress.io.LayerCodec;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import java.util.Map;

/** Reads codebook (clustered) convolution and linear layers (kind {@code codebook}) from a compressed file. */
public final class CodebookCodec implements LayerCodec {
    @Override
    public String kind() {
        return CodebookWeights.KIND;
    }

    @Override
    public Module read(String path, Module original, Map<String, String> scheme, LayerTensors tensors) {
        if (original instanceof Conv2d c) {
            return new CompressedConv2d(CodebookWeights.read(scheme, tensors, c.weight().shape(), c.bias() != null), c.options(), null);
        }
        if (original instanceof Linear l) {
            return new CompressedLinear(CodebookWeights.read(scheme, tensors, l.weight().shape(), l.bias() != null), null);
        }
        throw tensors.error("is a codebook layer, but the architecture has a " + original.getClass().getSimpleName() + " there");
    }
}
