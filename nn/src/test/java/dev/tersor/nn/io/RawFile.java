package dev.tersor.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Hand-built safetensors bytes for tests: any header text, any data, any length field. */
final class RawFile {
    static final String NAME = "bad.safetensors";

    private RawFile() {
    }

    /** The 8-byte length of {@code header}, the header as given (no padding), then {@code data}. */
    static byte[] of(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return withLength(h.length, concat(h, data));
    }

    /** {@code n} as the 8-byte little-endian length field, then {@code rest}. */
    static byte[] withLength(long n, byte[] rest) {
        return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN).putLong(n).put(rest).array();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    /** Reading {@code file} from bytes fails naming {@link #NAME}, {@code offset} (-1: any) and every fragment. */
    static SafetensorsFormatException fails(byte[] file, long offset, String... fragments) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> Safetensors.read(file, NAME));
        String m = e.getMessage();
        assertTrue(m.startsWith(NAME + ": "), m);
        for (String f : fragments) assertTrue(m.contains(f), () -> "expected \"" + f + "\" in: " + m);
        if (offset >= 0) {
            assertEquals(offset, e.offset(), m);
            assertTrue(m.contains("at byte " + offset + ": "), m);
        }
        return e;
    }
}
