package dev.tersor.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Large files go through the memory-mapped path. */
class SafetensorsMmapTest {
    private static final int SIDE = 4096;            // 4096 x 4096 F32 = 64 MiB

    @Test
    void a64MiBFileIsMappedNotCopied(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("big.safetensors");
        new SafetensorsWriter()
                .metadata("size", "64MiB")
                .add("head", Tensor.fromArray(new float[] {-1, -2, -3}, 3))
                .add("big", DType.F32, new int[] {SIDE, SIDE}, out -> {     // element i holds (float) i, exact below 2^24
                    ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < SIDE * SIDE; i++) {
                        if (!chunk.hasRemaining()) {
                            out.write(chunk.array());
                            chunk.clear();
                        }
                        chunk.putFloat(i);
                    }
                    out.write(chunk.array(), 0, chunk.position());
                })
                .add("tail", IntTensor.of(new int[] {7, -7}, 2), DType.I64)
                .write(p);
        assertTrue(Files.size(p) > 64L << 20);
        try (SafetensorsFile f = Safetensors.read(p)) {
            assertTrue(f.isMapped(), f.toString());
            assertEquals(List.of("head", "big", "tail"), f.names());
            assertEquals("64MiB", f.metadata().get("size"));
            ByteBuffer big = f.bytes("big");
            assertTrue(big.isDirect() && big.isReadOnly());
            assertEquals(4L * SIDE * SIDE, big.capacity());
            for (int i : new int[] {0, 1, 4095, 4096, 12_345_678, SIDE * SIDE - 1}) assertEquals(i, big.getFloat(4 * i), 0f, "big[" + i + "]");
            assertArrayEquals(new float[] {-1, -2, -3}, f.tensor("head").toArray());
            assertArrayEquals(new int[] {7, -7}, f.intTensor("tail").toArray());
            Tensor t = f.tensor("big");
            assertArrayEquals(new int[] {SIDE, SIDE}, t.shape());
            assertEquals(SIDE * SIDE - 1, t.get(SIDE - 1, SIDE - 1));
            assertEquals(2 * SIDE + 5, t.get(2, 5));
        }
    }

    /** Windows cut at tensor boundaries (forced tiny here): every tensor readable, an oversized one refused clearly. */
    @Test
    void mappingInWindows(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("w.safetensors");
        new SafetensorsWriter()
                .add("a", Tensor.fromArray(new float[] {1, 2}, 2))         // 8 bytes
                .add("b", Tensor.fromArray(new float[] {3, 4, 5}, 3))      // 12: a+b = 20 > 16, new window
                .add("empty", Tensor.zeros(0))
                .add("c", Tensor.fromArray(new float[] {6}, 1))            // 4: shares b's window
                .add("huge", Tensor.fromArray(new float[] {7, 8, 9, 10, 11}, 5))   // 20 > 16: no window
                .add("d", Tensor.fromArray(new float[] {12}, 1))
                .write(p);
        try (SafetensorsFile f = SafetensorsReader.open(p, 0, 16)) {
            assertTrue(f.isMapped());
            assertArrayEquals(new float[] {1, 2}, f.tensor("a").toArray());
            assertArrayEquals(new float[] {3, 4, 5}, f.tensor("b").toArray());
            assertEquals(0, f.tensor("empty").numel());
            assertArrayEquals(new float[] {6}, f.tensor("c").toArray());
            assertArrayEquals(new float[] {12}, f.tensor("d").toArray());
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> f.tensor("huge"));
            assertTrue(e.getMessage().contains("tensor \"huge\" is 20 bytes"), e.getMessage());
        }
    }
}
