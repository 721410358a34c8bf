package dev.tersor.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.io.JsonReader.Arr;
import dev.tersor.nn.io.JsonReader.Bool;
import dev.tersor.nn.io.JsonReader.Null;
import dev.tersor.nn.io.JsonReader.Num;
import dev.tersor.nn.io.JsonReader.Obj;
import dev.tersor.nn.io.JsonReader.Options;
import dev.tersor.nn.io.JsonReader.Real;
import dev.tersor.nn.io.JsonReader.Value;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The general dialect ({@link Options#JSON}); the header dialect is covered by {@link HeaderJsonTest}. */
class JsonReaderTest {

    private static Value parse(String json, Options options) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return JsonReader.parse(b, b.length, options);
    }

    private static Value parse(String json) {
        return parse(json, Options.JSON);
    }

    private static void fails(String json, Options options, int offset, String fragment) {
        JsonFormatException e = assertThrows(JsonFormatException.class, () -> parse(json, options), json);
        assertTrue(e.problem().contains(fragment), () -> "expected \"" + fragment + "\" in: " + e.getMessage());
        assertEquals("at byte " + offset + ": " + e.problem(), e.getMessage());
        assertEquals(offset, e.offset(), e.getMessage());
    }

    private static void fails(String json, int offset, String fragment) {
        fails(json, Options.JSON, offset, fragment);
    }

    @Test
    void literalsAndNumbers() {
        Arr a = (Arr) parse(" [true, false, null, 0, -7, 1.5, -2.5e-3, 1E2, 9223372036854775808, -0] ");
        assertEquals(new Bool(true, 2), a.items().get(0));
        assertEquals(new Bool(false, 8), a.items().get(1));
        assertEquals(new Null(15), a.items().get(2));
        assertEquals(new Num(0, 21), a.items().get(3));
        assertEquals(new Num(-7, 24), a.items().get(4));
        assertEquals(new Real(1.5, 28), a.items().get(5));
        assertEquals(new Real(-2.5e-3, 33), a.items().get(6));
        assertEquals(new Real(100, 42), a.items().get(7));
        assertEquals(new Real(9.223372036854775808e18, 47), a.items().get(8));   // past long: a double
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(((Real) a.items().get(9)).value()));
        assertEquals(42L, ((Num) ((Obj) parse("{\"k\":42}")).members().get("k")).value());
    }

    @Test
    void rejectsWhatRfc8259Rejects() {
        fails("01", 0, "leading zero");
        fails("1.", 2, "expected a digit after '.'");
        fails(".5", 0, "expected an object, array, string or number, true, false or null");
        fails("+1", 0, "expected an object");
        fails("1e", 2, "expected a digit in the exponent");
        fails("1e+", 3, "expected a digit in the exponent");
        fails("NaN", 0, "expected an object");
        fails("1e400", 0, "outside the range of a double");
        fails("tru", 0, "expected an object");
        fails("truex", 4, "after the end of the JSON value");
        fails("[nul]", 1, "expected an object");
        fails("{\"a\":1,\"a\":2}", 7, "duplicate key \"a\"");
        fails("\u000b1", 0, "byte 0x0b");                                   // vertical tab is not JSON whitespace
        fails("", 0, "unexpected end of input");
    }

    @Test
    void limitsBoundDepthArraysStringsAndNumbers() {
        Options small = new Options("text", 3, 2, 5, 6, false);
        parse("[[[]]]", small);
        fails("[[[[]]]]", small, 3, "nested deeper than 3 levels");
        fails("[1,2,3]", small, 5, "array longer than 2 elements");
        parse("\"abcd\"", small);
        fails("\"abcde\"", small, 0, "string longer than 5 bytes");
        parse("1.2345", small);
        fails("1.23456", small, 0, "longer than 6 characters");
        fails("[".repeat(1_000_000), Options.JSON, 64, "nested deeper than 64 levels");     // no stack overflow
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Options("x", 0, 1, 1, 1, false));
        assertTrue(e.getMessage().contains("depth 0"), e.getMessage());
    }
}
