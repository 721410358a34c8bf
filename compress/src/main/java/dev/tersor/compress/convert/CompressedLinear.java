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
 * Inference form of a compressed linear layer x [..., in] → [..., out], with its weights packed
 * ({@link PackedWeights}): integer weights with per-output scales and an input quantization run
 * an integer GEMM ({@link Int8Linear}) and {@code y = acc·(s_x·s_w[n]) + b[n]}; weight-only
 * integer weights and codebook weights are decoded to float once. Not trainable.
 */
public final class CompressedLinear extends Module implements PackedLayer {
    private final PackedWeights weights;
    private final QParams input;
    private final Int8Linear kernel;
    private final Tensor floatWeight;

    CompressedLinear(PackedWeights weights, QParams input) {
        this.weights = weights;
        this.input = input;
        int[] s = weights.shape();
        if (input != null && weights instanceof QuantizedWeights q) {
            this.kernel = Int8Linear.pack(q.values(), s[0], s[1], q.qparams().scale(), Int8Layers.input(input),
                    weights.bias(), false);
            this.floatWeight = null;
        } else {
            if (input != null) throw new IllegalArgumentException(weights.kind() + " weights take no input quantization");
            this.kernel = null;
            this.floatWeight = weights.dequantized();
        }
    }

    /** The input's quantization parameters, or null for weight-only quantization. */
    public QParams inputQParams() {
        return input;
    }

    /** The weights' per-output parameters, or null for codebook weights. */
    public QParams weightQParams() {
        return weights instanceof QuantizedWeights q ? q.qparams() : null;
    }

    /** The stored integer weights [out, in] (a copy), or null for codebook weights. */
    public byte[] integerWeights() {
        return weights instanceof QuantizedWeights q ? q.values().clone() : null;
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
        return weights.kind();
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
