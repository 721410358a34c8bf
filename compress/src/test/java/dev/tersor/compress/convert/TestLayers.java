package dev.tersor.compress.convert;

import dev.tersor.compress.quant.QParams;
import dev.tersor.compress.quant.QuantLayer;
import dev.tersor.compress.quant.QuantScheme;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** Quantized-layer descriptions made directly from float layers, for conversion and file tests. */
final class TestLayers {
    private TestLayers() {
    }

    record Layer(Tensor weight, Tensor bias, QParams weightQParams, QParams inputQParams, Conv2dOptions convOptions)
            implements QuantLayer {
    }

    /** Per-channel min-max weights of {@code bits}, a fixed affine 8-bit input range [-3, 5]. */
    static Map<String, QuantLayer> all(Module model, int bits) {
        Map<String, QuantLayer> out = new LinkedHashMap<>();
        QParams input = QuantScheme.affine(8).qparams(-3f, 5f);
        for (var e : model.namedModules().entrySet()) {
            if (e.getValue() instanceof Conv2d c) {
                out.put(e.getKey(), new Layer(c.weight().value(), c.bias() == null ? null : c.bias().value(), weights(c.weight().value(), bits),
                        input, c.options()));
            } else if (e.getValue() instanceof Linear l) {
                out.put(e.getKey(), new Layer(l.weight().value(), l.bias() == null ? null : l.bias().value(), weights(l.weight().value(), bits),
                        input, null));
            }
        }
        return out;
    }

    static QParams weights(Tensor w, int bits) {
        int k = w.size(0), per = w.numel() / k;
        float[] v = w.contiguous().toArray(), lo = new float[k], hi = new float[k];
        for (int c = 0; c < k; c++) {
            lo[c] = Float.POSITIVE_INFINITY;
            hi[c] = Float.NEGATIVE_INFINITY;
            for (int i = c * per; i < (c + 1) * per; i++) {
                lo[c] = Math.min(lo[c], v[i]);
                hi[c] = Math.max(hi[c], v[i]);
            }
        }
        return QuantScheme.signed(bits, true).qparams(lo, hi);
    }
}
