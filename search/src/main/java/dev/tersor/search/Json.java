package dev.tersor.search;

import dev.tersor.nn.io.JsonFormatException;
import dev.tersor.nn.io.JsonReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * This package's JSON: parsing through the project's one strict parser
 * ({@link dev.tersor.nn.io.JsonReader}: duplicate keys, trailing content, comments, NaN and
 * unescaped control characters are errors naming the byte offset; depth and sizes bounded),
 * giving objects (member order kept) as {@code Map}, arrays as {@code List}, strings, numbers as
 * {@code Long} (integers) or {@code Double}, booleans and null; plus the writing helpers and typed
 * access with clear errors.
 */
final class Json {
    private Json() {
    }

    /** Parses one JSON value; {@code what} names the source in errors (a file, "arch.json"). */
    static Object parse(String text, String what) {
        byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try {
            return plain(JsonReader.parse(utf8, utf8.length, JsonReader.Options.JSON));
        } catch (JsonFormatException e) {
            throw new IllegalArgumentException(what + ": invalid JSON " + e.getMessage(), e);
        }
    }

    private static Object plain(JsonReader.Value v) {
        if (v instanceof JsonReader.Obj o) {
            Map<String, Object> m = new LinkedHashMap<>();
            o.members().forEach((k, x) -> m.put(k, plain(x)));
            return m;
        }
        if (v instanceof JsonReader.Arr a) {
            List<Object> l = new ArrayList<>(a.items().size());
            for (JsonReader.Value x : a.items()) l.add(plain(x));
            return l;
        }
        if (v instanceof JsonReader.Str str) return str.value();
        if (v instanceof JsonReader.Num n) return n.value();
        if (v instanceof JsonReader.Real r) return r.value();
        if (v instanceof JsonReader.Bool b) return b.value();
        return null;   // JsonReader.Null
    }

    // ---- writing ----

    /** {@code s} as a JSON string literal. */
    static String quote(String s) {
        return dev.tersor.nn.io.JsonText.quote(s);
    }

    /** A finite number as JSON (shortest round-trip form), null otherwise. */
    static String number(double v) {
        if (!Double.isFinite(v)) return "null";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }

    // ---- typed access with clear errors ----

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object v, String what) {
        if (!(v instanceof Map)) throw new IllegalArgumentException(what + ": expected a JSON object, got " + describe(v));
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    static List<Object> array(Object v, String what) {
        if (!(v instanceof List)) throw new IllegalArgumentException(what + ": expected a JSON array, got " + describe(v));
        return (List<Object>) v;
    }

    static String string(Object v, String what) {
        if (!(v instanceof String s)) throw new IllegalArgumentException(what + ": expected a string, got " + describe(v));
        return s;
    }

    static long integer(Object v, String what) {
        if (!(v instanceof Long l)) throw new IllegalArgumentException(what + ": expected an integer, got " + describe(v));
        return l;
    }

    static double real(Object v, String what) {
        if (v instanceof Long l) return l;
        if (v instanceof Double d) return d;
        throw new IllegalArgumentException(what + ": expected a number, got " + describe(v));
    }

    static Object member(Map<String, Object> m, String key, String what) {
        if (!m.containsKey(key)) throw new IllegalArgumentException(what + ": missing member '" + key + "'");
        return m.get(key);
    }

    private static String describe(Object v) {
        if (v == null) return "null";
        if (v instanceof Map) return "an object";
        if (v instanceof List) return "an array";
        if (v instanceof String s) return "the string " + quote(s);
        return v.toString();
    }
}
