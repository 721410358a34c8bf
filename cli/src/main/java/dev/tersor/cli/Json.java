package dev.tersor.cli;

import dev.tersor.nn.io.JsonFormatException;
import dev.tersor.nn.io.JsonReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON for benchmark reports: a single-line writer for maps, lists, strings, numbers,
 * booleans and null, and a strict reader for the same (used by tests and by tools that read the
 * reports back) on top of the project's one JSON parser, {@link JsonReader}. Non-finite numbers
 * are written as {@code null}.
 *
 * <pre>{@code
 * Json.write(Map.of("median_ms", 2.5))   // {"median_ms":2.5}
 * Json.parse("{\"a\":[1,true]}")         // {a=[1.0, true]}: objects → LinkedHashMap, numbers → Double
 * }</pre>
 */
final class Json {

    private Json() {
    }

    /** One line of JSON for {@code value}. */
    static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            quote(sb, s);
        } else if (v instanceof Boolean b) {
            sb.append(b);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) sb.append("null");
            else if (d == 0 && 1 / d < 0) sb.append("-0.0");                    // (long) -0.0 would drop the sign
            else if (d == Math.rint(d) && Math.abs(d) < 1e15) sb.append((long) d).append(".0");
            else sb.append(d);
        } else if (v instanceof Number n) {
            sb.append(n.longValue());
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) sb.append(',');
                first = false;
                quote(sb, String.valueOf(e.getKey()));
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof Iterable<?> it) {
            sb.append('[');
            boolean first = true;
            for (Object o : it) {
                if (!first) sb.append(',');
                first = false;
                write(sb, o);
            }
            sb.append(']');
        } else {
            quote(sb, v.toString());
        }
    }

    private static void quote(StringBuilder sb, String s) {
        dev.tersor.nn.io.JsonText.appendString(sb, s);
    }

    /**
     * Reads one JSON value with the project's strict parser ({@link JsonReader}, limits
     * {@link JsonReader.Options#JSON}): objects become {@link LinkedHashMap} (a duplicate key is
     * an error), arrays {@link ArrayList}, numbers {@link Double}. Throws
     * {@link IllegalArgumentException} naming the (character) offset of the first error.
     */
    static Object parse(String text) {
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer encoded;
        try {
            encoded = encoder.encode(CharBuffer.wrap(text));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("bad JSON at offset " + unpairedSurrogate(text) + ": unpaired surrogate character", e);
        }
        byte[] utf8 = new byte[encoded.remaining()];
        encoded.get(utf8);
        try {
            return java(JsonReader.parse(utf8, utf8.length, JsonReader.Options.JSON));
        } catch (JsonFormatException e) {
            throw new IllegalArgumentException("bad JSON at offset " + charOffset(utf8, e.offset()) + ": " + e.problem(), e);
        }
    }

    private static Object java(JsonReader.Value v) {
        if (v instanceof JsonReader.Obj o) {
            Map<String, Object> m = new LinkedHashMap<>();
            o.members().forEach((k, x) -> m.put(k, java(x)));
            return m;
        }
        if (v instanceof JsonReader.Arr a) {
            List<Object> l = new ArrayList<>(a.items().size());
            for (JsonReader.Value x : a.items()) l.add(java(x));
            return l;
        }
        if (v instanceof JsonReader.Str s) return s.value();
        if (v instanceof JsonReader.Num n) return (double) n.value();
        if (v instanceof JsonReader.Real r) return r.value();
        if (v instanceof JsonReader.Bool b) return b.value();
        return null;                                    // JsonReader.Null
    }

    /** The index in the string of the character that holds UTF-8 byte {@code offset}. */
    private static int charOffset(byte[] utf8, int offset) {
        int chars = 0;
        for (int i = 0; i < offset && i < utf8.length; i++) {
            int c = utf8[i] & 0xFF;
            if ((c & 0xC0) != 0x80) chars++;            // not a continuation byte
            if (c >= 0xF0) chars++;                     // a 4-byte sequence is a surrogate pair
        }
        return chars;
    }

    private static int unpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
            else if (Character.isSurrogate(c)) return i;
        }
        return -1;
    }
}
