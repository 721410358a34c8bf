package dev.tersor.compress.convert;

import dev.tersor.compress.io.PackedLayer;
import dev.tersor.compress.quant.QParams;
import dev.tersor.nn.Module;
import dev.tersor.nn.io.SafetensorsWriter;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.lowbit.Int8Conv2d;
import java.util.Map;

/**
 * Inference form of a compressed convolution, with its weights packed ({@link PackedWeights}):
 * <ul>
 *   <li>integer (int8 or 2–7-bit) weights with one scale per output channel and an input
 *       quantization: the input is quantized per tensor inside each call and an int8 × int8 →
 *       int32 convolution ({@link Int8Conv2d}) runs, then {@code y = acc·(s_x·s_w[k]) + b[k]};</li>
 *   <li>integer weights without input quantization (weight-only), or codebook weights (k
 *       shared centres, DP-Net / SLB): the weights are decoded to float once and the convolution
 *       runs in float; the file and the stored state stay packed.</li>
 * </ul>
 * Holds no parameters: it is not trainable.
 */
public final class CompressedConv2d extends Module implements PackedLayer {
    private final PackedWeights weights;
    private final Conv2dOptions options;
    private final QParams input;
    private final Int8Conv2d kernel;
    private final Tensor floatWeight;

    CompressedConv2d(PackedWeights weights, Conv2dOptions options, QParams input) {
        this.weights = weights;
        this.options = options;
        this.input = input;
        if (input != null && weights instanceof QuantizedWeights q) {
            this.kernel = Int8Conv2d.pack(q.values(), q.shape(), options, q.qparams().scale(),
                    Int8Layers.input(input), weights.bias(), false);
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

    /** The weights' per-channel parameters, or null for codebook weights. */
    public QParams weightQParams() {
        return weights instanceof QuantizedWeights q ? q.qparams() : null;
    }

    /** The stored integer weights [K, C/groups, kh, kw] (a copy), or null for codebook weights. */
    public byte[] integerWeights() {
        return weights instanceof QuantizedWeights q ? q.values().clone() : null;
    }

    /** Stride, padding, dilation and groups. */
    public Conv2dOptions options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (kernel != null) return kernel.apply(x);
        float[] b = weights.bias();
        return Functional.conv2d(x, floatWeight, b == null ? null : Tensor.fromArray(b, b.length), options);
    }

    @Override
    public long multiplyAccumulates(Tensor in, Tensor out) {
        return (long) out.numel() * (weights.count() / weights.shape()[0]);
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
        return s[1] * options.groups() + ", " + s[0] + ", kernel_size=(" + s[2] + ", " + s[3] + "), " + options
                + ", w" + weights.bits() + (input == null ? " weight-only" : " a" + Int8Layers.bits(input))
                + (kernel != null ? ", kernel=" + kernel.kernelName() : "");
    }
}
