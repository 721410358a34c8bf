package dev.tersor.nn.io;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON subset a safetensors header needs, parsed straight from its UTF-8 bytes: objects
 * (member order kept, duplicate keys rejected), arrays, strings (every escape, {@code \\uXXXX}
 * with surrogate pairs; unpaired surrogates, raw control characters and invalid UTF-8 rejected)
 * and integers that fit a {@code long}. Fractions, exponents, {@code true}, {@code false} and
 * {@code null} never occur in a header and are rejected. Nesting is limited to {@link #MAX_DEPTH}
 * and arrays to {@link #MAX_ARRAY_LENGTH} elements, so a hostile header costs memory in
 * proportion to its (bounded) size and no deep recursion.
 *
 * <p>Every value remembers its byte offset; errors report {@code base + offset}, the position
 * in the file.
 */
final class HeaderJson {
    static final int MAX_DEPTH = 64;
    static final int MAX_ARRAY_LENGTH = 1024;

    /** A parsed value and the offset of its first byte within the parsed bytes. */
    sealed interface Value permits Obj, Arr, Str, Num {
        int offset();
    }

    record Obj(Map<String, Value> members, int offset) implements Value {
    }

    record Arr(List<Value> items, int offset) implements Value {
    }

    record Str(String value, int offset) implements Value {
    }

    record Num(long value, int offset) implements Value {
    }

    private final byte[] b;
    private final int end;
    private final String source;
    private final long base;
    private int pos;

    private HeaderJson(byte[] b, int end, String source, long base) {
        this.b = b;
        this.end = end;
        this.source = source;
        this.base = base;
    }

    /**
     * Parses {@code bytes[0, length)} as one JSON value followed only by whitespace.
     *
     * @param base offset of {@code bytes[0]} in the file, for error messages
     */
    static Value parse(byte[] bytes, int length, String source, long base) {
        HeaderJson p = new HeaderJson(bytes, length, source, base);
        p.skipWhitespace();
        Value v = p.value(0);
        p.skipWhitespace();
        if (p.pos < p.end) throw p.error(p.pos, "unexpected " + p.describe(p.pos) + " after the end of the JSON value");
        return v;
    }

    private Value value(int depth) {
        if (depth >= MAX_DEPTH) throw error(pos, "JSON nested deeper than " + MAX_DEPTH + " levels");
        if (pos >= end) throw error(pos, "unexpected end of header: expected a JSON value");
        int c = b[pos];
        if (c == '{') return object(depth);
        if (c == '[') return array(depth);
        if (c == '"') {
            int start = pos;
            return new Str(string(), start);
        }
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        throw error(pos, "unexpected " + describe(pos) + ": expected an object, array, string or integer");
    }

    private Obj object(int depth) {
        int start = pos++;
        Map<String, Value> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return new Obj(Collections.unmodifiableMap(members), start);
        }
        while (true) {
            skipWhitespace();
            int keyAt = pos;
            if (peek() != '"') throw error(pos, "unexpected " + describe(pos) + ": expected a string key");
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Value v = value(depth + 1);
            if (members.putIfAbsent(key, v) != null) throw error(keyAt, "duplicate key " + quote(key));
            skipWhitespace();
            int c = peek();
            pos++;
            if (c == '}') return new Obj(Collections.unmodifiableMap(members), start);
            if (c != ',') throw error(pos - 1, "unexpected " + describe(pos - 1) + ": expected ',' or '}' in object");
        }
    }

    private Arr array(int depth) {
        int start = pos++;
        List<Value> items = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return new Arr(Collections.unmodifiableList(items), start);
        }
        while (true) {
            skipWhitespace();
            if (items.size() == MAX_ARRAY_LENGTH) throw error(pos, "array longer than " + MAX_ARRAY_LENGTH + " elements");
            items.add(value(depth + 1));
            skipWhitespace();
            int c = peek();
            pos++;
            if (c == ']') return new Arr(Collections.unmodifiableList(items), start);
            if (c != ',') throw error(pos - 1, "unexpected " + describe(pos - 1) + ": expected ',' or ']' in array");
        }
    }

    /** Reads a string starting at the opening quote; leaves pos after the closing quote. */
    private String string() {
        int start = pos++;
        StringBuilder sb = new StringBuilder();
        int run = pos;                                  // start of the raw UTF-8 run not yet decoded
        while (true) {
            if (pos >= end) throw error(start, "unterminated string");
            int c = b[pos] & 0xFF;
            if (c == '"' || c == '\\') {
                appendUtf8(sb, run, pos);
                if (c == '"') {
                    pos++;
                    return sb.toString();
                }
                escape(sb);
                run = pos;
            } else if (c < 0x20) {
                throw error(pos, "raw control character 0x" + Integer.toHexString(c) + " in string: expected it escaped");
            } else {
                pos++;
            }
        }
    }

    private void escape(StringBuilder sb) {
        int at = pos++;
        if (pos >= end) throw error(at, "unterminated escape sequence");
        int c = b[pos++];
        switch (c) {
            case '"' -> sb.append('"');
            case '\\' -> sb.append('\\');
            case '/' -> sb.append('/');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'n' -> sb.append('\n');
            case 'r' -> sb.append('\r');
            case 't' -> sb.append('\t');
            case 'u' -> {
                char ch = hex4(at);
                if (Character.isHighSurrogate(ch)) {
                    if (pos + 1 < end && b[pos] == '\\' && b[pos + 1] == 'u') {
                        int lowAt = pos;
                        pos += 2;
                        char low = hex4(lowAt);
                        if (!Character.isLowSurrogate(low)) {
                            throw error(lowAt, "\\u" + hex(ch) + " (high surrogate) followed by \\u" + hex(low) + ": expected a low surrogate \\uDC00-\\uDFFF");
                        }
                        sb.append(ch).append(low);
                    } else {
                        throw error(at, "unpaired high surrogate \\u" + hex(ch) + ": expected a low surrogate escape after it");
                    }
                } else if (Character.isLowSurrogate(ch)) {
                    throw error(at, "unpaired low surrogate \\u" + hex(ch));
                } else {
                    sb.append(ch);
                }
            }
            default -> throw error(at, "invalid escape \\" + (c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : "0x" + Integer.toHexString(c & 0xFF))
                    + ": expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
        }
    }

    private char hex4(int escapeAt) {
        if (pos + 4 > end) throw error(escapeAt, "truncated \\u escape: expected 4 hex digits");
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(b[pos + i], 16);
            if (d < 0 || b[pos + i] < 0) throw error(pos + i, "unexpected " + describe(pos + i) + " in \\u escape: expected a hex digit");
            v = v << 4 | d;
        }
        pos += 4;
        return (char) v;
    }

    private void appendUtf8(StringBuilder sb, int from, int to) {
        if (from == to) return;
        try {
            sb.append(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, from, to - from)));
        } catch (CharacterCodingException e) {
            throw error(from, "string is not valid UTF-8");
        }
    }

    private Num number() {
        int start = pos;
        boolean negative = b[pos] == '-';
        if (negative) pos++;
        if (pos >= end || b[pos] < '0' || b[pos] > '9') throw error(start, "'-' not followed by a digit");
        if (b[pos] == '0' && pos + 1 < end && b[pos + 1] >= '0' && b[pos + 1] <= '9') {
            throw error(start, "number with a leading zero");
        }
        long v = 0;                                     // accumulated negatively: reaches Long.MIN_VALUE
        while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
            int d = b[pos] - '0';
            if (v < (Long.MIN_VALUE + d) / 10) throw error(start, "integer " + token(start) + " does not fit in 64 bits");
            v = v * 10 - d;
            pos++;
        }
        if (pos < end && (b[pos] == '.' || b[pos] == 'e' || b[pos] == 'E')) {
            throw error(start, "number " + token(start) + " is not an integer: expected an integer");
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) throw error(start, "integer " + token(start) + " does not fit in 64 bits");
            v = -v;
        }
        return new Num(v, start);
    }

    private void expect(char c) {
        if (peek() != c) throw error(pos, "unexpected " + describe(pos) + ": expected '" + c + "'");
        pos++;
    }

    private int peek() {
        return pos < end ? b[pos] : -1;
    }

    private void skipWhitespace() {
        while (pos < end && (b[pos] == ' ' || b[pos] == '\t' || b[pos] == '\n' || b[pos] == '\r')) pos++;
    }

    private String token(int start) {
        int e = start;
        while (e < end && e - start < 40 && (b[e] == '-' || b[e] == '+' || b[e] == '.' || Character.isLetterOrDigit(b[e]))) e++;
        return new String(b, start, e - start, StandardCharsets.US_ASCII);
    }

    private String describe(int at) {
        if (at >= end) return "end of header";
        int c = b[at] & 0xFF;
        return c >= 0x21 && c < 0x7F ? "'" + (char) c + "'" : "byte 0x" + String.format("%02x", c);
    }

    private static String hex(char c) {
        return String.format("%04X", (int) c);
    }

    static String quote(String s) {
        return '"' + s + '"';
    }

    private SafetensorsFormatException error(int at, String problem) {
        return new SafetensorsFormatException(source, base + at, problem);
    }
}
