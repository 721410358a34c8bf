package dev.tersor.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed write leaves the previous file as it was and no temporary file behind. */
class SafetensorsAtomicWriteTest {
    @TempDir
    Path dir;
    private Path target;
    private byte[] previous;

    @BeforeEach
    void writePreviousVersion() throws IOException {
        target = dir.resolve("model.safetensors");
        new SafetensorsWriter().metadata("version", "1").add("w", Tensor.fromArray(new float[] {1, 2, 3}, 3)).write(target);
        previous = Files.readAllBytes(target);
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private void assertUntouched() throws IOException {
        assertArrayEquals(previous, Files.readAllBytes(target));
        assertEquals(List.of("model.safetensors"), listing(), "no temporary file left behind");
        try (SafetensorsFile f = Safetensors.read(target)) {
            assertEquals("1", f.metadata().get("version"));
        }
    }

    /** Version 2: a large first tensor (so bytes really reach the temporary file) then a failing one. */
    private static SafetensorsWriter failingAfterMegabytes(SafetensorsWriter.ByteSource last) {
        return new SafetensorsWriter()
                .metadata("version", "2")
                .add("w", Tensor.zeros(1 << 20))
                .add("bad", DType.F32, new int[] {1024}, last);
    }

    @Test
    void aSourceThrowingMidwayLeavesThePreviousFile() throws IOException {
        SafetensorsWriter w = failingAfterMegabytes(out -> {
            out.write(new byte[1000]);
            throw new IOException("disk on fire");
        });
        IOException e = assertThrows(IOException.class, () -> w.write(target));
        assertEquals("disk on fire", e.getMessage());
        assertUntouched();
        RuntimeException r = assertThrows(IllegalStateException.class, () -> failingAfterMegabytes(out -> {
            throw new IllegalStateException("bug in a source");
        }).write(target));
        assertEquals("bug in a source", r.getMessage());
        assertUntouched();
    }

    @Test
    void aSourceWritingTheWrongByteCountFailsAtomically() throws IOException {
        IllegalStateException shortWrite = assertThrows(IllegalStateException.class,
                () -> failingAfterMegabytes(out -> out.write(new byte[4000])).write(target));
        assertEquals("tensor \"bad\" (F32 [1024]): its source wrote 4000 bytes, expected 4096", shortWrite.getMessage());
        assertUntouched();
        IllegalStateException longWrite = assertThrows(IllegalStateException.class,
                () -> failingAfterMegabytes(out -> out.write(new byte[4097])).write(target));
        assertTrue(longWrite.getMessage().contains("wrote more than the expected 4096 bytes"), longWrite.getMessage());
        assertUntouched();
    }

    @Test
    void aDirectoryInTheWayIsRefusedUntouched() throws IOException {
        Path occupied = dir.resolve("occupied");
        Files.createDirectory(occupied);
        Files.write(occupied.resolve("keep"), new byte[] {1});
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> new SafetensorsWriter().add("w", Tensor.scalar(1)).write(occupied));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
        assertEquals(List.of("model.safetensors", "occupied"), listing());
        assertTrue(Files.exists(occupied.resolve("keep")));
    }

    @Test
    void aMissingDirectoryFailsWithoutCreatingAnything() throws IOException {
        assertThrows(NoSuchFileException.class,
                () -> new SafetensorsWriter().add("w", Tensor.scalar(1)).write(dir.resolve("no/such/dir/x.safetensors")));
        assertUntouched();
    }

    @Test
    void aSuccessfulWriteReplacesTheFile() throws IOException {
        new SafetensorsWriter().metadata("version", "2").add("w", Tensor.fromArray(new float[] {4, 5}, 2)).write(target);
        assertEquals(List.of("model.safetensors"), listing());
        try (SafetensorsFile f = Safetensors.read(target)) {
            assertEquals("2", f.metadata().get("version"));
            assertArrayEquals(new float[] {4, 5}, f.tensor("w").toArray());
        }
        assertFalse(java.util.Arrays.equals(previous, Files.readAllBytes(target)));
        // a relative path in the working directory's terms works too
        Path relative = Path.of("").toAbsolutePath().relativize(dir.resolve("rel.safetensors"));
        new SafetensorsWriter().add("x", Tensor.scalar(2)).write(relative);
        assertEquals(2f, Safetensors.readTensors(dir.resolve("rel.safetensors")).get("x").item());
    }
}
