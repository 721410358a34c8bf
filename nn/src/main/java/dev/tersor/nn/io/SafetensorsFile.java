package dev.tersor.nn.io;

import dev.tersor.nn.io.SafetensorsHeader.Entry;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An opened, fully validated safetensors file: its tensor names in file (header) order, its
 * metadata, and each tensor's dtype, shape and data. Obtain one from {@link Safetensors#read}.
 *
 * <pre>{@code
 * try (SafetensorsFile f = Safetensors.read(Path.of("model.safetensors"))) {
 *     for (String name : f.names()) {
 *         System.out.println(name + " " + f.dtype(name) + " " + Arrays.toString(f.shape(name)));
 *     }
 *     Tensor w = f.tensor("fc.weight");          // float32, converted from F16/BF16/... exactly
 *     IntTensor steps = f.intTensor("steps");     // from an integer dtype
 *     ByteBuffer raw = f.bytes("fc.weight");      // read-only little-endian view, no copy
 * }
 * }</pre>
 *
 * <p>Large files are memory-mapped: {@link #bytes} is then a view of the mapping, and
 * {@link #tensor}/{@link #intTensor} copy from it. Data access after {@link #close()} fails;
 * Java releases a mapping when its buffers are garbage-collected, so views taken earlier stay
 * readable until then (and, on Windows, keep the file from being replaced). Do not truncate
 * or rewrite a mapped file in place; {@link SafetensorsWriter} replaces files by rename, which
 * leaves existing mappings intact. Reading is thread-safe. A single tensor over 2 GiB can be
 * listed but not read.
 */
public final class SafetensorsFile implements AutoCloseable {
    private static final int LISTED_NAMES = 20;

    private final SafetensorsHeader header;
    private final Map<String, ByteBuffer> regions;    // name -> read-only view of its bytes
    private final boolean mapped;
    private volatile boolean closed;

    SafetensorsFile(SafetensorsHeader header, Map<String, ByteBuffer> regions, boolean mapped) {
        this.header = header;
        this.regions = regions;
        this.mapped = mapped;
    }

    /** Where the bytes came from: the path, or the name given to {@link Safetensors#read(byte[], String)}. */
    public String source() {
        return header.source;
    }

    /** Tensor names in the order of the header. */
    public List<String> names() {
        List<String> names = new ArrayList<>(header.entries.size());
        for (Entry e : header.entries) names.add(e.name());
        return Collections.unmodifiableList(names);
    }

    /** Whether a tensor of that name exists. */
    public boolean contains(String name) {
        return header.byName.containsKey(name);
    }

    /** The {@code __metadata__} map (empty when the file has none), in header order, unmodifiable. */
    public Map<String, String> metadata() {
        return header.metadata;
    }

    /** The element type of {@code name} as stored. */
    public DType dtype(String name) {
        return entry(name).dtype();
    }

    /** The shape of {@code name} (a copy; {@code []} for a scalar). */
    public int[] shape(String name) {
        return entry(name).shape().clone();
    }

    /** Number of elements of {@code name}. */
    public long numel(String name) {
        return entry(name).numel();
    }

    /**
     * A read-only, little-endian view of the stored bytes of {@code name}, position 0, limit
     * {@code numel * dtype.byteSize()}; no copy is made.
     */
    public ByteBuffer bytes(String name) {
        Entry e = entry(name);
        if (closed) throw new IllegalStateException(source() + " is closed");
        ByteBuffer region = regions.get(name);
        if (region == null) {
            throw new UnsupportedOperationException(source() + ": tensor " + HeaderJson.quote(name) + " is " + e.byteSize()
                    + " bytes; a single tensor over 2 GiB cannot be viewed as one buffer");
        }
        return region.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * {@code name} as a new float32 tensor. Float types widen exactly (F16, BF16, F8) or round
     * to nearest (F64); integers convert like a Java {@code (float)} cast; BOOL gives 0 and 1.
     */
    public Tensor tensor(String name) {
        Entry e = entry(name);
        return Tensor.fromArray(Codec.toFloats(bytes(name), e.dtype(), elements(e)), e.shape());
    }

    /**
     * {@code name} as a new int32 tensor, from an integer or BOOL dtype.
     *
     * @throws IllegalArgumentException for a float dtype, or a value (I64, U32, U64) outside the int range
     */
    public IntTensor intTensor(String name) {
        Entry e = entry(name);
        if (e.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(source() + ": tensor " + e.describe()
                    + " is floating point: intTensor needs an integer or BOOL dtype (use tensor())");
        }
        return IntTensor.of(Codec.toInts(bytes(name), e.dtype(), elements(e), source() + ": tensor " + HeaderJson.quote(name)), e.shape());
    }

    /** Every tensor as float32 (see {@link #tensor}), in header order: a state dict. */
    public Map<String, Tensor> tensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Entry e : header.entries) out.put(e.name(), tensor(e.name()));
        return out;
    }

    /** Whether the data is memory-mapped rather than held on the heap. */
    public boolean isMapped() {
        return mapped;
    }

    /** Marks the file closed: later data access throws {@link IllegalStateException}. Idempotent. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + source() + ", " + header.entries.size() + " tensors, " + header.dataLength + " data bytes"
                + (mapped ? ", mapped" : "") + "]";
    }

    private Entry entry(String name) {
        Entry e = header.byName.get(name);
        if (e == null) {
            List<String> names = names();
            String listed = String.join(", ", names.subList(0, Math.min(LISTED_NAMES, names.size())))
                    + (names.size() > LISTED_NAMES ? ", ... (" + names.size() + " in all)" : "");
            throw new IllegalArgumentException(source() + " has no tensor " + HeaderJson.quote(name) + "; it has: "
                    + (names.isEmpty() ? "(none)" : listed));
        }
        return e;
    }

    private int elements(Entry e) {
        if (e.numel() > Integer.MAX_VALUE - 8) {
            throw new UnsupportedOperationException(source() + ": tensor " + e.describe() + " has " + e.numel()
                    + " elements, more than a Java array holds");
        }
        return (int) e.numel();
    }
}
