package dev.tersor.tensor.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON for a safetensors header: objects (as ordered {@code Map<String,Object>},
 * duplicate keys rejected), arrays ({@code List<Object>}), strings with all JSON escapes, and
 * integers ({@link Long}). Fractions, exponents, booleans and null are rejected, and so is
 * nesting deeper than {@value #MAX_DEPTH}. Errors are {@link IllegalArgumentException}s naming
 * the file and the byte offset in it.
 */
final class HeaderJson {

    static final int MAX_DEPTH = 16;
    private static final int HEADER_START = 8; // the header follows the 8-byte length field

    private final String s;
    private final String file;
    private int pos;

    private HeaderJson(String s, String file) {
        this.s = s;
        this.file = file;
    }

    /** Parses a whole header; only whitespace may follow the top-level value. */
    static Object parse(String json, String file) {
        HeaderJson p = new HeaderJson(json, file);
        p.skipSpace();
        Object v = p.value(0);
        p.skipSpace();
        if (p.pos != json.length()) {
            throw p.error("unexpected '" + json.charAt(p.pos) + "' after the top-level value");
        }
        return v;
    }

    /** "an object", "an array", "a string", "an integer" or "nothing", for error messages. */
    static String kind(Object v) {
        if (v == null) {
            return "nothing";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof String) {
            return "a string";
        }
        return "an integer";
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
        char ch = peek();
        if (ch == '{') {
            return object(depth);
        } else if (ch == '[') {
            return array(depth);
        } else if (ch == '"') {
            return string();
        } else if (ch == '-' || ch >= '0' && ch <= '9') {
            return integer();
        }
        throw error("unexpected '" + ch + "' (only objects, arrays, strings and integers are allowed)");
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> out = new LinkedHashMap<>();
        pos++; // {
        skipSpace();
        if (peek() == '}') {
            pos++;
            return out;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("expected a string key");
            }
            int keyAt = pos;
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            Object v = value(depth + 1);
            if (out.put(key, v) != null) {
                pos = keyAt;
                throw error("duplicate key '" + key + "'");
            }
            skipSpace();
            char ch = peek();
            if (ch == '}') {
                pos++;
                return out;
            }
            if (ch != ',') {
                throw error("expected ',' or '}'");
            }
            pos++;
        }
    }

    private List<Object> array(int depth) {
        List<Object> out = new ArrayList<>();
        pos++; // [
        skipSpace();
        if (peek() == ']') {
            pos++;
            return out;
        }
        while (true) {
            skipSpace();
            out.add(value(depth + 1));
            skipSpace();
            char ch = peek();
            if (ch == ']') {
                pos++;
                return out;
            }
            if (ch != ',') {
                throw error("expected ',' or ']'");
            }
            pos++;
        }
    }

    private String string() {
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            char ch = peek();
            if (ch < 0x20) {
                throw error("unescaped control character in string");
            }
            pos++;
            if (ch == '"') {
                return sb.toString();
            }
            if (ch != '\\') {
                sb.append(ch);
                continue;
            }
            char esc = peek();
            switch (esc) {
                case '"': sb.append('"'); break;
                case '\\': sb.append('\\'); break;
                case '/': sb.append('/'); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case 'u':
                    if (pos + 5 > s.length()) {
                        throw error("truncated \\u escape");
                    }
                    int code = 0;
                    for (int i = 1; i <= 4; i++) {
                        int d = Character.digit(s.charAt(pos + i), 16);
                        if (d < 0) {
                            throw error("bad \\u escape");
                        }
                        code = code * 16 + d;
                    }
                    pos += 4;
                    sb.append((char) code);
                    break;
                default:
                    throw error("bad escape '\\" + esc + "'");
            }
            pos++;
        }
    }

    private Long integer() {
        int start = pos;
        if (s.charAt(pos) == '-') {
            pos++;
        }
        int digits = pos;
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
            pos++;
        }
        if (pos == digits) {
            throw error("expected digits");
        }
        if (s.charAt(digits) == '0' && pos - digits > 1) {
            pos = start;
            throw error("leading zero in number");
        }
        if (pos < s.length() && (s.charAt(pos) == '.' || s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
            pos = start;
            throw error("only integers are allowed in the header");
        }
        try {
            return Long.parseLong(s.substring(start, pos));
        } catch (NumberFormatException e) {
            pos = start;
            throw error("integer out of range");
        }
    }

    private void skipSpace() {
        while (pos < s.length()) {
            char ch = s.charAt(pos);
            if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') {
                return;
            }
            pos++;
        }
    }

    private char peek() {
        if (pos >= s.length()) {
            throw error("unexpected end of header");
        }
        return s.charAt(pos);
    }

    private void expect(char ch) {
        if (peek() != ch) {
            throw error("expected '" + ch + "'");
        }
        pos++;
    }

    private IllegalArgumentException error(String message) {
        int at = Math.min(pos, s.length());
        int offset = HEADER_START + s.substring(0, at).getBytes(StandardCharsets.UTF_8).length;
        return Fixtures.bad(file, "header is not valid JSON: " + message + " at file offset " + offset);
    }
}
