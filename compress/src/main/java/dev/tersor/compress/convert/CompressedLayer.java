package dev.tersor.compress.convert;

import dev.tersor.compress.io.PackedLayer;
import dev.tersor.compress.quant.QParams;
import dev.tersor.nn.Module;
import dev.tersor.nn.io.SafetensorsWriter;
import java.util.Map;

/**
 * What {@link CompressedConv2d} and {@link CompressedLinear} share: the packed weights, the input
 * quantization (or none) and everything a {@link PackedLayer} reports about them.
 */
abstract class CompressedLayer extends Module implements PackedLayer {
    PackedWeights weights;   // replaced once by holdIn: the integer kernel then holds the only copy
    final QParams input;

    CompressedLayer(PackedWeights weights, QParams input) {
        if (input != null && !(weights instanceof QuantizedWeights)) {
            throw new IllegalArgumentException(weights.kind() + " weights take no input quantization");
        }
        this.weights = weights;
        this.input = input;
    }

    /** The input's quantization parameters, or null when the input stays float. */
    public QParams inputQParams() {
        return input;
    }

    /** The weights' per-output-channel parameters, or null for codebook weights. */
    public QParams weightQParams() {
        return weights instanceof QuantizedWeights q ? q.qparams() : null;
    }

    /** The stored integer weights in the weight's row-major order (a copy), or null for codebook weights. */
    public byte[] integerWeights() {
        return weights instanceof QuantizedWeights q ? q.values().clone() : null;
    }

    /** The integer weights when the layer runs an integer kernel, else null. */
    QuantizedWeights integerKernelWeights() {
        return input != null ? (QuantizedWeights) weights : null;
    }

    /** From now on the integer weights are read back from the kernel that packed them (held once). */
    void holdIn(java.util.function.Supplier<byte[]> kernelWeights) {
        weights = ((QuantizedWeights) weights).heldBy(kernelWeights);
    }

    /** {@code w8 a8}, {@code w3 weight-only}: for printing. */
    String bitsText() {
        return "w" + weights.bits() + (input == null ? " weight-only" : " a" + Int8Layers.bits(input));
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
    public long residentBytes() {
        long channels = weights.shape()[0];
        return holdsBytes() ? weights.count() + 8 * channels      // int8 weights, per-channel multiplier and bias
                : 4 * weights.count() + (weights.bias() == null ? 0 : 4 * channels);   // decoded float weights
    }

    /** Whether the layer runs on its integer weights, a byte each (else it decoded them to float). */
    boolean holdsBytes() {
        return input != null;
    }

    @Override
    public int weightBits() {
        return weights.bits();
    }

    @Override
    public int inputBits() {
        return input == null ? 32 : Int8Layers.bits(input);
    }
}
