package dev.tersor.nn.io;

import static dev.tersor.nn.io.RawFile.fails;
import static dev.tersor.nn.io.RawFile.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed file is rejected with a SafetensorsFormatException naming file, offset and expectation. */
class SafetensorsCorruptionTest {
    private static final String W = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    /** File offset of W's data_offsets array: 8 + its index in W. */
    private static final long W_OFFSETS_AT = 8 + W.indexOf("[0,8]");

    private static String tensor(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    @Test
    void theReferenceFileIsValid() {
        SafetensorsFile f = Safetensors.read(RawFile.of(W, floats(1, 2)), "ok");
        assertArrayEquals(new float[] {1, 2}, f.tensor("w").toArray());
        // trailing spaces (any JSON whitespace) after the object are padding
        assertEquals(1, Safetensors.read(RawFile.of(W + "   \n", floats(1, 2)), "ok").names().size());
    }

    @Test
    void tooShortForTheLengthField() {
        fails(new byte[0], 0, "file is 0 bytes", "expected at least the 8-byte little-endian header length");
        fails(new byte[5], 0, "file is 5 bytes");
    }

    @Test
    void headerLengthPastTheEndOrHuge() {
        fails(RawFile.withLength(1000, "{}".getBytes()), 0, "header length 1000 runs past the end of the file: expected at most 2");
        fails(RawFile.withLength(Long.MIN_VALUE, new byte[8]), 0, "header length 9223372036854775808 exceeds the limit of 100000000 bytes");
        fails(RawFile.withLength(-1L, new byte[8]), 0, "header length 18446744073709551615 exceeds");
        fails(RawFile.withLength(100_000_001L, new byte[8]), 0, "exceeds the limit");
        // a header cut short: the length still claims the full header
        byte[] whole = RawFile.of(W, floats(1, 2));
        fails(Arrays.copyOf(whole, 30), 0, "runs past the end of the file");
    }

    @Test
    void truncatedDataOrOffsetsOutOfRange() {
        byte[] whole = RawFile.of(W, floats(1, 2));
        fails(Arrays.copyOf(whole, whole.length - 4), W_OFFSETS_AT,
                "truncated file or offsets out of range: tensor \"w\" data_offsets [0, 8] end past the data section, which holds 4 bytes (expected 8)");
        String two = "{" + tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F32", "[2]", 8, 16) + "}";
        fails(RawFile.of(two, floats(1, 2)), 8 + two.indexOf("[8,16]"), "tensor \"b\" data_offsets [8, 16] end past the data section");
    }

    @Test
    void trailingData() {
        byte[] file = RawFile.of(W, floats(1, 2, 3));
        long dataEnd = 8 + W.length() + 8;
        fails(file, dataEnd, "4 bytes of trailing data after the last tensor: expected the data section to end at byte " + dataEnd);
    }

    @Test
    void overlapAndGap() {
        String overlap = "{" + tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F32", "[2]", 4, 12) + "}";
        fails(RawFile.of(overlap, new byte[12]), 8 + overlap.indexOf("[4,12]"),
                "tensor \"b\" data_offsets [4, 12] overlap tensor \"a\" [0, 8]");
        String gap = "{" + tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F32", "[2]", 12, 20) + "}";
        fails(RawFile.of(gap, new byte[20]), 8 + gap.indexOf("[12,20]"),
                "gap in the data section: bytes [8, 12) belong to no tensor (before tensor \"b\")");
        String late = "{" + tensor("a", "F32", "[2]", 8, 16) + "}";
        fails(RawFile.of(late, new byte[16]), -1, "gap in the data section: bytes [0, 8)");
        String same = "{" + tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F32", "[2]", 0, 8) + "}";
        fails(RawFile.of(same, new byte[8]), -1, "overlap tensor");
        // empty tensors may share an offset; out-of-order offsets are fine when they tile the data
        String ok = "{" + tensor("b", "F32", "[1]", 4, 8) + "," + tensor("e1", "F32", "[0]", 4, 4) + ","
                + tensor("e2", "I8", "[0,5]", 4, 4) + "," + tensor("a", "F32", "[1]", 0, 4) + "}";
        SafetensorsFile f = Safetensors.read(RawFile.of(ok, floats(7, 9)), "ok");
        assertEquals(java.util.List.of("b", "e1", "e2", "a"), f.names());
        assertEquals(9f, f.tensor("b").item());
        assertEquals(0, f.tensor("e2").numel());
    }

    @Test
    void shapeAndOffsetsDisagree() {
        String h = "{" + tensor("w", "F32", "[3]", 0, 8) + "}";
        fails(RawFile.of(h, new byte[8]), 8 + h.indexOf("[0,8]"), "tensor \"w\" (F32 [3]) needs 12 bytes but data_offsets [0, 8] span 8");
        String bf = "{" + tensor("w", "BF16", "[2,2]", 0, 16) + "}";
        fails(RawFile.of(bf, new byte[16]), -1, "(BF16 [2, 2]) needs 8 bytes but data_offsets [0, 16] span 16");
        String backwards = "{" + tensor("w", "F32", "[0]", 8, 0) + "}";
        fails(RawFile.of(backwards, new byte[8]), -1, "data_offsets [8, 0] end before they begin");
    }

    @Test
    void elementCountOrByteSizeOverflow() {
        String big = "{" + tensor("w", "F32", "[2147483647,2147483647,2147483647]", 0, 8) + "}";
        fails(RawFile.of(big, new byte[8]), 8 + 5, "tensor \"w\" shape [2147483647, 2147483647, 2147483647] has more elements than fit in 63 bits");
        String bytes = "{" + tensor("w", "F64", "[2147483647,2147483647,2]", 0, 8) + "}";
        fails(RawFile.of(bytes, new byte[8]), -1, "needs more bytes than fit in 63 bits");
        String dim = "{" + tensor("w", "U8", "[3000000000]", 0, 8) + "}";
        fails(RawFile.of(dim, new byte[8]), -1, "dimension 3000000000 exceeds 2147483647");
        String negative = "{" + tensor("w", "U8", "[-1]", 0, 8) + "}";
        fails(RawFile.of(negative, new byte[8]), 8 + negative.indexOf("-1"), "shape must hold non-negative integers");
        String huge = "{" + tensor("w", "U8", "[1]", 0, 1).replace("[0,1]", "[0,18446744073709551616]") + "}";
        fails(RawFile.of(huge, new byte[1]), -1, "18446744073709551616 does not fit in 64 bits");
    }

    @Test
    void duplicateNames() {
        String h = "{" + tensor("w", "U8", "[1]", 0, 1) + "," + tensor("w", "U8", "[1]", 1, 2) + "}";
        fails(RawFile.of(h, new byte[2]), 8 + h.lastIndexOf("\"w\""), "duplicate key \"w\"");
    }

    @Test
    void badJson() {
        fails(RawFile.of("[1]   ", new byte[0]), 8, "header must be a JSON object starting with '{', found byte 0x5b");
        fails(RawFile.of(" {}", new byte[0]), 8, "found byte 0x20");
        fails(RawFile.of("", new byte[0]), 8, "found an empty header");
        fails(RawFile.of("{\"w\":", new byte[0]), 13, "unexpected end of header");
        fails(RawFile.of("{\"w\":{}} x", new byte[0]), 17, "unexpected 'x' after the end of the JSON value");
        fails(RawFile.of("{}\0\0\0\0\0\0", new byte[0]), 10, "unexpected byte 0x00");
        fails(RawFile.of("{\"w\":{\"dtype\":F32}}", new byte[0]), 8 + 14, "unexpected 'F'");
        byte[] badUtf8 = RawFile.withLength(6, new byte[] {'{', '"', (byte) 0xFF, '"', ':', '1'});
        fails(badUtf8, 10, "string is not valid UTF-8");
    }

    @Test
    void deepNesting() {
        String deep = "{\"__metadata__\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        fails(RawFile.of(deep, new byte[0]), -1, "nested deeper than " + HeaderJson.MAX_DEPTH);
    }

    @Test
    void unknownDtype() {
        for (String dtype : new String[] {"F4", "f32", "FLOAT", ""}) {
            String h = "{" + tensor("w", dtype, "[1]", 0, 4) + "}";
            fails(RawFile.of(h, new byte[4]), 8 + h.indexOf("\"" + dtype + "\""),
                    "tensor \"w\": unknown dtype \"" + dtype + "\"; expected one of F32, F16, BF16, F64", "I64, U64, BOOL");
        }
    }

    @Test
    void malformedEntries() {
        fails(RawFile.of("{\"w\":[1]}", new byte[0]), 13, "tensor \"w\" must be an object with dtype, shape and data_offsets");
        fails(RawFile.of("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,0]}}", new byte[0]), 13, "tensor \"w\" is missing \"shape\"");
        fails(RawFile.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[0]}}", new byte[0]), 13, "is missing \"data_offsets\"");
        fails(RawFile.of("{\"w\":{\"shape\":[0],\"data_offsets\":[0,0]}}", new byte[0]), 13, "is missing \"dtype\"");
        fails(RawFile.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0],\"x\":1}}", new byte[0]), -1,
                "tensor \"w\" has unknown key \"x\": expected only dtype, shape and data_offsets");
        fails(RawFile.of("{\"w\":{\"dtype\":32,\"shape\":[0],\"data_offsets\":[0,0]}}", new byte[0]), -1, "dtype must be a string");
        fails(RawFile.of("{\"w\":{\"dtype\":\"F32\",\"shape\":0,\"data_offsets\":[0,0]}}", new byte[0]), -1, "shape must be an array of integers");
        fails(RawFile.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,0]}}", new byte[0]), -1, "must hold non-negative integers");
        fails(RawFile.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0,0]}}", new byte[0]), -1,
                "data_offsets must have 2 elements, found 3");
        fails(RawFile.of("{\"__metadata__\":{\"k\":1}}", new byte[0]), 8 + 21, "__metadata__ value for \"k\" must be a string");
        fails(RawFile.of("{\"__metadata__\":[]}", new byte[0]), 8 + 16, "__metadata__ must be an object of strings");
    }

    @Test
    void streamsAreCheckedTheSameWay() {
        byte[] whole = RawFile.of(W, floats(1, 2));
        assertStream(Arrays.copyOf(whole, 5), "stream ended after 5 bytes");
        assertStream(Arrays.copyOf(whole, 20), "stream ended inside the header: expected " + W.length() + " header bytes, got 12");
        assertStream(Arrays.copyOf(whole, whole.length - 1), "which holds 7 bytes (expected 8)");
        assertStream(RawFile.of(W, floats(1, 2, 3)), "trailing data after the last tensor");
        assertStream(RawFile.withLength(Long.MIN_VALUE, new byte[0]), "exceeds the limit");
    }

    private static void assertStream(byte[] bytes, String fragment) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> Safetensors.read(new ByteArrayInputStream(bytes), "s.safetensors"));
        assertTrue(e.getMessage().startsWith("s.safetensors: ") && e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void filesNameTheirPathOnBothReadPaths(@TempDir Path dir) throws IOException {
        byte[] whole = RawFile.of(W, floats(1, 2));
        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, Arrays.copyOf(whole, whole.length - 4));
        Path huge = dir.resolve("huge.safetensors");
        Files.write(huge, RawFile.withLength(1L << 40, new byte[64]));
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[3]);
        for (long threshold : new long[] {SafetensorsReader.MMAP_THRESHOLD, 0}) {        // heap, then mapped
            assertPath(() -> SafetensorsReader.open(truncated, threshold, SafetensorsReader.MAX_WINDOW), truncated, "holds 4 bytes");
            assertPath(() -> SafetensorsReader.open(huge, threshold, SafetensorsReader.MAX_WINDOW), huge, "header length 1099511627776 exceeds");
            assertPath(() -> SafetensorsReader.open(tiny, threshold, SafetensorsReader.MAX_WINDOW), tiny, "file is 3 bytes");
        }
    }

    private interface Opener {
        SafetensorsFile open() throws IOException;
    }

    private static void assertPath(Opener opener, Path path, String fragment) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, opener::open);
        assertEquals(path.toString(), e.source());
        assertTrue(e.getMessage().startsWith(path + ": ") && e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void accessErrorsNameTheTensor() {
        String h = "{" + tensor("x", "F32", "[1]", 0, 4) + "," + tensor("n", "I64", "[1]", 4, 12) + "}";
        byte[] data = RawFile.concat(floats(1), new byte[] {0, 0, 0, 0, 1, 0, 0, 0});   // 2^32
        SafetensorsFile f = Safetensors.read(RawFile.of(h, data), "f.safetensors");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.tensor("y"));
        assertEquals("f.safetensors has no tensor \"y\"; it has: x, n", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> f.intTensor("x"));
        assertTrue(e.getMessage().contains("tensor \"x\" (F32 [1]) is floating point"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> f.intTensor("n"));
        assertTrue(e.getMessage().contains("tensor \"n\" element 0 = 4294967296 (I64) does not fit in an int32"), e.getMessage());
        assertEquals(0x1p32f, f.tensor("n").item());
    }
}
