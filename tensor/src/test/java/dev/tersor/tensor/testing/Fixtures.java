package dev.tersor.tensor.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Strict reader for the PyTorch golden fixtures in {@code src/test/resources/fixtures/}
 * (see the README there; {@code generate.py} writes them).
 *
 * <p>A fixture is a safetensors file: an 8-byte little-endian header length {@code n}, {@code n}
 * bytes of JSON header, then the data section. Every tensor is {@code F32}; tensor {@code c.name}
 * belongs to case {@code c}; the metadata holds {@code cases} and, per case, {@code c.params}
 * as {@code key=value;key=value} with integer lists written {@code a,b}.
 *
 * <pre>{@code
 * Fixtures f = Fixtures.load("conv2d.safetensors");
 * for (int c = 0; c < f.cases(); c++) {
 *     int[] stride = f.ints(c, "stride");            // {2, 1}
 *     float[] x = f.data(c, "input");                // shape f.shape(c, "input")
 *     ...
 *     Fixtures.assertClose(f.data(c, "output"), y, 1e-5, 1e-4, "conv2d case " + c);
 * }
 * }</pre>
 *
 * Anything malformed (short file, header length past the end, bad JSON, a dtype other than
 * F32, offsets out of range or not tiling the data section, a shape that does not match its
 * bytes, a missing {@code cases} or {@code c.params}) fails with an
 * {@link IllegalArgumentException} naming the file and the problem.
 */
public final class Fixtures {

    /** Classpath folder holding the fixture files. */
    public static final String RESOURCE_DIR = "/fixtures/";

    private static final int DTYPE_BYTES = 4;

    private final String name;
    private final int cases;
    private final Map<String, String> metadata;            // as stored, in header order
    private final List<Map<String, String>> params;        // per case, parsed
    private final Map<String, int[]> shapes = new LinkedHashMap<>();    // "c.name" -> shape
    private final Map<String, float[]> values = new LinkedHashMap<>();  // "c.name" -> data

    private Fixtures(String name, int cases, Map<String, String> metadata, List<Map<String, String>> params) {
        this.name = name;
        this.cases = cases;
        this.metadata = metadata;
        this.params = params;
    }

    // ------------------------------------------------------------------ loading

    /** Reads {@code /fixtures/<name>} from the test classpath. */
    public static Fixtures load(String name) {
        return parse(resourceBytes(name), name);
    }

    /** The raw bytes of {@code /fixtures/<name>} on the test classpath. */
    public static byte[] resourceBytes(String name) {
        String path = RESOURCE_DIR + name;
        try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("fixture resource " + path + " not found on the classpath"
                        + " (regenerate with /usr/bin/python3 tensor/src/test/resources/fixtures/generate.py)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalArgumentException("fixture resource " + path + " could not be read: " + e.getMessage(), e);
        }
    }

    /** Parses and validates a whole fixture file; {@code name} is used in error messages. */
    public static Fixtures parse(byte[] bytes, String name) {
        if (bytes.length < 8) {
            throw bad(name, "file is " + bytes.length + " bytes, too short for the 8-byte header length");
        }
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long available = bytes.length - 8L;
        if (Long.compareUnsigned(headerLength, available) > 0) {
            throw bad(name, "header length " + Long.toUnsignedString(headerLength) + " (at file offset 0) exceeds the "
                    + available + " bytes after the length field (file is " + bytes.length + " bytes)");
        }
        if (headerLength < 2) {
            throw bad(name, "header length " + headerLength + " (at file offset 0) is too small; expected at least 2"
                    + " for '{}'");
        }
        int dataStart = 8 + (int) headerLength;
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 8, (int) headerLength)).toString();
        } catch (CharacterCodingException e) {
            throw bad(name, "header (offset 8, " + headerLength + " bytes) is not valid UTF-8");
        }
        Object root = HeaderJson.parse(json, name);
        if (!(root instanceof Map)) {
            throw bad(name, "header JSON must be an object, got " + HeaderJson.kind(root));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> header = (Map<String, Object>) root;

        Map<String, String> metadata = readMetadata(header.get("__metadata__"), name);
        int cases = readCases(metadata, name);
        List<Map<String, String>> params = new ArrayList<>(cases);
        for (int c = 0; c < cases; c++) {
            String raw = metadata.get(c + ".params");
            if (raw == null) {
                throw bad(name, "metadata has no key '" + c + ".params' (cases=" + cases + ")");
            }
            params.add(parseParams(raw, name, c));
        }
        Fixtures f = new Fixtures(name, cases, metadata, params);
        f.readTensors(header, bytes, dataStart);
        return f;
    }

    private static Map<String, String> readMetadata(Object node, String name) {
        if (node == null) {
            throw bad(name, "header has no '__metadata__' object");
        }
        if (!(node instanceof Map)) {
            throw bad(name, "'__metadata__' must be an object of strings, got " + HeaderJson.kind(node));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) node).entrySet()) {
            if (!(e.getValue() instanceof String)) {
                throw bad(name, "'__metadata__' value for '" + e.getKey() + "' must be a string, got "
                        + HeaderJson.kind(e.getValue()));
            }
            out.put((String) e.getKey(), (String) e.getValue());
        }
        return Collections.unmodifiableMap(out);
    }

    private static int readCases(Map<String, String> metadata, String name) {
        String raw = metadata.get("cases");
        if (raw == null) {
            throw bad(name, "metadata has no 'cases' key");
        }
        try {
            int cases = Integer.parseInt(raw);
            if (cases < 0) {
                throw bad(name, "metadata 'cases' is negative: " + raw);
            }
            return cases;
        } catch (NumberFormatException e) {
            throw bad(name, "metadata 'cases' is not an integer: '" + raw + "'");
        }
    }

    private static Map<String, String> parseParams(String raw, String name, int c) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw.isEmpty()) {
            return Collections.unmodifiableMap(out);
        }
        for (String part : raw.split(";", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw bad(name, "case " + c + " params '" + raw + "': entry '" + part + "' is not key=value");
            }
            String key = part.substring(0, eq);
            if (out.put(key, part.substring(eq + 1)) != null) {
                throw bad(name, "case " + c + " params '" + raw + "': key '" + key + "' given twice");
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private void readTensors(Map<String, Object> header, byte[] bytes, int dataStart) {
        long dataLength = bytes.length - (long) dataStart;
        List<String> names = new ArrayList<>();
        Map<String, long[]> offsets = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : header.entrySet()) {
            String tensor = e.getKey();
            if (tensor.equals("__metadata__")) {
                continue;
            }
            checkTensorName(tensor);
            if (!(e.getValue() instanceof Map)) {
                throw bad(name, "tensor '" + tensor + "' entry must be an object, got " + HeaderJson.kind(e.getValue()));
            }
            Map<?, ?> entry = (Map<?, ?>) e.getValue();
            for (Object key : entry.keySet()) {
                if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                    throw bad(name, "tensor '" + tensor + "' has unexpected key '" + key + "'");
                }
            }
            Object dtype = entry.get("dtype");
            if (!"F32".equals(dtype)) {
                throw bad(name, "tensor '" + tensor + "' has dtype " + (dtype instanceof String ? dtype : HeaderJson.kind(dtype))
                        + "; only F32 is supported");
            }
            long[] shape = longList(entry.get("shape"), tensor, "shape", -1);
            long[] range = longList(entry.get("data_offsets"), tensor, "data_offsets", 2);
            int[] dims = new int[shape.length];
            long numel = 1;
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE) {
                    throw bad(name, "tensor '" + tensor + "' has invalid dimension " + shape[i] + " in shape "
                            + Arrays.toString(shape));
                }
                dims[i] = (int) shape[i];
                numel *= shape[i];
                if (numel > Integer.MAX_VALUE) {
                    throw bad(name, "tensor '" + tensor + "' shape " + Arrays.toString(shape) + " is too large");
                }
            }
            long begin = range[0];
            long end = range[1];
            if (begin < 0 || end < begin || end > dataLength) {
                throw bad(name, "tensor '" + tensor + "' data_offsets [" + begin + "," + end + "] out of range:"
                        + " the data section (file offset " + dataStart + ") holds " + dataLength + " bytes");
            }
            if (end - begin != numel * DTYPE_BYTES) {
                throw bad(name, "tensor '" + tensor + "' shape " + Arrays.toString(dims) + " needs "
                        + numel * DTYPE_BYTES + " bytes but data_offsets [" + begin + "," + end + "] span "
                        + (end - begin));
            }
            names.add(tensor);
            offsets.put(tensor, range);
            shapes.put(tensor, dims);
        }
        // The tensors must tile the data section exactly: no gaps, no overlaps, no trailing bytes.
        List<String> byOffset = new ArrayList<>(names);
        byOffset.sort(Comparator.comparingLong(t -> offsets.get(t)[0]));
        long expected = 0;
        String previous = null;
        for (String tensor : byOffset) {
            long begin = offsets.get(tensor)[0];
            if (begin != expected) {
                throw bad(name, "tensor '" + tensor + "' starts at data offset " + begin + " (file offset "
                        + (dataStart + begin) + ") but " + (previous == null ? "the data section starts at 0"
                        : "'" + previous + "' ends at " + expected) + (begin < expected ? ": overlap" : ": gap"));
            }
            expected = offsets.get(tensor)[1];
            previous = tensor;
        }
        if (expected != dataLength) {
            throw bad(name, "tensors cover " + expected + " bytes of the data section but it holds " + dataLength
                    + " (file offset " + (dataStart + expected) + " onwards is unaccounted for)");
        }
        ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (String tensor : names) {
            int begin = dataStart + (int) offsets.get(tensor)[0];
            float[] v = new float[(int) ((offsets.get(tensor)[1] - offsets.get(tensor)[0]) / DTYPE_BYTES)];
            for (int i = 0; i < v.length; i++) {
                v[i] = data.getFloat(begin + i * DTYPE_BYTES);
            }
            values.put(tensor, v);
        }
    }

    private void checkTensorName(String tensor) {
        int dot = tensor.indexOf('.');
        int c = -1;
        if (dot > 0 && dot < tensor.length() - 1) {
            try {
                c = Integer.parseInt(tensor.substring(0, dot));
            } catch (NumberFormatException e) {
                c = -1;
            }
        }
        if (c < 0) {
            throw bad(name, "tensor name '" + tensor + "' is not '<case>.<name>'");
        }
        if (c >= cases) {
            throw bad(name, "tensor '" + tensor + "' belongs to case " + c + " but the file declares cases=" + cases);
        }
    }

    private long[] longList(Object node, String tensor, String field, int requiredLength) {
        if (!(node instanceof List)) {
            throw bad(name, "tensor '" + tensor + "' " + field + " must be an array of integers, got " + HeaderJson.kind(node));
        }
        List<?> list = (List<?>) node;
        if (requiredLength >= 0 && list.size() != requiredLength) {
            throw bad(name, "tensor '" + tensor + "' " + field + " must have " + requiredLength + " entries, got "
                    + list.size());
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long)) {
                throw bad(name, "tensor '" + tensor + "' " + field + "[" + i + "] must be an integer, got "
                        + HeaderJson.kind(list.get(i)));
            }
            out[i] = (Long) list.get(i);
        }
        return out;
    }

    // ------------------------------------------------------------------ access

    /** The file name given to {@link #load} or {@link #parse}. */
    public String name() {
        return name;
    }

    /** Number of cases (metadata key {@code cases}). */
    public int cases() {
        return cases;
    }

    /** All {@code __metadata__} entries as stored (cases, c.params, torch, generator). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Case {@code c}'s parameters, parsed from {@code key=value;key=value}; unmodifiable, in file order. */
    public Map<String, String> params(int c) {
        checkCase(c);
        return params.get(c);
    }

    /** One parameter as a string; fails when the case lacks it. */
    public String param(int c, String key) {
        String v = params(c).get(key);
        if (v == null) {
            throw bad(name, "case " + c + " has no param '" + key + "' (has " + params(c).keySet() + ")");
        }
        return v;
    }

    /** An integer or integer-list parameter: {@code stride=2,1} gives {2, 1}, {@code groups=2} gives {2}. */
    public int[] ints(int c, String key) {
        String v = param(c, key);
        String[] parts = v.split(",", -1);
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw bad(name, "case " + c + " param " + key + "='" + v + "' is not an integer list");
            }
        }
        return out;
    }

    /** Whether case {@code c} stores tensor {@code tensor} (e.g. {@code "bias"}). */
    public boolean has(int c, String tensor) {
        checkCase(c);
        return values.containsKey(c + "." + tensor);
    }

    /** Names of the tensors stored for case {@code c} (without the {@code c.} prefix), sorted. */
    public Set<String> tensors(int c) {
        checkCase(c);
        String prefix = c + ".";
        Set<String> out = new TreeSet<>();
        for (String key : values.keySet()) {
            if (key.startsWith(prefix)) {
                out.add(key.substring(prefix.length()));
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /** A fresh copy of tensor {@code c.tensor}'s values, row-major. */
    public float[] data(int c, String tensor) {
        return lookup(values, c, tensor).clone();
    }

    /** A fresh copy of tensor {@code c.tensor}'s shape ({@code []} for a scalar). */
    public int[] shape(int c, String tensor) {
        return lookup(shapes, c, tensor).clone();
    }

    private <T> T lookup(Map<String, T> map, int c, String tensor) {
        checkCase(c);
        T v = map.get(c + "." + tensor);
        if (v == null) {
            throw bad(name, "case " + c + " has no tensor '" + tensor + "' (has " + tensors(c) + ")");
        }
        return v;
    }

    private void checkCase(int c) {
        if (c < 0 || c >= cases) {
            throw bad(name, "case " + c + " out of range [0, " + cases + ")");
        }
    }

    @Override
    public String toString() {
        return "Fixtures[" + name + ", " + cases + " cases, " + values.size() + " tensors]";
    }

    // ------------------------------------------------------------------ comparison

    /**
     * Asserts {@code |actual[i] - expected[i]| <= atol + rtol * |expected[i]|} for every i (NaN
     * matches only NaN). On failure the message names {@code what}, the first bad index, both
     * values, the number of bad elements and the max abs error with its index.
     */
    public static void assertClose(float[] expected, float[] actual, double atol, double rtol, String what) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": length mismatch, expected " + expected.length + " elements, actual "
                    + actual.length);
        }
        int first = -1;
        int bad = 0;
        int maxAt = -1;
        double maxErr = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            boolean ok;
            double err;
            if (Double.isNaN(e) || Double.isNaN(a)) {
                ok = Double.isNaN(e) && Double.isNaN(a);
                err = ok ? 0 : Double.POSITIVE_INFINITY;
            } else if (Double.isInfinite(e) || Double.isInfinite(a)) {
                ok = e == a;
                err = ok ? 0 : Double.POSITIVE_INFINITY;
            } else {
                err = Math.abs(a - e);
                ok = err <= atol + rtol * Math.abs(e);
            }
            if (err > maxErr || maxAt < 0 && err == maxErr) {
                maxErr = err;
                maxAt = i;
            }
            if (!ok) {
                bad++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (first >= 0) {
            throw new AssertionError(String.format(
                    "%s: %d of %d elements differ (atol=%g, rtol=%g); first at index %d: expected %s, actual %s"
                            + " (abs error %g); max abs error %g at index %d",
                    what, bad, expected.length, atol, rtol, first, expected[first], actual[first],
                    Math.abs((double) actual[first] - expected[first]), maxErr, maxAt));
        }
    }

    static IllegalArgumentException bad(String file, String message) {
        return new IllegalArgumentException("fixture " + file + ": " + message);
    }
}
