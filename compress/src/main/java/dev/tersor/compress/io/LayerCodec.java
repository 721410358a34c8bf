package dev.tersor.compress.io;

import dev.tersor.nn.Module;
import dev.tersor.nn.io.SafetensorsFile;
import java.util.Map;

/**
 * Reads one kind of {@link PackedLayer} back from a {@link CompressedModel} file. The codec is
 * given the float layer the architecture has at that path (for its shape and options), so the
 * file never describes more than the architecture allows: every stored shape is checked against
 * it before anything is allocated.
 */
public interface LayerCodec {

    /** The kind written by the layers it reads. */
    String kind();

    /**
     * Rebuilds the layer at {@code path}.
     *
     * @param original the architecture's module at that path (e.g. the float Conv2d it replaced)
     * @param scheme   the layer's metadata entries (without the {@code tersor.layer.<path>.} prefix)
     * @param tensors  reads the layer's tensors by name relative to the layer (marks them used)
     * @throws dev.tersor.nn.io.SafetensorsFormatException naming the file, layer and field when anything does not fit
     */
    Module read(String path, Module original, Map<String, String> scheme, LayerTensors tensors);

    /** The layer's tensors in the file, by relative name; every tensor read is marked as used. */
    interface LayerTensors {
        /** The file (for dtype, shape and bytes). */
        SafetensorsFile file();

        /** The full name of a relative tensor name, checked to exist and marked used. */
        String require(String name);

        /** Whether the layer has a tensor of that relative name. */
        boolean has(String name);

        /** A format error about this layer. */
        RuntimeException error(String problem);
    }
}
