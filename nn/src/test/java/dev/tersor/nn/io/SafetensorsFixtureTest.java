package dev.tersor.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code io/numpy.safetensors}, laid out by {@code generate_safetensors.py} (struct + json +
 * numpy) the way the reference implementation does: exact values for every dtype it holds.
 */
class SafetensorsFixtureTest {
    private static final String RESOURCE = "/io/numpy.safetensors";
    private static final String EMOJI_NAME = "ünï.😀";      // written by json.dumps as \\u00fcn\\u00ef.\\ud83d\\ude00

    private static SafetensorsFile fromStream() throws IOException {
        try (InputStream in = SafetensorsFixtureTest.class.getResourceAsStream(RESOURCE)) {
            assertNotNull(in, RESOURCE + " missing: run /usr/bin/python3 nn/src/test/resources/io/generate_safetensors.py");
            return Safetensors.read(in, "numpy.safetensors");
        }
    }

    private static Path path() throws URISyntaxException {
        return Path.of(SafetensorsFixtureTest.class.getResource(RESOURCE).toURI());
    }

    private static void assertBits(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    "element " + i + ": expected " + expected[i] + " got " + actual[i]);
        }
    }

    private static void check(SafetensorsFile f) {
        assertEquals(List.of("weight", "half", "brain", "steps", EMOJI_NAME), f.names());
        assertEquals(Map.of("format", "pt", "generator", "generate_safetensors.py"), f.metadata());

        assertEquals(DType.F32, f.dtype("weight"));
        Tensor w = f.tensor("weight");
        assertArrayEquals(new int[] {2, 3}, w.shape());
        assertBits(new float[] {1.5f, -2.25f, 0f, 3.0e-5f, -0.0f, 65536f}, w.toArray());

        assertEquals(DType.F16, f.dtype("half"));
        assertBits(new float[] {1f, -2f, 65504f, 0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, 0.333251953125f, -0.0f}, f.tensor("half").toArray());
        ByteBuffer half = f.bytes("half");
        assertEquals(20, half.remaining());
        assertEquals((short) 0x3C00, half.getShort(0));
        assertEquals((short) 0x7BFF, half.getShort(4));

        assertEquals(DType.BF16, f.dtype("brain"));
        assertArrayEquals(new int[] {2, 2}, f.shape("brain"));
        assertBits(new float[] {1f, -3.140625f, 0x1p-130f, 3.3895313892515355e38f}, f.tensor("brain").toArray());
        assertEquals((short) 0x7F7F, f.bytes("brain").getShort(6));

        assertEquals(DType.I64, f.dtype("steps"));
        assertBits(new float[] {0f, -1f, 0x1p40f, -0x1p62f, 7f}, f.tensor("steps").toArray());
        assertEquals(1L << 40, f.bytes("steps").getLong(16));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.intTensor("steps"));
        assertTrue(e.getMessage().contains("element 2 = 1099511627776 (I64) does not fit in an int32"), e.getMessage());

        assertEquals(DType.I8, f.dtype(EMOJI_NAME));
        assertArrayEquals(new int[] {-128, 127, 0}, f.intTensor(EMOJI_NAME).toArray());
        assertArrayEquals(new int[] {1, 3}, f.intTensor(EMOJI_NAME).shape());
    }

    @Test
    void readFromAStreamAsFromAJarResource() throws IOException {
        check(fromStream());
    }

    @Test
    void readFromAFile() throws IOException, URISyntaxException {
        try (SafetensorsFile f = Safetensors.read(path())) {
            check(f);
        }
        try (SafetensorsFile f = SafetensorsReader.open(path(), 0, SafetensorsReader.MAX_WINDOW)) {   // mapped
            assertTrue(f.isMapped());
            check(f);
        }
    }

    /** Copying every tensor's raw bytes through the writer keeps dtypes, shapes, values and metadata. */
    @Test
    void rewritingTheRawBytesReproducesEveryTensor() throws IOException {
        SafetensorsFile f = fromStream();
        SafetensorsWriter w = new SafetensorsWriter().metadata(f.metadata());
        for (String name : f.names()) {
            w.add(name, f.dtype(name), f.shape(name), out -> {
                ByteBuffer b = f.bytes(name);
                byte[] copy = new byte[b.remaining()];
                b.get(copy);
                out.write(copy);
            });
        }
        SafetensorsFile back = Safetensors.read(w.toByteArray(), "rewritten");
        check(back);
        for (String name : f.names()) assertEquals(f.bytes(name), back.bytes(name), name);
    }
}
