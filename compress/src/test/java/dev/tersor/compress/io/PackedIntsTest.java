package dev.tersor.compress.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Generator;
import org.junit.jupiter.api.Test;

/** Bit layout by hand, round trips for every width and odd counts, and the validation messages. */
class PackedIntsTest {

    /**
     * 1, 2, 3, 4, 5 in 3 bits: stream bits 0–2 = 001, 3–5 = 010, 6–8 = 011, 9–11 = 100, 12–14 = 101
     * (lowest bit first). Byte 0 = bits 0 (1), 4 (from 2), 6 and 7 (low bits of 3) = 1 + 16 + 64 + 128
     * = 0xD1; byte 1 = bit 3 (4 at 9–11) and bits 4 and 6 (5 at 12–14) = 8 + 16 + 64 = 0x58.
     */
    @Test
    void threeBitGolden() {
        byte[] p = PackedInts.pack(new int[] {1, 2, 3, 4, 5}, 3, false);
        assertArrayEquals(new byte[] {(byte) 0xD1, (byte) 0x58}, p);
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, PackedInts.unpack(p, 0, 5, 3, false));
    }

    /** −1, 7, −8 in 4 signed bits: nibbles F, 7, 8 → 0x7F, 0x08; 1-bit and 8-bit layouts. */
    @Test
    void signedAndEdgeWidthGoldens() {
        byte[] p = PackedInts.pack(new int[] {-1, 7, -8}, 4, true);
        assertArrayEquals(new byte[] {0x7F, 0x08}, p);
        assertArrayEquals(new int[] {-1, 7, -8}, PackedInts.unpack(p, 0, 3, 4, true));
        assertArrayEquals(new int[] {15, 7, 8}, PackedInts.unpack(p, 0, 3, 4, false));
        // 1 bit: 1,0,1,1,0,0,0,0, 1 → 0b00001101, 0b00000001
        assertArrayEquals(new byte[] {0x0D, 0x01}, PackedInts.pack(new int[] {1, 0, 1, 1, 0, 0, 0, 0, 1}, 1, false));
        assertArrayEquals(new byte[] {(byte) 0x80, 0x7F, (byte) 0xFF}, PackedInts.pack(new int[] {-128, 127, -1}, 8, true));
    }

    @Test
    void roundTripsEveryWidthSignedAndUnsignedWithOddCounts() {
        Generator g = new Generator(7);
        for (int bits = 1; bits <= 8; bits++) {
            for (boolean signed : new boolean[] {false, true}) {
                int lo = PackedInts.minValue(bits, signed), hi = PackedInts.maxValue(bits, signed);
                for (int n : new int[] {0, 1, 3, 7, 8, 9, 13, 101, 1003}) {
                    int[] v = new int[n];
                    for (int i = 0; i < n; i++) v[i] = lo + g.nextInt(hi - lo + 1);
                    if (n > 1) {
                        v[0] = lo;
                        v[n - 1] = hi;
                    }
                    byte[] p = PackedInts.pack(v, bits, signed);
                    assertEquals((n * bits + 7) / 8, p.length, "length for n=" + n + ", bits=" + bits);
                    assertArrayEquals(v, PackedInts.unpack(p, 0, n, bits, signed), "bits=" + bits + " signed=" + signed + " n=" + n);
                    int usedBits = n * bits % 8;
                    if (usedBits != 0) assertEquals(0, (p[p.length - 1] & 0xFF) >>> usedBits, "padding bits are zero");
                }
            }
        }
    }

    @Test
    void unpacksAtAnOffset() {
        byte[] p = PackedInts.pack(new int[] {5, 6, 7, 0, 1}, 3, false);
        byte[] framed = new byte[p.length + 3];
        System.arraycopy(p, 0, framed, 3, p.length);
        assertArrayEquals(new int[] {5, 6, 7, 0, 1}, PackedInts.unpack(framed, 3, 5, 3, false));
    }

    @Test
    void rejectsValuesThatDoNotFitNamingTheFirst() {
        var e = assertThrows(IllegalArgumentException.class, () -> PackedInts.pack(new int[] {0, 7, 8, 9}, 3, false));
        assertEquals("value 8 at index 2 does not fit in 3 unsigned bits (0..7)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PackedInts.pack(new int[] {3, -5}, 3, true));
        assertEquals("value -5 at index 1 does not fit in 3 signed bits (-4..3)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PackedInts.pack(new int[] {-1}, 2, false));
    }

    @Test
    void rejectsBadWidthsAndShortInput() {
        for (int bits : new int[] {0, 9, -1}) {
            var e = assertThrows(IllegalArgumentException.class, () -> PackedInts.pack(new int[] {0}, bits, false));
            assertTrue(e.getMessage().contains("bits must be in 1..8, got " + bits), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> PackedInts.unpack(new byte[2], 0, 6, 3, false));
        assertTrue(e.getMessage().contains("need 3 bytes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PackedInts.unpack(new byte[4], 2, 6, 3, false));
    }
}
