package dev.tersor.nn.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Hand-made IDX files for the tests. */
final class IdxFiles {
    private IdxFiles() {}

    /** An IDX image file: header (magic, count, rows, cols) then {@code pixels}. */
    static byte[] images(int magic, int count, int rows, int cols, byte[] pixels) {
        return ByteBuffer.allocate(16 + pixels.length).putInt(magic).putInt(count).putInt(rows).putInt(cols).put(pixels).array();
    }

    /** A well-formed image file of {@code count} 28x28 images whose pixel k of image i is {@code (i * 31 + k) % 256}. */
    static byte[] images(int count) {
        return images(0x803, count, 28, 28, pixels(count));
    }

    static byte[] pixels(int count) {
        byte[] p = new byte[count * 784];
        for (int i = 0; i < count; i++) for (int k = 0; k < 784; k++) p[i * 784 + k] = (byte) ((i * 31 + k) % 256);
        return p;
    }

    /** An IDX label file: header (magic, count) then {@code labels}. */
    static byte[] labels(int magic, int count, byte[] labels) {
        return ByteBuffer.allocate(8 + labels.length).putInt(magic).putInt(count).put(labels).array();
    }

    static byte[] labels(int... labels) {
        byte[] b = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) b[i] = (byte) labels[i];
        return labels(0x801, labels.length, b);
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    /** Writes {@code data} to {@code dir/name}, gzipped first when the name ends in .gz. */
    static Path write(Path dir, String name, byte[] data) throws IOException {
        Files.createDirectories(dir);
        return Files.write(dir.resolve(name), name.endsWith(".gz") ? gzip(data) : data);
    }
}
