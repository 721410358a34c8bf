package dev.tersor.nn.io;

import dev.tersor.nn.io.JsonReader.Arr;
import dev.tersor.nn.io.JsonReader.Num;
import dev.tersor.nn.io.JsonReader.Obj;
import dev.tersor.nn.io.JsonReader.Str;
import dev.tersor.nn.io.JsonReader.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated safetensors header: the tensor entries in header order, the metadata, and the
 * length of the data section they tile. Enforces the rules of the reference implementation:
 * the JSON starts with '{', each entry has exactly {@code dtype}, {@code shape} and
 * {@code data_offsets}, {@code end - begin = numel * dtype size} with no overflow, and the
 * offsets, sorted, cover {@code [0, dataLength)} with no gap and no overlap.
 */
final class SafetensorsHeader {
    /** Largest header accepted, as in the reference implementation (100 MB). */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";

    /** One tensor: {@code at} is the file offset of its header entry, for messages. */
    record Entry(String name, DType dtype, int[] shape, long numel, long begin, long end, long at) {
        long byteSize() {
            return end - begin;
        }

        String describe() {
            return HeaderJson.quote(name) + " (" + dtype + " " + Arrays.toString(shape) + ")";
        }
    }

    final List<Entry> entries;           // header order
    final List<Entry> byOffset;          // data order
    final Map<String, Entry> byName;
    final Map<String, String> metadata;
    final long dataLength;               // bytes the tensors cover
    final long dataStart;                // 8 + header length
    final String source;

    private SafetensorsHeader(List<Entry> entries, List<Entry> byOffset, Map<String, String> metadata,
                              long dataLength, long dataStart, String source) {
        this.entries = entries;
        this.byOffset = byOffset;
        this.metadata = metadata;
        this.dataLength = dataLength;
        this.dataStart = dataStart;
        this.source = source;
        Map<String, Entry> map = new LinkedHashMap<>();
        for (Entry e : entries) map.put(e.name(), e);
        this.byName = Collections.unmodifiableMap(map);
    }

    /**
     * Checks the 8-byte header length read from the start of the file before anything is allocated.
     *
     * @param fileSize total size in bytes, or -1 when reading a stream of unknown length
     * @return the header length as an int
     */
    static int checkHeaderLength(long n, long fileSize, String source) {
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new SafetensorsFormatException(source, 0, "header length " + Long.toUnsignedString(n)
                    + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes; not a safetensors file or corrupt");
        }
        if (fileSize >= 0 && n > fileSize - 8) {
            throw new SafetensorsFormatException(source, 0, "header length " + n + " runs past the end of the file: expected at most "
                    + (fileSize - 8) + " (file is " + fileSize + " bytes)");
        }
        return (int) n;
    }

    /** Parses and validates {@code header[0, n)}, the bytes after the 8-byte length. */
    static SafetensorsHeader parse(byte[] header, int n, String source) {
        if (n == 0 || header[0] != '{') {
            String found = n == 0 ? "an empty header" : String.format("byte 0x%02x", header[0] & 0xFF);
            throw new SafetensorsFormatException(source, 8, "header must be a JSON object starting with '{', found " + found);
        }
        Obj root = (Obj) HeaderJson.parse(header, n, source, 8);
        Map<String, String> metadata = Map.of();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Value> m : root.members().entrySet()) {
            if (m.getKey().equals(METADATA_KEY)) metadata = metadata(m.getValue(), source);
            else entries.add(entry(m.getKey(), m.getValue(), source));
        }
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() > expected) {
                throw new SafetensorsFormatException(source, e.at(), "gap in the data section: bytes [" + expected + ", " + e.begin()
                        + ") belong to no tensor (before tensor " + HeaderJson.quote(e.name())
                        + "); expected data_offsets to be contiguous");
            }
            if (e.begin() < expected) {
                throw new SafetensorsFormatException(source, e.at(), "tensor " + HeaderJson.quote(e.name()) + " data_offsets ["
                        + e.begin() + ", " + e.end() + "] overlap tensor " + HeaderJson.quote(previous.name()) + " ["
                        + previous.begin() + ", " + previous.end() + "]");
            }
            expected = e.end();
            previous = e;
        }
        return new SafetensorsHeader(Collections.unmodifiableList(entries), Collections.unmodifiableList(sorted),
                metadata, expected, 8L + n, source);
    }

    /** Checks that the data section really holds {@code actual} bytes, as the offsets require. */
    void checkDataLength(long actual) {
        if (actual < dataLength) {
            for (Entry e : byOffset) {
                if (e.end() > actual) {
                    throw new SafetensorsFormatException(source, e.at(), "truncated file or offsets out of range: tensor "
                            + HeaderJson.quote(e.name()) + " data_offsets [" + e.begin() + ", " + e.end()
                            + "] end past the data section, which holds " + actual + " bytes (expected " + dataLength + ")");
                }
            }
        }
        if (actual > dataLength) {
            throw new SafetensorsFormatException(source, dataStart + dataLength, (actual - dataLength)
                    + " bytes of trailing data after the last tensor: expected the data section to end at byte " + (dataStart + dataLength));
        }
    }

    private static Map<String, String> metadata(Value v, String source) {
        if (!(v instanceof Obj o)) throw new SafetensorsFormatException(source, 8L + v.offset(), METADATA_KEY + " must be an object of strings");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Value> m : o.members().entrySet()) {
            if (!(m.getValue() instanceof Str s)) {
                throw new SafetensorsFormatException(source, 8L + m.getValue().offset(), METADATA_KEY + " value for "
                        + HeaderJson.quote(m.getKey()) + " must be a string");
            }
            out.put(m.getKey(), s.value());
        }
        return Collections.unmodifiableMap(out);
    }

    private static Entry entry(String name, Value v, String source) {
        String what = "tensor " + HeaderJson.quote(name);
        if (!(v instanceof Obj o)) {
            throw new SafetensorsFormatException(source, 8L + v.offset(), what + " must be an object with dtype, shape and data_offsets");
        }
        for (String key : o.members().keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw new SafetensorsFormatException(source, 8L + o.members().get(key).offset(), what + " has unknown key "
                        + HeaderJson.quote(key) + ": expected only dtype, shape and data_offsets");
            }
        }
        Value dt = require(o, "dtype", what, source);
        if (!(dt instanceof Str s)) throw new SafetensorsFormatException(source, 8L + dt.offset(), what + " dtype must be a string");
        DType dtype;
        try {
            dtype = DType.fromName(s.value());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(source, 8L + dt.offset(), what + ": " + e.getMessage());
        }
        long[] dims = integers(require(o, "shape", what, source), -1, what + " shape", source);
        int[] shape = new int[dims.length];
        long numel = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] > Integer.MAX_VALUE) {
                throw new SafetensorsFormatException(source, 8L + o.members().get("shape").offset(), what + " dimension "
                        + dims[i] + " exceeds " + Integer.MAX_VALUE);
            }
            shape[i] = (int) dims[i];
            numel = multiply(numel, dims[i], source, o, what + " shape " + Arrays.toString(dims) + " has more elements than fit in 63 bits");
        }
        Value offsetsValue = require(o, "data_offsets", what, source);
        long[] offsets = integers(offsetsValue, 2, what + " data_offsets", source);
        long at = 8L + offsetsValue.offset();
        if (offsets[1] < offsets[0]) {
            throw new SafetensorsFormatException(source, at, what + " data_offsets [" + offsets[0] + ", " + offsets[1] + "] end before they begin");
        }
        long bytes = multiply(numel, dtype.byteSize(), source, o, what + " shape " + Arrays.toString(dims) + " needs more bytes than fit in 63 bits");
        if (offsets[1] - offsets[0] != bytes) {
            throw new SafetensorsFormatException(source, at, what + " (" + dtype + " " + Arrays.toString(shape) + ") needs " + bytes
                    + " bytes but data_offsets [" + offsets[0] + ", " + offsets[1] + "] span " + (offsets[1] - offsets[0]));
        }
        return new Entry(name, dtype, shape, numel, offsets[0], offsets[1], at);
    }

    private static Value require(Obj o, String key, String what, String source) {
        Value v = o.members().get(key);
        if (v == null) throw new SafetensorsFormatException(source, 8L + o.offset(), what + " is missing \"" + key + "\"");
        return v;
    }

    /** A JSON array of non-negative integers, of the given length unless {@code length < 0}. */
    private static long[] integers(Value v, int length, String what, String source) {
        if (!(v instanceof Arr a)) throw new SafetensorsFormatException(source, 8L + v.offset(), what + " must be an array of integers");
        if (length >= 0 && a.items().size() != length) {
            throw new SafetensorsFormatException(source, 8L + v.offset(), what + " must have " + length + " elements, found " + a.items().size());
        }
        long[] out = new long[a.items().size()];
        for (int i = 0; i < out.length; i++) {
            Value item = a.items().get(i);
            if (!(item instanceof Num num) || num.value() < 0) {
                throw new SafetensorsFormatException(source, 8L + item.offset(), what + " must hold non-negative integers");
            }
            out[i] = num.value();
        }
        return out;
    }

    private static long multiply(long a, long b, String source, Obj o, String problem) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException(source, 8L + o.offset(), problem);
        }
    }
}
