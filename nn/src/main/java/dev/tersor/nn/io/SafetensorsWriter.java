package dev.tersor.nn.io;

import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds a safetensors file: tensors in the order they are added, then {@link #write(Path)}.
 *
 * <pre>{@code
 * new SafetensorsWriter()
 *         .metadata("format", "pt")
 *         .add("fc.weight", weight)                 // F32
 *         .add("emb.weight", embedding, DType.BF16) // rounded to nearest even
 *         .add("labels", labels)                    // IntTensor as I32
 *         .write(Path.of("model.safetensors"));
 * }</pre>
 *
 * <p>The header is padded with spaces to a multiple of 8 bytes, so the data section starts
 * 8-byte aligned. {@link #write(Path)} is atomic: it writes a temporary file in the target's
 * directory, forces it to disk, then renames it over the target, so a crash or a failure part
 * way (an I/O error, a {@link ByteSource} that throws) leaves any previous file untouched and
 * no temporary file behind. Float tensors are read when written, not when added.
 */
public final class SafetensorsWriter {

    /** Streams the bytes of one tensor (little-endian, exactly {@code numel * dtype.byteSize()} of them). */
    @FunctionalInterface
    public interface ByteSource {
        void writeTo(OutputStream out) throws IOException;
    }

    private record Entry(String name, DType dtype, int[] shape, long byteSize, ByteSource source) {
    }

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, Entry> byName = new LinkedHashMap<>();

    /** Adds a {@code __metadata__} entry (replacing an earlier value for {@code key}). */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(checkText(key, "metadata key"), checkText(value, "metadata value for \"" + key + "\""));
        return this;
    }

    /** Adds every entry of {@code map} as metadata, in its iteration order. */
    public SafetensorsWriter metadata(Map<String, String> map) {
        map.forEach(this::metadata);
        return this;
    }

    /** Adds {@code t} as F32. */
    public SafetensorsWriter add(String name, Tensor t) {
        return add(name, t, DType.F32);
    }

    /** Adds {@code t} as {@code dtype}: F32, F64, or F16/BF16 rounded to nearest even. */
    public SafetensorsWriter add(String name, Tensor t, DType dtype) {
        if (dtype != DType.F32 && dtype != DType.F64 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("tensor \"" + name + "\": cannot write a float tensor as " + dtype
                    + "; expected F32, F64, F16 or BF16");
        }
        return add(name, dtype, t.shape(), out -> Codec.writeFloats(t.toArray(), dtype, out));
    }

    /** Adds {@code t} as I32. */
    public SafetensorsWriter add(String name, IntTensor t) {
        return add(name, t, DType.I32);
    }

    /**
     * Adds {@code t} as integer type {@code dtype} (I8, U8, I16, U16, I32, U32, I64, U64 or BOOL).
     *
     * @throws IllegalArgumentException if an element does not fit, naming the first one
     */
    public SafetensorsWriter add(String name, IntTensor t, DType dtype) {
        if (dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("tensor \"" + name + "\": cannot write an IntTensor as " + dtype
                    + "; convert it to a float Tensor first");
        }
        for (int i = 0; i < t.numel(); i++) {
            if (!Codec.fits(t.getFlat(i), dtype)) {
                throw new IllegalArgumentException("tensor \"" + name + "\" element " + i + " = " + t.getFlat(i)
                        + " does not fit in " + dtype);
            }
        }
        return add(name, dtype, t.shape(), out -> Codec.writeInts(t.toArray(), dtype, out));
    }

    /**
     * Adds a tensor whose bytes {@code source} streams when the file is written, for any dtype
     * (already encoded data, or data too large to hold twice). Writing fails, atomically, if the
     * source writes a different number of bytes than {@code numel(shape) * dtype.byteSize()}.
     */
    public SafetensorsWriter add(String name, DType dtype, int[] shape, ByteSource source) {
        checkText(name, "tensor name");
        if (name.equals(SafetensorsHeader.METADATA_KEY)) throw new IllegalArgumentException("\"__metadata__\" is reserved and cannot name a tensor");
        if (byName.containsKey(name)) throw new IllegalArgumentException("duplicate tensor name \"" + name + "\"");
        long numel = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("tensor \"" + name + "\" has a negative dimension: " + Arrays.toString(shape));
            numel = Math.multiplyExact(numel, d);
        }
        Entry e = new Entry(name, dtype, shape.clone(), Math.multiplyExact(numel, dtype.byteSize()), source);
        entries.add(e);
        byName.put(name, e);
        return this;
    }

    /** Writes the file atomically (see the class comment), replacing any file at {@code path}. */
    public void write(Path path) throws IOException {
        byte[] header = header();                              // fails before touching the disk
        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        if (Files.isDirectory(target)) throw new FileSystemException(target.toString(), null, "is a directory, not a file to replace");
        Path tmp = null;
        FileChannel ch = null;
        for (int attempt = 0; ch == null; attempt++) {
            tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) throw e;
            }
        }
        boolean moved = false;
        try {
            try (FileChannel c = ch) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(c), 1 << 16);
                writeTo(out, header);
                out.flush();
                c.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            syncDirectory(dir);
        } finally {
            if (!moved) Files.deleteIfExists(tmp);
        }
    }

    /** Writes the whole file to {@code out} (not closed). */
    public void writeTo(OutputStream out) throws IOException {
        writeTo(out, header());
    }

    /** The whole file as a byte array. */
    public byte[] toByteArray() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void writeTo(OutputStream out, byte[] header) throws IOException {
        long n = header.length;
        byte[] length = new byte[8];
        for (int i = 0; i < 8; i++) length[i] = (byte) (n >>> (8 * i));
        out.write(length);
        out.write(header);
        for (Entry e : entries) {
            CountingStream counted = new CountingStream(out, e);
            e.source().writeTo(counted);
            if (counted.count != e.byteSize()) {
                throw new IllegalStateException("tensor \"" + e.name() + "\" (" + e.dtype() + " " + Arrays.toString(e.shape())
                        + "): its source wrote " + counted.count + " bytes, expected " + e.byteSize());
            }
        }
    }

    /** The JSON header, metadata first, padded with spaces to a multiple of 8 bytes. */
    private byte[] header() {
        StringBuilder sb = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            sb.append("\"__metadata__\":{");
            String sep = "";
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                sb.append(sep);
                appendString(sb, m.getKey()).append(':');
                appendString(sb, m.getValue());
                sep = ",";
            }
            sb.append('}');
        }
        long offset = 0;
        for (Entry e : entries) {
            if (sb.length() > 1) sb.append(',');
            appendString(sb, e.name()).append(":{\"dtype\":\"").append(e.dtype()).append("\",\"shape\":[");
            for (int i = 0; i < e.shape().length; i++) sb.append(i > 0 ? "," : "").append(e.shape()[i]);
            sb.append("],\"data_offsets\":[").append(offset).append(',').append(offset + e.byteSize()).append("]}");
            offset += e.byteSize();
        }
        sb.append('}');
        byte[] json = sb.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        if (padded > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw new IllegalStateException("header of " + padded + " bytes exceeds the format's limit of " + SafetensorsHeader.MAX_HEADER_BYTES);
        }
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static StringBuilder appendString(StringBuilder sb, String s) {
        return JsonText.appendString(sb, s);
    }

    /** Rejects null and unpaired surrogates (which have no UTF-8 encoding). */
    private static String checkText(String s, String what) {
        if (s == null) throw new NullPointerException(what + " is null");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " \"" + s + "\" has an unpaired surrogate at index " + i);
            }
        }
        return s;
    }

    /** Best effort: makes the rename durable on file systems that support syncing a directory. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows and some file systems cannot open or sync a directory; the data itself is synced.
        }
    }

    /** Counts the bytes a source writes and stops it at the first byte too many. */
    private static final class CountingStream extends FilterOutputStream {
        private final Entry entry;
        long count;

        CountingStream(OutputStream out, Entry entry) {
            super(out);
            this.entry = entry;
        }

        @Override
        public void write(int b) throws IOException {
            check(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            check(len);
            out.write(b, off, len);
        }

        @Override
        public void close() {
            // the file stream belongs to the writer
        }

        private void check(int len) {
            if (count + len > entry.byteSize()) {
                throw new IllegalStateException("tensor \"" + entry.name() + "\": its source wrote more than the expected "
                        + entry.byteSize() + " bytes");
            }
            count += len;
        }
    }
}
