package dev.tersor.compress.convert;

import dev.tersor.nn.io.SafetensorsWriter;
import dev.tersor.tensor.Tensor;
import java.util.Map;

/**
 * A layer's weights in a packed form ({@link QuantizedWeights}: integers with per-channel
 * scales; {@link CodebookWeights}: indices into k shared centres) and its float bias.
 */
interface PackedWeights {

    /** The codec kind the layer is written as. */
    String kind();

    /** The weight's shape: [K, C/groups, kh, kw] or [out, in]. */
    int[] shape();

    /** Bits per weight. */
    int bits();

    /** The float bias, or null (not a copy: do not modify). */
    float[] bias();

    /** Number of weights. */
    long count();

    /** The weights as floats (decoded once when a layer is built). */
    Tensor dequantized();

    /** Scheme entries for the file's metadata. */
    Map<String, String> scheme();

    /** Writes the tensors under {@code prefix}. */
    void write(String prefix, SafetensorsWriter w);

    /** Bits of all its tensors as stored. */
    long storedBits();
}
