package dev.tersor.compress.sparse;

import dev.tersor.compress.io.LayerCodec;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import java.util.Map;

/** Reads {@link SparseConv2d} and {@link SparseLinear} layers (kind {@code sparse}) from a compressed file. */
public final class SparseCodec implements LayerCodec {
    @Override
    public String kind() {
        return SparseLayer.KIND;
    }

    @Override
    public Module read(String path, Module original, Map<String, String> scheme, LayerTensors tensors) {
        String compute = scheme.get("compute");
        if (!"sparse".equals(compute) && !"dense".equals(compute)) {
            throw tensors.error("scheme entry 'compute' is " + (compute == null ? "missing" : "\"" + compute + "\"") + ", expected sparse or dense");
        }
        boolean sparse = compute.equals("sparse");
        if (original instanceof Conv2d c) {
            return new SparseConv2d(SparseWeights.read(scheme, tensors, c.weight().shape(), c.bias() != null), c.options(), sparse);
        }
        if (original instanceof Linear l) {
            return new SparseLinear(SparseWeights.read(scheme, tensors, l.weight().shape(), l.bias() != null), sparse);
        }
        throw tensors.error("is a sparse layer, but the architecture has a " + original.getClass().getSimpleName() + " there");
    }
}
