package dev.tersor.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** F16/BF16/F8 conversions against hand-computed bit patterns and exhaustive/random checks. */
class HalfPrecisionTest {

    private static void f16(int floatBits, int halfBits) {
        float x = Float.intBitsToFloat(floatBits);
        assertEquals(halfBits, HalfPrecision.floatToF16(x) & 0xFFFF,
                () -> String.format("floatToF16(%s = 0x%08x)", x, floatBits));
    }

    private static void f16(float x, int halfBits) {
        f16(Float.floatToRawIntBits(x), halfBits);
    }

    private static void bf16(int floatBits, int bfBits) {
        assertEquals(bfBits, HalfPrecision.floatToBf16(Float.intBitsToFloat(floatBits)) & 0xFFFF,
                () -> String.format("floatToBf16(0x%08x)", floatBits));
    }

    private static void decodesTo(float expected, float actual, String what) {
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
                () -> what + ": expected " + expected + " got " + actual);
    }

    @Test
    void floatToF16Goldens() {
        f16(1.0f, 0x3C00);
        f16(-2.0f, 0xC000);
        f16(0.1f, 0x2E66);
        f16(1f / 3, 0x3555);
        f16(0.0f, 0x0000);
        f16(-0.0f, 0x8000);
        f16(65504f, 0x7BFF);                         // largest half
        f16(Math.nextDown(65520f), 0x7BFF);          // just under the halfway point to 2^16
        f16(65520f, 0x7C00);                         // tie: 0x7BFF is odd, so to even = infinity
        f16(1e10f, 0x7C00);
        f16(-1e10f, 0xFC00);
        f16(Float.POSITIVE_INFINITY, 0x7C00);
        f16(Float.NEGATIVE_INFINITY, 0xFC00);
        f16(0x1p-14f, 0x0400);                       // smallest normal
        f16(0x1p-24f, 0x0001);                       // smallest subnormal
        f16(1023 * 0x1p-24f, 0x03FF);                // largest subnormal
        f16(1023.5f * 0x1p-24f, 0x0400);             // tie between 0x03FF and 0x0400: even is 0x0400
        f16(0x1p-25f, 0x0000);                       // tie between 0 and 2^-24: even is 0
        f16(-0x1p-25f, 0x8000);
        f16(Math.nextUp(0x1p-25f), 0x0001);
        f16(3 * 0x1p-25f, 0x0002);                   // 1.5 units: tie, to even 2
        f16(5 * 0x1p-25f, 0x0002);                   // 2.5 units: tie, to even 2
        f16(0x1p-26f, 0x0000);
        f16(Float.MIN_VALUE, 0x0000);
        f16(1 + 0x1p-11f, 0x3C00);                   // tie between 0x3C00 and 0x3C01: even 0x3C00
        f16(1 + 3 * 0x1p-11f, 0x3C02);               // tie between 0x3C01 and 0x3C02: even 0x3C02
        f16(Math.nextUp(1 + 0x1p-11f), 0x3C01);
        f16(Math.nextDown(1 + 3 * 0x1p-11f), 0x3C01);
        f16(1 - 0x1p-11f, 0x3BFF);                   // largest half below 1
        f16(0x7FC00000, 0x7E00);                     // quiet NaN
        f16(0xFFC00000, 0xFE00);
        f16(0x7F800001, 0x7E00);                     // signalling NaN whose payload would vanish: stays NaN
        f16(0x7FA00000, 0x7F00);                     // leading payload bits kept
    }

    @Test
    void f16ToFloatGoldens() {
        decodesTo(0x1p-24f, HalfPrecision.f16ToFloat((short) 0x0001), "0x0001");
        decodesTo(1023 * 0x1p-24f, HalfPrecision.f16ToFloat((short) 0x03FF), "0x03FF");
        decodesTo(0x1p-14f, HalfPrecision.f16ToFloat((short) 0x0400), "0x0400");
        decodesTo(1f, HalfPrecision.f16ToFloat((short) 0x3C00), "0x3C00");
        decodesTo(-2f, HalfPrecision.f16ToFloat((short) 0xC000), "0xC000");
        decodesTo(65504f, HalfPrecision.f16ToFloat((short) 0x7BFF), "0x7BFF");
        decodesTo(0.333251953125f, HalfPrecision.f16ToFloat((short) 0x3555), "0x3555");
        decodesTo(-0.0f, HalfPrecision.f16ToFloat((short) 0x8000), "0x8000");
        decodesTo(-0x1p-24f, HalfPrecision.f16ToFloat((short) 0x8001), "0x8001");
        decodesTo(Float.POSITIVE_INFINITY, HalfPrecision.f16ToFloat((short) 0x7C00), "0x7C00");
        decodesTo(Float.NEGATIVE_INFINITY, HalfPrecision.f16ToFloat((short) 0xFC00), "0xFC00");
        decodesTo(Float.intBitsToFloat(0x7FC00000), HalfPrecision.f16ToFloat((short) 0x7E00), "0x7E00");
        decodesTo(Float.intBitsToFloat(0x7F802000), HalfPrecision.f16ToFloat((short) 0x7C01), "0x7C01 payload");
    }

    @Test
    void everyHalfDecodesExactlyAndRoundTrips() {
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfPrecision.f16ToFloat((short) h);
            int exp = (h >>> 10) & 0x1F;
            int mant = h & 0x3FF;
            double sign = (h & 0x8000) != 0 ? -1 : 1;
            if (exp == 0x1F) {
                assertTrue(mant == 0 ? Float.isInfinite(f) : Float.isNaN(f), Integer.toHexString(h));
            } else {
                double expected = sign * (exp == 0 ? mant * 0x1p-24 : Math.scalb(1 + mant / 1024.0, exp - 15));
                assertEquals(expected, f, 0.0, Integer.toHexString(h));
            }
            int back = HalfPrecision.floatToF16(f) & 0xFFFF;
            if (Float.isNaN(f)) {
                assertTrue((back & 0x7C00) == 0x7C00 && (back & 0x3FF) != 0, "NaN stays NaN: " + Integer.toHexString(h));
                if ((mant & 0x200) != 0) assertEquals(h, back, "quiet NaN payload");
            } else {
                if (h != back) fail("round trip of 0x" + Integer.toHexString(h) + " gave 0x" + Integer.toHexString(back));
            }
        }
    }

    /** No half is nearer to x than the chosen one, and ties choose an even mantissa. */
    @Test
    void randomFloatsRoundToNearestEven() {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 2_000_000; i++) {
            int bits = r.nextInt();
            if (i % 2 == 0) bits = (bits & 0x807FFFFF) | (r.nextInt(0x67, 0x90) << 23);   // focus on the half range
            float x = Float.intBitsToFloat(bits);
            int h = HalfPrecision.floatToF16(x) & 0xFFFF;
            if (Float.isNaN(x)) continue;
            if (Math.abs(x) >= 65520f) {
                assertEquals(x > 0 ? 0x7C00 : 0xFC00, h, "overflow of " + x);
                continue;
            }
            int mag = h & 0x7FFF;
            assertTrue(mag <= 0x7BFF, "finite " + x + " gave 0x" + Integer.toHexString(h));
            double err = Math.abs(Math.abs((double) x) - HalfPrecision.f16ToFloat((short) mag));
            for (int n = Math.max(0, mag - 1); n <= Math.min(0x7BFF, mag + 1); n++) {
                if (n == mag) continue;
                double other = Math.abs(Math.abs((double) x) - HalfPrecision.f16ToFloat((short) n));
                if (!(err < other || (err == other && (mag & 1) == 0))) {
                    fail(x + " -> 0x" + Integer.toHexString(mag) + " but 0x" + Integer.toHexString(n) + " is as near or nearer");
                }
            }
            if (x != 0 && (x < 0) != ((h & 0x8000) != 0)) fail("sign of " + x);
        }
    }

    @Test
    void floatToBf16Goldens() {
        bf16(0x3F800000, 0x3F80);                    // 1.0
        bf16(0x3F808000, 0x3F80);                    // tie, 0x3F80 even: down
        bf16(0x3F818000, 0x3F82);                    // tie, 0x3F81 odd: up
        bf16(0x3F808001, 0x3F81);
        bf16(0x3F807FFF, 0x3F80);
        bf16(Float.floatToRawIntBits(1e-3f), 0x3A83);
        bf16(0x80000000, 0x8000);                    // -0.0
        bf16(0x7F7F7FFF, 0x7F7F);                    // largest bfloat16 stays
        bf16(0x7F7F8000, 0x7F80);                    // tie above the largest (odd): infinity
        bf16(0x7F7FFFFF, 0x7F80);                    // Float.MAX_VALUE: infinity
        bf16(0xFF7FFFFF, 0xFF80);
        bf16(0x7F800000, 0x7F80);
        bf16(0xFF800000, 0xFF80);
        bf16(0x7FC00000, 0x7FC0);
        bf16(0x7F800001, 0x7FC0);                    // signalling NaN that truncation would turn into infinity
        bf16(0xFF800001, 0xFFC0);
        bf16(0x00010000, 0x0001);                    // subnormal
        bf16(0x00008000, 0x0000);                    // subnormal tie: to even zero
        bf16(0x00018000, 0x0002);                    // subnormal tie: to even 2
        bf16(0x80008001, 0x8001);
    }

    @Test
    void bf16DecodesAndEveryPatternRoundTrips() {
        decodesTo(1f, HalfPrecision.bf16ToFloat((short) 0x3F80), "0x3F80");
        decodesTo(-3.140625f, HalfPrecision.bf16ToFloat((short) 0xC049), "0xC049");
        decodesTo(Float.intBitsToFloat(0x00010000), HalfPrecision.bf16ToFloat((short) 0x0001), "0x0001");
        decodesTo(Float.POSITIVE_INFINITY, HalfPrecision.bf16ToFloat((short) 0x7F80), "0x7F80");
        decodesTo(Float.intBitsToFloat(0xFFC10000), HalfPrecision.bf16ToFloat((short) 0xFFC1), "0xFFC1");
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfPrecision.bf16ToFloat((short) h);
            int back = HalfPrecision.floatToBf16(f) & 0xFFFF;
            if (Float.isNaN(f)) assertTrue(Float.isNaN(HalfPrecision.bf16ToFloat((short) back)), Integer.toHexString(h));
            else assertEquals(h, back, Integer.toHexString(h));
        }
    }

    @Test
    void f8Goldens() {
        decodesTo(1f, HalfPrecision.f8e4m3ToFloat((byte) 0x38), "e4m3 0x38");
        decodesTo(-1f, HalfPrecision.f8e4m3ToFloat((byte) 0xB8), "e4m3 0xB8");
        decodesTo(1.5f, HalfPrecision.f8e4m3ToFloat((byte) 0x3C), "e4m3 0x3C");
        decodesTo(448f, HalfPrecision.f8e4m3ToFloat((byte) 0x7E), "e4m3 0x7E");
        decodesTo(-448f, HalfPrecision.f8e4m3ToFloat((byte) 0xFE), "e4m3 0xFE");
        decodesTo(0x1p-9f, HalfPrecision.f8e4m3ToFloat((byte) 0x01), "e4m3 0x01");
        decodesTo(7 * 0x1p-9f, HalfPrecision.f8e4m3ToFloat((byte) 0x07), "e4m3 0x07");
        decodesTo(0x1p-6f, HalfPrecision.f8e4m3ToFloat((byte) 0x08), "e4m3 0x08");
        decodesTo(-0.0f, HalfPrecision.f8e4m3ToFloat((byte) 0x80), "e4m3 0x80");
        decodesTo(240f, HalfPrecision.f8e4m3ToFloat((byte) 0x77), "e4m3 0x77 (no infinity)");
        assertTrue(Float.isNaN(HalfPrecision.f8e4m3ToFloat((byte) 0x7F)));
        assertTrue(Float.isNaN(HalfPrecision.f8e4m3ToFloat((byte) 0xFF)));
        decodesTo(1f, HalfPrecision.f8e5m2ToFloat((byte) 0x3C), "e5m2 0x3C");
        decodesTo(57344f, HalfPrecision.f8e5m2ToFloat((byte) 0x7B), "e5m2 0x7B");
        decodesTo(0x1p-16f, HalfPrecision.f8e5m2ToFloat((byte) 0x01), "e5m2 0x01");
        decodesTo(0x1p-14f, HalfPrecision.f8e5m2ToFloat((byte) 0x04), "e5m2 0x04");
        decodesTo(Float.POSITIVE_INFINITY, HalfPrecision.f8e5m2ToFloat((byte) 0x7C), "e5m2 0x7C");
        decodesTo(Float.NEGATIVE_INFINITY, HalfPrecision.f8e5m2ToFloat((byte) 0xFC), "e5m2 0xFC");
        assertTrue(Float.isNaN(HalfPrecision.f8e5m2ToFloat((byte) 0x7E)));
    }
}
