package dev.tersor.nn.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Bulk conversion between little-endian element bytes of each {@link DType} and Java arrays. */
final class Codec {
    private static final int CHUNK = 1 << 16;

    private Codec() {
    }

    /** The {@code n} elements of {@code b} (little-endian, absolute from index 0) as float32. */
    static float[] toFloats(ByteBuffer b, DType t, int n) {
        float[] out = new float[n];
        switch (t) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(8 * i); }
            case F16 -> { for (int i = 0; i < n; i++) out[i] = HalfPrecision.f16ToFloat(b.getShort(2 * i)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = HalfPrecision.bf16ToFloat(b.getShort(2 * i)); }
            case F8_E4M3 -> { for (int i = 0; i < n; i++) out[i] = HalfPrecision.f8e4m3ToFloat(b.get(i)); }
            case F8_E5M2 -> { for (int i = 0; i < n; i++) out[i] = HalfPrecision.f8e5m2ToFloat(b.get(i)); }
            case I8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i); }
            case U8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xFF; }
            case BOOL -> { for (int i = 0; i < n; i++) out[i] = b.get(i) != 0 ? 1f : 0f; }
            case I16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(2 * i); }
            case U16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(2 * i) & 0xFFFF; }
            case I32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i); }
            case U32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i) & 0xFFFFFFFFL; }
            case I64 -> { for (int i = 0; i < n; i++) out[i] = b.getLong(8 * i); }
            case U64 -> { for (int i = 0; i < n; i++) out[i] = unsignedToFloat(b.getLong(8 * i)); }
            default -> throw new AssertionError(t);
        }
        return out;
    }

    /**
     * The {@code n} elements of an integer or BOOL buffer as int32.
     *
     * @throws IllegalArgumentException naming {@code what} and the index for a value outside the int range
     */
    static int[] toInts(ByteBuffer b, DType t, int n, String what) {
        int[] out = new int[n];
        switch (t) {
            case I8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i); }
            case U8 -> { for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xFF; }
            case BOOL -> { for (int i = 0; i < n; i++) out[i] = b.get(i) != 0 ? 1 : 0; }
            case I16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(2 * i); }
            case U16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(2 * i) & 0xFFFF; }
            case I32 -> b.asIntBuffer().get(out);
            case U32 -> { for (int i = 0; i < n; i++) out[i] = checkInt(b.getInt(4 * i) & 0xFFFFFFFFL, false, i, t, what); }
            case I64 -> { for (int i = 0; i < n; i++) out[i] = checkInt(b.getLong(8 * i), false, i, t, what); }
            case U64 -> { for (int i = 0; i < n; i++) out[i] = checkInt(b.getLong(8 * i), true, i, t, what); }
            default -> throw new IllegalArgumentException(what + " has dtype " + t + ": an integer tensor needs an integer or BOOL dtype (use tensor() for floats)");
        }
        return out;
    }

    /** Writes {@code v} in float type {@code t} (F32, F64, F16 or BF16; narrowing rounds to nearest even). */
    static void writeFloats(float[] v, DType t, OutputStream out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            if (buf.remaining() < 8) flush(buf, out);
            switch (t) {
                case F32 -> buf.putFloat(x);
                case F64 -> buf.putDouble(x);
                case F16 -> buf.putShort(HalfPrecision.floatToF16(x));
                case BF16 -> buf.putShort(HalfPrecision.floatToBf16(x));
                default -> throw new IllegalArgumentException("cannot write float tensors as " + t + ": expected F32, F64, F16 or BF16");
            }
        }
        flush(buf, out);
    }

    /** Writes {@code v} in integer type {@code t}; the caller has checked the range with {@link #fits}. */
    static void writeInts(int[] v, DType t, OutputStream out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            if (buf.remaining() < 8) flush(buf, out);
            switch (t) {
                case I8, U8, BOOL -> buf.put((byte) x);
                case I16, U16 -> buf.putShort((short) x);
                case I32, U32 -> buf.putInt(x);
                case I64, U64 -> buf.putLong(x);
                default -> throw new IllegalArgumentException("cannot write integer tensors as " + t);
            }
        }
        flush(buf, out);
    }

    /** Whether {@code x} is representable in integer type {@code t} (BOOL holds 0 and 1). */
    static boolean fits(int x, DType t) {
        return switch (t) {
            case I8 -> x >= Byte.MIN_VALUE && x <= Byte.MAX_VALUE;
            case U8 -> x >= 0 && x <= 0xFF;
            case I16 -> x >= Short.MIN_VALUE && x <= Short.MAX_VALUE;
            case U16 -> x >= 0 && x <= 0xFFFF;
            case I32, I64 -> true;
            case U32, U64 -> x >= 0;
            case BOOL -> x == 0 || x == 1;
            default -> false;
        };
    }

    private static void flush(ByteBuffer buf, OutputStream out) throws IOException {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
    }

    /** An unsigned 64-bit value rounded to the nearest float. */
    private static float unsignedToFloat(long v) {
        if (v >= 0) return v;
        return ((v >>> 1) | (v & 1)) * 2f;   // halve keeping a sticky bit, so rounding stays correct
    }

    private static int checkInt(long v, boolean unsigned, int i, DType t, String what) {
        if ((unsigned && v < 0) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " element " + i + " = " + (unsigned ? Long.toUnsignedString(v) : Long.toString(v))
                    + " (" + t + ") does not fit in an int32; use tensor() to read it as float");
        }
        return (int) v;
    }
}
