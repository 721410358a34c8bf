package dev.tersor.nn.io;

import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reading and writing <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * files, the format PyTorch and Hugging Face use to exchange weights:
 *
 * <pre>
 * [8 bytes: header length N, little-endian u64]
 * [N bytes: UTF-8 JSON {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...,
 *                       "__metadata__": {"key": "value"}}]
 * [data section: each tensor row-major, little-endian, at its offsets]
 * </pre>
 *
 * <pre>{@code
 * Safetensors.write(Path.of("model.safetensors"), model.stateDict(), Map.of("format", "pt"));
 *
 * try (SafetensorsFile f = Safetensors.read(Path.of("model.safetensors"))) {
 *     model.loadStateDict(f.tensors(), true);
 * }
 * }</pre>
 *
 * Reading validates the whole header first, as strictly as the reference implementation, and
 * rejects anything malformed with a {@link SafetensorsFormatException} naming the file, the
 * byte offset and what was expected; sizes read from the file are checked before they are used
 * to allocate. Writing is atomic. See {@link SafetensorsFile} and {@link SafetensorsWriter}.
 */
public final class Safetensors {
    private Safetensors() {
    }

    /**
     * Opens and validates a file. Files over 1 MiB are memory-mapped read-only, smaller ones read whole.
     *
     * @throws SafetensorsFormatException if the file is not a valid safetensors file
     * @throws IOException if it cannot be read
     */
    public static SafetensorsFile read(Path path) throws IOException {
        return SafetensorsReader.open(path);
    }

    /**
     * Reads a whole file held in memory. The array is used in place, not copied: do not modify it.
     *
     * @param source a name for error messages
     */
    public static SafetensorsFile read(byte[] bytes, String source) {
        return SafetensorsReader.fromBytes(bytes, source);
    }

    /**
     * Reads a stream to its end (a class-path resource, say), which must hold exactly one file
     * with a data section under 2 GiB. The stream is not closed.
     *
     * <pre>{@code
     * try (InputStream in = Model.class.getResourceAsStream("/weights.safetensors")) {
     *     SafetensorsFile f = Safetensors.read(in, "weights.safetensors");
     * }
     * }</pre>
     *
     * @param source a name for error messages
     */
    public static SafetensorsFile read(InputStream in, String source) throws IOException {
        return SafetensorsReader.fromStream(in, source);
    }

    /** Every tensor of a file as float32, in file order (see {@link SafetensorsFile#tensors()}). */
    public static Map<String, Tensor> readTensors(Path path) throws IOException {
        try (SafetensorsFile f = read(path)) {
            return f.tensors();
        }
    }

    /** Writes {@code tensors} as F32 in iteration order, with optional {@code metadata}, atomically. */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(path, tensors, metadata, DType.F32);
    }

    /**
     * Writes {@code tensors} as {@code dtype} (F32, F64, F16 or BF16, rounded to nearest even)
     * in iteration order, with optional {@code metadata} (may be null or empty), atomically.
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata, DType dtype) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        if (metadata != null) w.metadata(metadata);
        tensors.forEach((name, t) -> w.add(name, t, dtype));
        w.write(path);
    }
}
