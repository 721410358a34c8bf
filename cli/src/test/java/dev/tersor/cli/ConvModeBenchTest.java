package dev.tersor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@code tersor bench conv2d --mode float|binary|adder|int8}: the same shape in each kind of layer. */
class ConvModeBenchTest {

    @ParameterizedTest
    @ValueSource(strings = {"float", "binary", "adder", "int8"})
    void eachModeTimesTheShapeAndSaysWhichItWas(String mode) {
        MainTest.Run r = MainTest.run(MainTest.concat(new String[] {"bench", "conv2d", "--mode", mode, "--batch", "1",
                "--in", "65", "--out", "8", "--hw", "6", "--kernel", "3", "--pad", "1", "--threads", "1", "--json"}, MainTest.FAST));
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = MainTest.json(r.lastLine());
        assertEquals(mode, j.get("mode"));
        assertTrue(((Double) j.get("median_ms")) > 0);
        assertEquals(mode.equals("int8"), j.containsKey("int8_kernel"), r.lastLine());
    }

    @Test
    void int8TimesGroupedLayersToo() {
        MainTest.Run r = MainTest.run(MainTest.concat(new String[] {"bench", "conv2d", "--mode", "int8", "--batch", "2",
                "--in", "8", "--out", "8", "--hw", "5", "--kernel", "3", "--pad", "1", "--groups", "8", "--threads", "1", "--json"},
                MainTest.FAST));
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = MainTest.json(r.lastLine());
        assertEquals(8.0, ((Number) j.get("groups")).doubleValue());
        double gflops = 2.0 * 2 * 8 * 9 * 25 / (((Number) j.get("median_ms")).doubleValue() * 1e6);   // depthwise: C/groups = 1
        assertEquals(gflops, ((Number) j.get("gflops")).doubleValue(), 0.01 * gflops + 6e-4);
    }

    @Test
    void lowCostModesRefuseBackwardAndGroupsWithAReason() {
        MainTest.Run r = MainTest.run(MainTest.concat(new String[] {"bench", "conv2d", "--mode", "binary", "--batch", "1",
                "--in", "4", "--out", "4", "--hw", "6", "--kernel", "3", "--backward"}, MainTest.FAST));
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("--backward"), r.err());
        MainTest.Run bad = MainTest.run("bench", "conv2d", "--mode", "ternary", "--batch", "1", "--in", "4", "--out", "4",
                "--hw", "6", "--kernel", "3");
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("float, binary, adder or int8"), bad.err());
        MainTest.Run grouped = MainTest.run(MainTest.concat(new String[] {"bench", "conv2d", "--mode", "adder", "--batch", "1",
                "--in", "4", "--out", "4", "--hw", "6", "--kernel", "3", "--groups", "2"}, MainTest.FAST));
        assertNotEquals(0, grouped.code());
        assertTrue(grouped.err().contains("--groups"), grouped.err());
    }
}
