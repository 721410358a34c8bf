package dev.tersor.compress.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

class QuantSchemeTest {
    /** min, max, torch scale bits, torch zero point: from compress/src/test/resources/quant/torch_qparams.py. */
    private static final Object[][] AFFINE_U8 = {
        {-1.0f, 1.0f, 0x3c008081, 127}, {-0.3f, 2.7f, 0x3c40c0c1, 26}, {0.0f, 6.0f, 0x3cc0c0c1, 0}, {0.5f, 3.0f, 0x3c40c0c1, 0},
        {-5.0f, -1.0f, 0x3ca0a0a1, 255}, {-0.0001f, 0.0002f, 0x359de738, 85}, {0.0f, 0.0f, 0x34000000, 0}};
    private static final Object[][] SYMMETRIC_S8 = {
        {-1.0f, 1.0f, 0x3c008081, 0}, {-0.3f, 2.7f, 0x3cad7a47, 0}, {0.0f, 6.0f, 0x3d40c0c1, 0}, {0.5f, 3.0f, 0x3cc0c0c1, 0},
        {-5.0f, -1.0f, 0x3d20a0a1, 0}, {-0.0001f, 0.0002f, 0x35d289a1, 0}, {0.0f, 0.0f, 0x34000000, 0}};

    private static void check(QuantScheme scheme, Object[][] cases) {
        for (Object[] c : cases) {
            QParams p = scheme.qparams((float) c[0], (float) c[1]);
            assertEquals(Float.intBitsToFloat((int) c[2]), p.scale(0), "scale for [" + c[0] + ", " + c[1] + "]");
            assertEquals((int) c[3], p.zeroPoint(0), "zero point for [" + c[0] + ", " + c[1] + "]");
        }
    }

    @Test
    void qparamsEqualTorchAos() {
        check(QuantScheme.affine(8), AFFINE_U8);
        check(QuantScheme.signed(8, false), SYMMETRIC_S8);
    }

    @Test
    void rangesOfEachScheme() {
        assertEquals(-8, QuantScheme.signed(4, false).qmin());
        assertEquals(7, QuantScheme.signed(4, false).qmax());
        assertEquals(-7, QuantScheme.narrowSigned(4, true).qmin());
        assertEquals(15, QuantScheme.unsigned(4).qmax());
        assertEquals(256, QuantScheme.affine(8).levels());
        // unsigned symmetric: scale = max / qmax, zero point 0
        QParams u = QuantScheme.unsigned(2).qparams(0f, 3f);
        assertEquals(1f, u.scale(0));
        assertEquals(3, u.quantize(2.6f, 0));
        assertEquals(0, u.quantize(-1f, 0));
    }

    @Test
    void quantizeRoundsHalfToEvenAndClamps() {
        QParams p = QParams.perTensor(0.5f, 10, 0, 255);
        assertEquals(10, p.quantize(0.25f, 0));    // 0.5 → 0 (half to even), + 10
        assertEquals(11, p.quantize(0.26f, 0));    // 0.52 → 1
        assertEquals(12, p.quantize(0.75f, 0));    // 1.5 → 2
        assertEquals(12, p.quantize(1.25f, 0));    // 2.5 → 2
        assertEquals(255, p.quantize(1e6f, 0));
        assertEquals(0, p.quantize(-1e6f, 0));
        assertEquals(-2.5f, p.dequantize(5, 0));
    }

    @Test
    void perChannelParameters() {
        QParams p = QuantScheme.signed(8, true).qparams(new float[] {-1f, -0.1f}, new float[] {0.5f, 0.2f});
        assertEquals(2, p.channels());
        assertEquals(1f / 127.5f, p.scale(0));
        assertEquals(0.2f / 127.5f, p.scale(1));
        assertEquals(127, p.quantize(0.2f, 1));
    }

    @Test
    void badSettingsNameThemselves() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantScheme.signed(9, false));
        assertTrue(e.getMessage().contains("bits") && e.getMessage().contains("9"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> QuantScheme.unsigned(0));
        assertTrue(e.getMessage().contains("0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new QuantScheme(4, 0, 16, true, false));
        assertTrue(e.getMessage().contains("more than 4 bits"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> QuantScheme.affine(8).qparams(Float.NaN, 1f));
        assertTrue(e.getMessage().contains("not finite"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> QParams.perTensor(0f, 0, 0, 255));
        assertTrue(e.getMessage().contains("scale"), e.getMessage());
    }

    @Test
    void observersFollowTorchAosUpdateRules() {
        MinMaxObserver mm = new MinMaxObserver();
        MovingAverageMinMaxObserver ma = new MovingAverageMinMaxObserver();
        mm.observe(Tensor.fromArray(new float[] {-1f, 2f}, 2));
        ma.observe(Tensor.fromArray(new float[] {-1f, 2f}, 2));
        mm.observe(Tensor.fromArray(new float[] {-3f, 1f}, 2));
        ma.observe(Tensor.fromArray(new float[] {-3f, 1f}, 2));
        assertEquals(-3f, mm.range()[0]);
        assertEquals(2f, mm.range()[1]);
        assertEquals(-1f + 0.01f * (-3f - -1f), ma.range()[0]);
        assertEquals(2f + 0.01f * (1f - 2f), ma.range()[1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> mm.observe(Tensor.fromArray(new float[] {0f, Float.POSITIVE_INFINITY}, 2)));
        assertTrue(e.getMessage().contains("element 1"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> new MinMaxObserver().qparams(QuantScheme.affine(8)));
    }
}
