package dev.tersor.search;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The small strict JSON reader and writer of this package ({@code dev.tersor.nn.io} has no
 * public parser): objects (member order kept, duplicate keys rejected) as {@code Map}, arrays
 * as {@code List}, strings, numbers as {@code Long} (integers) or {@code Double}, booleans and
 * null. Trailing content, comments, trailing commas, NaN and unescaped control characters are
 * errors that name the offset.
 */
final class Json {
    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /** Parses one JSON value; {@code what} names the source in errors (a file, "arch.json"). */
    static Object parse(String text, String what) {
        Json j = new Json(text);
        try {
            Object v = j.value(0);
            j.space();
            if (j.pos != text.length()) throw j.error("unexpected content after the value");
            return v;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": invalid JSON: " + e.getMessage(), e);
        }
    }

    private Object value(int depth) {
        if (depth > 32) throw error("nested deeper than 32 levels");
        space();
        if (pos >= text.length()) throw error("unexpected end, expected a value");
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return number();
                throw error("unexpected character '" + c + "'");
        }
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        pos++;
        space();
        if (peek('}')) return m;
        while (true) {
            space();
            if (pos >= text.length() || text.charAt(pos) != '"') throw error("expected a member name in quotes");
            int at = pos;
            String key = string();
            space();
            expect(':');
            Object v = value(depth + 1);
            if (m.containsKey(key)) throw new IllegalArgumentException("duplicate key '" + key + "' at offset " + at);
            m.put(key, v);
            space();
            if (peek('}')) return m;
            expect(',');
        }
    }

    private List<Object> array(int depth) {
        List<Object> a = new ArrayList<>();
        pos++;
        space();
        if (peek(']')) return a;
        while (true) {
            a.add(value(depth + 1));
            space();
            if (peek(']')) return a;
            expect(',');
        }
    }

    private String string() {
        StringBuilder sb = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= text.length()) throw error("unterminated string");
            char c = text.charAt(pos++);
            if (c == '"') return sb.toString();
            if (c < 0x20) throw error("raw control character in a string");
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) throw error("unterminated escape");
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) throw error("short \\u escape");
                    try {
                        sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                }
                default -> throw error("bad escape '\\" + e + "'");
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peek('-')) { /* sign consumed */ }
        int digits = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
        if (pos == digits) throw error("expected digits");
        if (text.charAt(digits) == '0' && pos - digits > 1) throw error("leading zero in a number");
        boolean integer = true;
        if (pos < text.length() && text.charAt(pos) == '.') {
            integer = false;
            int f = ++pos;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
            if (pos == f) throw error("expected digits after '.'");
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            integer = false;
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) pos++;
            int e = pos;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
            if (pos == e) throw error("expected exponent digits");
        }
        String s = text.substring(start, pos);
        if (integer) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("integer " + s + " does not fit a long at offset " + start);
            }
        }
        return Double.parseDouble(s);
    }

    private Object literal(String word, Object v) {
        if (!text.startsWith(word, pos)) throw error("unexpected literal");
        pos += word.length();
        return v;
    }

    private void space() {
        while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) pos++;
    }

    private boolean peek(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!peek(c)) throw error("expected '" + c + "'");
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException(message + " at offset " + pos);
    }

    // ---- writing ----

    /** {@code s} as a JSON string literal. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
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
