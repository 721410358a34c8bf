package dev.tersor.compress.ptq;

import dev.tersor.compress.quant.QParams;
import dev.tersor.compress.quant.QuantLayer;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Tensor;

/**
 * One calibrated layer: a snapshot of the float layer's weight and bias (the bias corrected when
 * bias correction ran), its convolution options (null for a linear layer), the per-channel weight
 * parameters and the per-tensor input parameters (none when the input stays float).
 *
 * @param path          dotted path of the layer in the model
 * @param weight        [K, C/groups, kh, kw] or [out, in]
 * @param bias          [K], or null
 * @param convOptions   stride, padding, dilation, groups; null for a linear layer
 * @param weightQParams one scale per output channel, zero points 0
 * @param inputQParams  one scale and zero point, or null: weight-only quantization
 */
public record PtqLayer(String path, Tensor weight, Tensor bias, Conv2dOptions convOptions, QParams weightQParams,
                       QParams inputQParams) implements QuantLayer {

    public PtqLayer {
        if (path == null || weight == null || weightQParams == null) {
            throw new IllegalArgumentException("PtqLayer: path, weight and weightQParams are required");
        }
        int k = weight.size(0);
        if (weightQParams.channels() != 1 && weightQParams.channels() != k) {
            throw new IllegalArgumentException("PtqLayer '" + path + "': " + weightQParams.channels() + " weight scales for " + k + " channels");
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != k)) {
            throw new IllegalArgumentException("PtqLayer '" + path + "': bias of " + bias.numel() + " values for " + k + " channels");
        }
    }

    /** The weight as the integers stand for it: {@code dequantize(quantize(W))} per output channel. */
    public Tensor fakeQuantizedWeight() {
        return FakeQuant.apply(weight, weightQParams);
    }
}
