package dev.tersor.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.io.JsonReader.Arr;
import dev.tersor.nn.io.JsonReader.Num;
import dev.tersor.nn.io.JsonReader.Obj;
import dev.tersor.nn.io.JsonReader.Str;
import dev.tersor.nn.io.JsonReader.Value;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderJsonTest {

    private static Value parse(byte[] b) {
        return HeaderJson.parse(b, b.length, "h.json", 8);
    }

    private static Value parse(String json) {
        return parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String str(String json) {
        return ((Str) parse(json)).value();
    }

    private static SafetensorsFormatException fails(byte[] b, long offset, String fragment) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> parse(b));
        assertTrue(e.getMessage().startsWith("h.json: "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), () -> "expected \"" + fragment + "\" in: " + e.getMessage());
        if (offset >= 0) assertEquals(offset, e.offset(), e.getMessage());
        return e;
    }

    private static SafetensorsFormatException fails(String json, long offset, String fragment) {
        return fails(json.getBytes(StandardCharsets.UTF_8), offset, fragment);
    }

    @Test
    void objectsKeepOrderAndOffsets() {
        Obj o = (Obj) parse("{ \"b\" : [1, -2, 0], \"a\":{\"k\":\"v\"} }  \n");
        assertEquals(List.of("b", "a"), List.copyOf(o.members().keySet()));
        Arr arr = (Arr) o.members().get("b");
        assertEquals(8, arr.offset());                                   // within the parsed bytes
        assertEquals(List.of(1L, -2L, 0L), arr.items().stream().map(v -> ((Num) v).value()).toList());
        assertEquals("v", ((Str) ((Obj) o.members().get("a")).members().get("k")).value());
        assertTrue(((Obj) parse("{}")).members().isEmpty());
        assertTrue(((Arr) parse("[ ]")).items().isEmpty());
    }

    @Test
    void stringEscapesAndUtf8() {
        assertEquals("a\"b\\c/d\b\f\n\r\t", str("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\""));
        assertEquals("\u00e9\u20ac", str("\"\\u00e9\\u20AC\""));
        assertEquals("x\uD83D\uDE00y", str("\"x\\uD83D\\ude00y\""));           // surrogate pair
        assertEquals("é€😀", str("\"é€😀\""));                                   // raw UTF-8
        assertEquals("é\n😀", str("\"é\\n😀\""));
        assertEquals("", str("\"\""));
    }

    @Test
    void integersUpToLongRange() {
        assertEquals(Long.MAX_VALUE, ((Num) parse("9223372036854775807")).value());
        assertEquals(Long.MIN_VALUE, ((Num) parse("-9223372036854775808")).value());
        assertEquals(0L, ((Num) parse("-0")).value());
        fails("9223372036854775808", 8, "does not fit in 64 bits");
        fails("-9223372036854775809", 8, "does not fit in 64 bits");
        fails("[1, 99999999999999999999999]", 12, "99999999999999999999999 does not fit in 64 bits");
        fails("1.5", 8, "not an integer");
        fails("2e3", 8, "not an integer");
        fails("01", 8, "leading zero");
        fails("-", 8, "'-' not followed by a digit");
        fails("-x", 8, "'-' not followed by a digit");
    }

    @Test
    void badStrings() {
        fails("\"\\uD83D\"", 9, "unpaired high surrogate \\uD83D");
        fails("\"\\uD83Dx\"", 9, "unpaired high surrogate");
        fails("\"\\uD83D\\u0041\"", 15, "expected a low surrogate");
        fails("\"\\uDE00\"", 9, "unpaired low surrogate \\uDE00");
        fails("\"\\x\"", 9, "invalid escape \\x");
        fails("\"\\u12\"  ", 13, "expected a hex digit");
        fails("\"\\u12", 9, "truncated \\u escape");
        fails("\"\\u12G4\"", 13, "expected a hex digit");
        fails("\"a\nb\"", 10, "raw control character 0xa");
        fails(new byte[] {'"', 1, '"'}, 9, "raw control character 0x1");
        fails("\"abc", 8, "unterminated string");
        fails("\"abc\\", 12, "unterminated escape");
        fails(new byte[] {'"', 'a', (byte) 0xC3, 0x28, '"'}, 9, "not valid UTF-8");         // bad continuation
        fails(new byte[] {'"', (byte) 0xC0, (byte) 0xAF, '"'}, 9, "not valid UTF-8");       // overlong '/'
        fails(new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}, 9, "not valid UTF-8");  // encoded surrogate
        fails(new byte[] {'"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'}, 9, "not valid UTF-8");  // > U+10FFFF
    }

    @Test
    void badStructure() {
        fails("{\"a\":1,\"a\":2}", 15, "duplicate key \"a\"");
        fails("{} x", 11, "unexpected 'x' after the end of the JSON value");
        fails("{\"a\" 1}", 13, "expected ':'");
        fails("{\"a\":1,}", 15, "expected a string key");
        fails("{,}", 9, "expected a string key");
        fails("{1:2}", 9, "expected a string key");
        fails("[1,]", 11, "expected an object, array, string or integer");
        fails("[1 2]", 11, "expected ',' or ']'");
        fails("{\"a\":1 \"b\":2}", 15, "expected ',' or '}'");
        fails("[1", 10, "expected ',' or ']'");
        fails("{\"a\":", 13, "unexpected end of header");
        fails("true", 8, "expected an object, array, string or integer");
        fails("null", 8, "expected an object, array, string or integer");
        fails("", 8, "unexpected end of header");
        fails(new byte[] {'{', '}', 0}, 10, "byte 0x00");
    }

    @Test
    void nestingAndArrayLimits() {
        int max = HeaderJson.MAX_DEPTH;
        parse("[".repeat(max) + "]".repeat(max));
        fails("[".repeat(max + 1) + "]".repeat(max + 1), 8 + max, "nested deeper than " + max);
        fails("{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000), -1, "nested deeper than");   // no stack overflow
        String ok = "[" + "0,".repeat(HeaderJson.MAX_ARRAY_LENGTH - 1) + "0]";
        assertEquals(HeaderJson.MAX_ARRAY_LENGTH, ((Arr) parse(ok)).items().size());
        fails("[" + "0,".repeat(HeaderJson.MAX_ARRAY_LENGTH) + "0]", -1, "array longer than");
    }
}
