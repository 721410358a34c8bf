package dev.tersor.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Fuzz targets for the safetensors reader (header JSON, header rules and data section) and for
 * the project's JSON parser. Contract: a file the reader accepts round-trips through
 * {@link SafetensorsWriter} byte for byte (tensors, shapes, dtypes, metadata), the byte-array and
 * stream readers agree, and anything else is a {@link SafetensorsFormatException} (the JSON
 * parser: a {@link JsonFormatException}) with a message. Regression mode (every build) replays
 * {@code src/test/resources/dev/tersor/nn/io/SafetensorsFuzzTestInputs/<method>/}; see
 * docs/fuzzing.md for fuzzing mode.
 */
class SafetensorsFuzzTest {

    @FuzzTest(maxExecutions = 400_000, maxDuration = "60s")
    void safetensors(byte[] data) throws IOException {
        SafetensorsFile f;
        try {
            f = Safetensors.read(data, "fuzz");
        } catch (SafetensorsFormatException e) {
            assertMessage(e);
            SafetensorsFormatException s = org.junit.jupiter.api.Assertions.assertThrows(SafetensorsFormatException.class,
                    () -> Safetensors.read(new ByteArrayInputStream(data), "fuzz"), "the stream reader accepted what the array reader refused");
            assertMessage(s);
            return;
        }
        SafetensorsFile streamed = Safetensors.read(new ByteArrayInputStream(data), "fuzz");
        assertEquals(f.names(), streamed.names());
        SafetensorsWriter w = new SafetensorsWriter().metadata(f.metadata());
        long elements = 0;
        for (String name : f.names()) {
            elements += f.numel(name);
            ByteBuffer bytes = f.bytes(name);
            assertEquals(f.numel(name) * f.dtype(name).byteSize(), bytes.remaining(), name);
            assertEquals(bytes, streamed.bytes(name), name);
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            w.add(name, f.dtype(name), f.shape(name), out -> out.write(copy));
            if (f.numel(name) <= 1 << 16) {
                assertEquals(f.numel(name), f.tensor(name).numel(), name);   // every dtype converts to float
                if (!f.dtype(name).isFloatingPoint()) {
                    try {
                        f.intTensor(name);
                    } catch (IllegalArgumentException e) {
                        assertTrue(e.getMessage().contains("fuzz"), e.getMessage());   // a 64-bit value out of int range
                    }
                }
            }
        }
        assertTrue(elements <= data.length, "more elements than bytes");   // so tensor() allocates at most 4 bytes per input byte
        SafetensorsFile again = Safetensors.read(w.toByteArray(), "rewritten");
        assertEquals(f.names(), again.names());
        assertEquals(f.metadata(), again.metadata());
        for (String name : f.names()) {
            assertEquals(f.dtype(name), again.dtype(name));
            assertArrayEquals(f.shape(name), again.shape(name));
            assertEquals(f.bytes(name), again.bytes(name), name);
        }
    }

    @FuzzTest(maxExecutions = 400_000, maxDuration = "60s")
    void json(byte[] data) {
        for (JsonReader.Options o : new JsonReader.Options[] {JsonReader.Options.JSON, HeaderJson.OPTIONS}) {
            try {
                assertNotNull(JsonReader.parse(data, data.length, o));
            } catch (JsonFormatException e) {
                assertTrue(e.offset() >= 0 && e.offset() <= data.length, e.getMessage());
                assertTrue(e.problem() != null && !e.problem().isBlank(), e.getMessage());
            }
        }
    }

    private static void assertMessage(SafetensorsFormatException e) {
        assertTrue(e.getMessage().startsWith("fuzz: "), e.getMessage());
        assertTrue(e.getMessage().length() > "fuzz: ".length() + 10, e.getMessage());
    }
}
