package dev.tersor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void writesOneLineInInsertionOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bench", "gemm");
        m.put("size", 64);
        m.put("median_ms", 2.5);
        m.put("gflops", 3.0);
        m.put("steady", true);
        m.put("nan", Double.NaN);
        m.put("none", null);
        m.put("list", List.of(1, "a"));
        assertEquals("{\"bench\":\"gemm\",\"size\":64,\"median_ms\":2.5,\"gflops\":3.0,\"steady\":true,"
                + "\"nan\":null,\"none\":null,\"list\":[1,\"a\"]}", Json.write(m));
    }

    @Test
    void escapesStrings() {
        String s = "a\"b\\c\nd\te\u0001";
        String written = Json.write(s);
        assertEquals("\"a\\\"b\\\\c\\nd\\te\\u0001\"", written);
        assertEquals(s, Json.parse(written));
    }

    @Test
    void roundTrips() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("x", 1.25e-7);
        m.put("y", -3.0);
        m.put("z", Arrays.asList(true, false, null, "q"));
        m.put("o", Map.of("k", 2.0));
        assertEquals(m, Json.parse(Json.write(m)));
        assertEquals(m, Json.parse(" { \"x\" : 1.25E-7 , \"y\":-3, \"z\":[true,false,null,\"q\"], \"o\":{\"k\":2} } "));
    }

    @Test
    void rejectsBadInputNamingTheOffset() {
        for (String bad : new String[] {"", "{", "{\"a\":}", "[1,]", "tru", "{\"a\":1}x", "\"abc", "{a:1}"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().contains("offset"), e.getMessage());
        }
    }

    @Test
    void strictAndBounded() {
        // The old recursive reader overflowed the stack here and accepted the next three.
        IllegalArgumentException deep = assertThrows(IllegalArgumentException.class, () -> Json.parse("[".repeat(1_000_000)));
        assertEquals("bad JSON at offset 64: JSON nested deeper than 64 levels", deep.getMessage());
        for (String bad : new String[] {"{\"a\":1,\"a\":2}", "01", "1."}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("bad JSON at offset "), e.getMessage());
        }
        // Offsets count characters of the string, not UTF-8 bytes: the 'x' is character 6 (the emoji is 2).
        assertEquals("bad JSON at offset 6: unexpected 'x': expected ',' or ']' in array",
                assertThrows(IllegalArgumentException.class, () -> Json.parse("[\"é😀\"x]")).getMessage());
        assertEquals("bad JSON at offset 2: unpaired surrogate character",
                assertThrows(IllegalArgumentException.class, () -> Json.parse("[\"\uD800\"]")).getMessage());
    }
}
