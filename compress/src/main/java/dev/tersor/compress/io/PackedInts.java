package dev.tersor.compress.io;

/**
 * Packs small integers of {@code b} bits (1..8) into bytes, little-endian in bit order: value
 * {@code i} occupies bits {@code [i·b, (i+1)·b)} of the byte stream, where bit {@code t} of the
 * stream is bit {@code t mod 8} of byte {@code ⌊t/8⌋}. {@code n} values take exactly
 * {@code ⌈n·b/8⌉} bytes; the unused high bits of the last byte are zero.
 * <pre>{@code
 * byte[] p = PackedInts.pack(new int[] {1, 2, 3, 4, 5}, 3, false);   // {0xD1, 0x58}
 * int[] v = PackedInts.unpack(p, 0, 5, 3, false);                    // {1, 2, 3, 4, 5}
 * }</pre>
 * Unsigned values lie in {@code [0, 2^b − 1]}; signed ones in {@code [−2^(b−1), 2^(b−1) − 1]} and
 * are stored in two's complement in their {@code b} bits.
 */
public final class PackedInts {
    private PackedInts() {
    }

    /** {@code ⌈count·bits/8⌉}: the bytes that {@code count} values of {@code bits} bits take. */
    public static int packedLength(int count, int bits) {
        checkBits(bits);
        if (count < 0) throw new IllegalArgumentException("count must be >= 0, got " + count);
        long bytes = ((long) count * bits + 7) / 8;
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(count + " values of " + bits + " bits need " + bytes + " bytes, more than a Java array holds");
        }
        return (int) bytes;
    }

    /** The smallest value that fits in {@code bits} bits: {@code −2^(bits−1)} signed, 0 unsigned. */
    public static int minValue(int bits, boolean signed) {
        checkBits(bits);
        return signed ? -(1 << (bits - 1)) : 0;
    }

    /** The largest value that fits in {@code bits} bits: {@code 2^(bits−1) − 1} signed, {@code 2^bits − 1} unsigned. */
    public static int maxValue(int bits, boolean signed) {
        checkBits(bits);
        return signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    }

    /**
     * Packs every value into {@link #packedLength} bytes.
     *
     * @throws IllegalArgumentException if {@code bits} is outside 1..8, or naming the first value
     *                                  that does not fit (its index, value and the allowed range)
     */
    public static byte[] pack(int[] values, int bits, boolean signed) {
        int lo = minValue(bits, signed), hi = maxValue(bits, signed);
        for (int i = 0; i < values.length; i++) {
            if (values[i] < lo || values[i] > hi) {
                throw new IllegalArgumentException("value " + values[i] + " at index " + i + " does not fit in " + bits
                        + (signed ? " signed" : " unsigned") + " bits (" + lo + ".." + hi + ")");
            }
        }
        byte[] out = new byte[packedLength(values.length, bits)];
        int mask = (1 << bits) - 1, pending = 0, pos = 0;
        long acc = 0;   // bits not yet written, lowest first
        for (int v : values) {
            acc |= (long) (v & mask) << pending;
            pending += bits;
            if (pending >= 8) {
                out[pos++] = (byte) acc;
                acc >>>= 8;
                pending -= 8;
            }
        }
        if (pending > 0) out[pos] = (byte) acc;
        return out;
    }

    /**
     * Reads {@code count} values of {@code bits} bits starting at byte {@code offset} of
     * {@code packed}; signed values are sign-extended.
     *
     * @throws IllegalArgumentException if {@code bits} is outside 1..8, or {@code packed} holds fewer
     *                                  than {@link #packedLength} bytes after {@code offset}
     */
    public static int[] unpack(byte[] packed, int offset, int count, int bits, boolean signed) {
        int need = packedLength(count, bits);
        if (offset < 0 || offset > packed.length || packed.length - offset < need) {
            throw new IllegalArgumentException(count + " values of " + bits + " bits need " + need + " bytes at offset " + offset
                    + ", but the array holds " + packed.length + " bytes");
        }
        int[] out = new int[count];
        int mask = (1 << bits) - 1, shift = 32 - bits, available = 0, pos = offset;
        long acc = 0;
        for (int i = 0; i < count; i++) {
            if (available < bits) {
                acc |= (long) (packed[pos++] & 0xFF) << available;
                available += 8;
            }
            int v = (int) acc & mask;
            acc >>>= bits;
            available -= bits;
            out[i] = signed ? (v << shift) >> shift : v;
        }
        return out;
    }

    private static void checkBits(int bits) {
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("bits must be in 1..8, got " + bits);
    }
}
