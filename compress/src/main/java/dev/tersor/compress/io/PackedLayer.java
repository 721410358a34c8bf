package dev.tersor.compress.io;

import dev.tersor.nn.io.SafetensorsWriter;
import java.util.Map;

/**
 * A layer that stores itself in packed form in a {@link CompressedModel} file: integer or
 * codebook weights and their scales, instead of float parameters. It registers no parameters
 * or buffers of its own (its state is what {@link #writeTensors} writes), so the float state
 * dict of the rest of the model stays separate.
 */
public interface PackedLayer {

    /** The codec that reads it back ({@link LayerCodec#kind()}), e.g. {@code "int8"}. */
    String kind();

    /** Its scheme as metadata entries (bits, ranges, ...), written under {@code tersor.layer.<path>.}. */
    Map<String, String> scheme();

    /** Writes its tensors as {@code prefix + name} (prefix is {@code "<path>."}). */
    void writeTensors(String prefix, SafetensorsWriter writer);

    /** The bits its tensors take in the file (the payload the size report counts). */
    long storedBits();

    /** The number of weights it stands for. */
    long weightCount();

    /** The number of float parameters (weights and bias) of the layer it replaced. */
    long floatParameters();

    /** Bytes its weights take in memory when it runs (integer kernels hold a byte per weight; decoded layers 4). */
    long residentBytes();

    /** Bits per weight of its scheme (the integer or codebook-index width). */
    int weightBits();

    /** Bits per input activation, or 32 when its input stays float. */
    int inputBits();
}
