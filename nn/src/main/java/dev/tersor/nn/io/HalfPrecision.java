package dev.tersor.nn.io;

/**
 * Exact conversions between float32 and the narrow float formats of safetensors files, on raw
 * bit patterns. Widening is exact; narrowing rounds to nearest, ties to even, overflows to
 * infinity and keeps NaN a NaN (quiet, sign and leading payload bits kept).
 *
 * <pre>{@code
 * short h = HalfPrecision.floatToF16(0.1f);    // 0x2E66
 * float x = HalfPrecision.f16ToFloat(h);       // 0.099975586
 * short b = HalfPrecision.floatToBf16(1e-3f);  // 0x3A83
 * }</pre>
 *
 * (JDK 20 has {@code Float.float16ToFloat}; Tersor targets 17.)
 */
public final class HalfPrecision {
    private HalfPrecision() {
    }

    /** binary16 bits to float32, exact: subnormals, signed zeros, infinities and NaN payloads kept. */
    public static float f16ToFloat(short bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0) {
            float v = mant * 0x1p-24f;                 // subnormal or zero: mant * 2^-24, exact
            return sign != 0 ? -v : v;
        }
        if (exp == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** float32 to binary16 bits, rounding to nearest even; |x| >= 65520 becomes infinity. */
    public static short floatToF16(float x) {
        int f = Float.floatToRawIntBits(x);
        int sign = (f >>> 16) & 0x8000;
        int abs = f & 0x7FFFFFFF;
        if (abs >= 0x7F800000) {                       // infinity or NaN
            if (abs == 0x7F800000) return (short) (sign | 0x7C00);
            return (short) (sign | 0x7E00 | ((abs >>> 13) & 0x3FF));
        }
        if (abs >= 0x477FF000) return (short) (sign | 0x7C00);   // >= 65520: ties to even go up to 2^16
        if (abs >= 0x38800000) {                       // >= 2^-14: a normal half
            int h = ((abs >>> 23) - 127 + 15) << 10 | (abs & 0x7FFFFF) >>> 13;
            return (short) (sign | roundHalfEven(h, abs & 0x1FFF, 0x1000));
        }
        if (abs < 0x33000000) return (short) sign;     // < 2^-25: rounds to (signed) zero
        int shift = 126 - (abs >>> 23);                // subnormal half: value / 2^-24
        int mant = (abs & 0x7FFFFF) | 0x800000;
        return (short) (sign | roundHalfEven(mant >>> shift, mant & ((1 << shift) - 1), 1 << (shift - 1)));
    }

    /** bfloat16 bits to float32, exact. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** float32 to bfloat16 bits, rounding to nearest even; values past the largest bfloat16 become infinity. */
    public static short floatToBf16(float x) {
        int f = Float.floatToRawIntBits(x);
        if ((f & 0x7FFFFFFF) > 0x7F800000) return (short) ((f >>> 16) | 0x0040);   // NaN stays NaN
        return (short) (roundHalfEven(f >>> 16, f & 0xFFFF, 0x8000));
    }

    /** F8_E4M3 ("E4M3FN": bias 7, no infinities, S.1111.111 is NaN) to float32, exact. */
    public static float f8e4m3ToFloat(byte bits) {
        int b = bits & 0xFF;
        int exp = (b >>> 3) & 0xF;
        int mant = b & 0x7;
        float v;
        if (exp == 0xF && mant == 0x7) v = Float.NaN;
        else if (exp == 0) v = mant * 0x1p-9f;
        else v = Float.intBitsToFloat((exp - 7 + 127) << 23 | mant << 20);
        return (b & 0x80) != 0 ? -v : v;
    }

    /** F8_E5M2 (bias 15, the upper byte of a binary16) to float32, exact. */
    public static float f8e5m2ToFloat(byte bits) {
        return f16ToFloat((short) ((bits & 0xFF) << 8));
    }

    /** {@code kept} rounded by the dropped bits {@code rest}, whose halfway value is {@code half}. */
    private static int roundHalfEven(int kept, int rest, int half) {
        return rest > half || (rest == half && (kept & 1) != 0) ? kept + 1 : kept;
    }
}
