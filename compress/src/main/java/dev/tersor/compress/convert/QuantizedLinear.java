package dev.tersor.compress.convert;

import dev.tersor.compress.io.PackedLayer;
import dev.tersor.compress.quant.QParams;
import dev.tersor.nn.Module;
import dev.tersor.nn.io.SafetensorsWriter;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.lowbit.Int8Linear;
import java.util.Map;

/**
 * Integer inference form of a quantized linear layer: x [..., in] → [..., out] with int8 (or
 * 2–7-bit) weights [out, in], per-output scales, the input quantized per tensor in each call, an
 * integer GEMM ({@link Int8Linear}) and {@code y = acc·(s_x·s_w[n]) + b[n]}. Weight-only
 * quantization (no input parameters) dequantizes the weights once and runs in float.
 */
public final class QuantizedLinear extends Module implements PackedLayer {
    private final QuantizedWeights weights;
    private final QParams input;
    private final Int8Linear kernel;
    private final Tensor floatWeight;

    QuantizedLinear(QuantizedWeights weights, QParams input) {
        this.weights = weights;
        this.input = input;
        int[] s = weights.shape();
        if (input != null) {
            this.kernel = Int8Linear.pack(weights.values(), s[0], s[1], weights.qparams().scale(), Int8Layers.input(input),
                    weights.bias(), false);
            this.floatWeight = null;
        } else {
            this.kernel = null;
            this.floatWeight = weights.dequantized();
        }
    }

    /** The input's quantization parameters, or null for weight-only quantization. */
    public QParams inputQParams() {
        return input;
    }

    /** The weights' per-output parameters. */
    public QParams weightQParams() {
        return weights.qparams();
    }

    /** The stored integer weights [out, in] (a copy). */
    public byte[] integerWeights() {
        return weights.values().clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        if (kernel != null) return kernel.apply(x);
        float[] b = weights.bias();
        return Functional.linear(x, floatWeight, b == null ? null : Tensor.fromArray(b, b.length));
    }

    @Override
    public long multiplyAccumulates(Tensor in, Tensor out) {
        return (long) out.numel() * weights.shape()[1];
    }

    @Override
    public String kind() {
        return Int8Codec.KIND;
    }

    @Override
    public Map<String, String> scheme() {
        return Int8Layers.scheme(weights, input);
    }

    @Override
    public void writeTensors(String prefix, SafetensorsWriter writer) {
        weights.write(prefix, writer);
    }

    @Override
    public long storedBits() {
        return weights.storedBits();
    }

    @Override
    public long weightCount() {
        return weights.count();
    }

    @Override
    public long floatParameters() {
        return weights.count() + (weights.bias() == null ? 0 : weights.bias().length);
    }

    @Override
    public int weightBits() {
        return weights.bits();
    }

    @Override
    public int inputBits() {
        return input == null ? 32 : Int8Layers.bits(input);
    }

    @Override
    protected String extraRepr() {
        int[] s = weights.shape();
        return "in_features=" + s[1] + ", out_features=" + s[0] + ", w" + weights.bits()
                + (input == null ? " weight-only" : " a" + Int8Layers.bits(input))
                + (kernel != null ? ", kernel=" + kernel.kernelName() : "");
    }
}
