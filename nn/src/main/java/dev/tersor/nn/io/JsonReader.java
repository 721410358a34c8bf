package dev.tersor.nn.io;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The project's one JSON parser (RFC 8259, strict), reading UTF-8 bytes into a tree of
 * {@link Value}s that remember their byte offsets. It is in-house so that the self-contained
 * jar stays small and depends on nothing; safetensors headers ({@code nn.io}) and the CLI's
 * reports ({@code cli/Json}) both read through it.
 *
 * <p>Strict: objects keep member order and reject duplicate keys; strings accept every escape,
 * {@code \\uXXXX} with surrogate pairs, and reject unpaired surrogates, raw control characters
 * and invalid UTF-8; numbers follow the JSON grammar (no leading zeros, no {@code +}, no
 * {@code NaN}) and must be finite; only space, tab, CR and LF are whitespace. {@link Options}
 * bound the nesting depth (no deep recursion), array length, string bytes and number length,
 * and can restrict the grammar to integers without literals (the safetensors header dialect).
 * The tree costs at most about 64 bytes of heap per input byte.
 */
public final class JsonReader {
    /** A parsed value and the offset of its first byte within the parsed bytes. */
    public sealed interface Value permits Obj, Arr, Str, Num, Real, Bool, Null {
        int offset();
    }

    /** An object: members in input order, unmodifiable. */
    public record Obj(Map<String, Value> members, int offset) implements Value {
    }

    /** An array, unmodifiable. */
    public record Arr(List<Value> items, int offset) implements Value {
    }

    public record Str(String value, int offset) implements Value {
    }

    /** A number written without fraction or exponent that fits a {@code long}. */
    public record Num(long value, int offset) implements Value {
    }

    /** Any other (finite) number. */
    public record Real(double value, int offset) implements Value {
    }

    public record Bool(boolean value, int offset) implements Value {
    }

    public record Null(int offset) implements Value {
    }

    /**
     * What the parser accepts.
     *
     * @param inputName what the text is, in messages ("unexpected end of header")
     * @param maxDepth deepest nesting of arrays and objects
     * @param maxArrayLength most elements in one array
     * @param maxStringBytes most UTF-8 bytes (as written, escapes included) in one string
     * @param maxNumberLength most characters in one number
     * @param integersOnly accept only integers that fit a {@code long}, and no {@code true},
     *                     {@code false} or {@code null}
     */
    public record Options(String inputName, int maxDepth, int maxArrayLength, int maxStringBytes, int maxNumberLength,
                          boolean integersOnly) {
        /** General JSON: depth 64, arrays of 2^20 elements, strings of 1 MiB, numbers of 64 characters. */
        public static final Options JSON = new Options("input", 64, 1 << 20, 1 << 20, 64, false);

        public Options {
            Objects.requireNonNull(inputName, "inputName");
            if (maxDepth < 1 || maxArrayLength < 1 || maxStringBytes < 1 || maxNumberLength < 1) {
                throw new IllegalArgumentException("JSON limits must be positive, got depth " + maxDepth + ", array length "
                        + maxArrayLength + ", string bytes " + maxStringBytes + ", number length " + maxNumberLength);
            }
        }
    }

    private final byte[] b;
    private final int end;
    private final Options options;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private int pos;

    private JsonReader(byte[] b, int end, Options options) {
        this.b = b;
        this.end = end;
        this.options = options;
    }

    /**
     * Parses {@code utf8[0, length)} as one JSON value followed only by whitespace.
     *
     * @throws JsonFormatException naming the byte offset of the first problem
     */
    public static Value parse(byte[] utf8, int length, Options options) {
        Objects.checkFromIndexSize(0, length, utf8.length);
        JsonReader p = new JsonReader(utf8, length, options);
        p.skipWhitespace();
        Value v = p.value(0);
        p.skipWhitespace();
        if (p.pos < p.end) throw p.error(p.pos, "unexpected " + p.describe(p.pos) + " after the end of the JSON value");
        return v;
    }

    private Value value(int depth) {
        if (depth >= options.maxDepth()) throw error(pos, "JSON nested deeper than " + options.maxDepth() + " levels");
        if (pos >= end) throw error(pos, "unexpected end of " + options.inputName() + ": expected a JSON value");
        int c = b[pos];
        if (c == '{') return object(depth);
        if (c == '[') return array(depth);
        if (c == '"') {
            int start = pos;
            return new Str(string(), start);
        }
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        if (!options.integersOnly()) {
            int start = pos;
            if (literal("true")) return new Bool(true, start);
            if (literal("false")) return new Bool(false, start);
            if (literal("null")) return new Null(start);
        }
        throw error(pos, "unexpected " + describe(pos) + ": expected an object, array, string or "
                + (options.integersOnly() ? "integer" : "number, true, false or null"));
    }

    private boolean literal(String word) {
        if (end - pos < word.length()) return false;
        for (int i = 0; i < word.length(); i++) if (b[pos + i] != word.charAt(i)) return false;
        pos += word.length();
        return true;
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
            if (items.size() == options.maxArrayLength()) {
                throw error(pos, "array longer than " + options.maxArrayLength() + " elements");
            }
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
            if (pos - start > options.maxStringBytes()) {
                throw error(start, "string longer than " + options.maxStringBytes() + " bytes");
            }
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
                            throw error(lowAt, "\\u" + hex(ch) + " (high surrogate) followed by \\u" + hex(low)
                                    + ": expected a low surrogate \\uDC00-\\uDFFF");
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
        boolean ascii = true;
        for (int i = from; i < to && ascii; i++) ascii = b[i] >= 0;
        if (ascii) {
            for (int i = from; i < to; i++) sb.append((char) b[i]);
            return;
        }
        try {
            CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(b, from, to - from));
            sb.append(chars);
        } catch (CharacterCodingException e) {
            throw error(from, "string is not valid UTF-8");
        }
    }

    private Value number() {
        int start = pos;
        boolean negative = b[pos] == '-';
        if (negative) pos++;
        if (!digitAt(pos)) throw error(start, "'-' not followed by a digit");
        if (b[pos] == '0' && digitAt(pos + 1)) throw error(start, "number with a leading zero");
        while (digitAt(pos)) pos++;
        boolean integer = true;
        if (pos < end && b[pos] == '.') {
            integer = false;
            if (options.integersOnly()) throw error(start, "number " + token(start) + " is not an integer: expected an integer");
            if (!digitAt(++pos)) throw error(pos, "unexpected " + describe(pos) + ": expected a digit after '.'");
            while (digitAt(pos)) pos++;
        }
        if (pos < end && (b[pos] == 'e' || b[pos] == 'E')) {
            integer = false;
            if (options.integersOnly()) throw error(start, "number " + token(start) + " is not an integer: expected an integer");
            if (++pos < end && (b[pos] == '+' || b[pos] == '-')) pos++;
            if (!digitAt(pos)) throw error(pos, "unexpected " + describe(pos) + ": expected a digit in the exponent");
            while (digitAt(pos)) pos++;
        }
        if (integer) {
            long v = 0;                                 // accumulated negatively: reaches Long.MIN_VALUE
            boolean fits = true;
            for (int i = negative ? start + 1 : start; i < pos && fits; i++) {
                int d = b[i] - '0';
                fits = v >= (Long.MIN_VALUE + d) / 10;
                v = v * 10 - d;
            }
            if (fits && !negative) {
                fits = v != Long.MIN_VALUE;
                v = -v;
            }
            if (fits && negative && v == 0 && !options.integersOnly()) return new Real(-0.0, start);
            if (fits) return new Num(v, start);
            if (options.integersOnly()) throw error(start, "integer " + token(start) + " does not fit in 64 bits");
        }
        if (pos - start > options.maxNumberLength()) {
            throw error(start, "number " + token(start) + "... is longer than " + options.maxNumberLength() + " characters");
        }
        double d = Double.parseDouble(new String(b, start, pos - start, StandardCharsets.US_ASCII));
        if (Double.isInfinite(d)) throw error(start, "number " + token(start) + " is outside the range of a double");
        return new Real(d, start);
    }

    private boolean digitAt(int at) {
        return at < end && b[at] >= '0' && b[at] <= '9';
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
        if (at >= end) return "end of " + options.inputName();
        int c = b[at] & 0xFF;
        return c >= 0x21 && c < 0x7F ? "'" + (char) c + "'" : "byte 0x" + String.format("%02x", c);
    }

    private static String hex(char c) {
        return String.format("%04X", (int) c);
    }

    /** {@code s} in double quotes, for messages. */
    static String quote(String s) {
        return '"' + s + '"';
    }

    private JsonFormatException error(int at, String problem) {
        return new JsonFormatException(at, problem);
    }
}
