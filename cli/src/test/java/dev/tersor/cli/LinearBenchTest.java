package dev.tersor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.lowbit.Int8Input;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code tersor bench linear --mode float|int8|weight-only}, and the symmetric quantization it times. */
class LinearBenchTest {

    @ParameterizedTest
    @ValueSource(strings = {"float", "int8", "weight-only"})
    void eachModeTimesTheLayerAndReportsIt(String mode) {
        MainTest.Run r = MainTest.run(MainTest.concat(new String[] {"bench", "linear", "--mode", mode, "--in", "70", "--out", "33",
                "--batch", "3", "--threads", "1", "--json"}, MainTest.FAST));
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = MainTest.json(r.lastLine());
        assertEquals("linear", j.get("bench"));
        assertEquals(mode, j.get("mode"));
        assertEquals(70.0 * 33 * (mode.equals("float") ? 4 : 1), ((Number) j.get("weight_bytes")).doubleValue());
        assertEquals(!mode.equals("float"), j.containsKey("int8_kernel"));
        double median = ((Number) j.get("median_ms")).doubleValue();
        double gflops = 2.0 * 3 * 70 * 33 / (median * 1e6);
        // the report rounds median_ms and GFLOP/s to 3 decimals: a microsecond median is off by up to 0.0005 ms
        assertEquals(gflops, ((Number) j.get("gflops")).doubleValue(), gflops * (0.0005 / median + 0.01) + 6e-4);
    }

    @Test
    void rejectsBadSizesAndModes() {
        MainTest.Run r = MainTest.run("bench", "linear", "--in", "0", "--out", "4");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("--in"), r.err());
        MainTest.Run m = MainTest.run("bench", "linear", "--in", "4", "--out", "4", "--mode", "int4");
        assertNotEquals(0, m.code());
        assertTrue(m.err().contains("float, int8 or weight-only"), m.err());
    }

    @Test
    void quantizesRowsSymmetrically() {
        Tensor w = Tensor.fromArray(new float[] {0.5f, -1f, 0.25f, 0f, 0f, 0f}, 2, 3);
        float[] s = LinearBench.rowScales(w, 2);
        assertEquals(1f / 127f, s[0], 0f);
        assertEquals(1f, s[1], 0f);                              // an all-zero row keeps scale 1
        byte[] q = LinearBench.quantizeRows(w, 2);
        assertEquals(64, q[0]);                                  // rint(0.5·127) = rint(63.5) = 64
        assertEquals(-127, q[1]);
        assertEquals(32, q[2]);                                  // rint(31.75)
        assertEquals(0, q[4]);
        Int8Input in = LinearBench.inputOf(Tensor.randn(new Generator(1), 4, 4).mul(0f).add(Tensor.fromArray(new float[] {-2.54f}, 1)));
        assertEquals(2.54f / 127f, in.scale(), 0f);
        assertEquals(0, in.zeroPoint());
    }
}
