package dev.tersor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@code tersor bench conv2d --mode float|binary|adder}: the same shape in each kind of layer. */
class ConvModeBenchTest {

    @ParameterizedTest
    @ValueSource(strings = {"float", "binary", "adder"})
    void eachModeTimesTheShapeAndSaysWhichItWas(String mode) {
        MainTest.Run r = MainTest.run(MainTest.concat(new String[] {"bench", "conv2d", "--mode", mode, "--batch", "1",
                "--in", "65", "--out", "8", "--hw", "6", "--kernel", "3", "--pad", "1", "--threads", "1", "--json"}, MainTest.FAST));
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = MainTest.json(r.lastLine());
        assertEquals(mode, j.get("mode"));
        assertTrue(((Double) j.get("median_ms")) > 0);
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
        assertTrue(bad.err().contains("float, binary or adder"), bad.err());
    }
}
