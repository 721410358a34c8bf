package dev.tersor.nn.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Strict reader of the unsigned-byte IDX files of MNIST-like data sets (format: LeCun et al.):
 * a big-endian header (magic {@code 0x00000803} then count, rows, columns for images; magic
 * {@code 0x00000801} then count for labels) followed by exactly the bytes it announces. Memory is
 * only ever allocated for bytes actually read, never from an unchecked header value.
 */
final class Idx {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    private static final float[] UNIT = new float[256];   // byte value -> value / 255

    static {
        for (int i = 0; i < 256; i++) UNIT[i] = i / 255f;
    }

    private Idx() {}

    /** Images of an IDX file: {@code count} images of {@code rows x cols}, scaled to [0, 1]. */
    record Images(int count, int rows, int cols, float[] pixels) {}

    /** Opens {@code file}, gunzipping it when its name ends with {@code .gz}. */
    static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        if (!file.getFileName().toString().endsWith(".gz")) return in;
        try {
            return new GZIPInputStream(in, 1 << 16);
        } catch (IOException e) {
            in.close();
            throw new IOException(file + ": not a gzip file (" + e.getMessage() + "); a name ending in .gz must hold gzip data", e);
        }
    }

    /** Reads an image file; {@code name} is used in error messages. */
    static Images readImages(String name, InputStream in, int expectRows, int expectCols) throws IOException {
        byte[] header = readHeader(name, in, 16);
        int magic = header(header, 0);
        checkMagic(name, magic, IMAGES_MAGIC, "unsigned-byte images with 3 dimensions");
        int count = header(header, 4);
        int rows = header(header, 8);
        int cols = header(header, 12);
        if (count < 0) throw new IOException(name + ": image count " + Integer.toUnsignedString(count) + " at offset 4 is too large");
        if (rows != expectRows || cols != expectCols) {
            throw new IOException(name + ": images are " + Integer.toUnsignedString(rows) + "x" + Integer.toUnsignedString(cols)
                    + " (offsets 8 and 12), expected " + expectRows + "x" + expectCols);
        }
        long payload = (long) count * rows * cols;
        if (payload > Integer.MAX_VALUE - 64) {
            throw new IOException(name + ": header announces " + count + " images of " + rows + "x" + cols + " = " + payload
                    + " bytes, more than one array can hold");
        }
        byte[] bytes = readPayload(name, in, 16, (int) payload, count + " images of " + rows + "x" + cols);
        float[] pixels = new float[bytes.length];
        for (int i = 0; i < bytes.length; i++) pixels[i] = UNIT[bytes[i] & 0xFF];
        return new Images(count, rows, cols, pixels);
    }

    /** Reads a label file and checks every label is below {@code classes}. */
    static int[] readLabels(String name, InputStream in, int classes) throws IOException {
        byte[] header = readHeader(name, in, 8);
        checkMagic(name, header(header, 0), LABELS_MAGIC, "unsigned-byte labels with 1 dimension");
        int count = header(header, 4);
        if (count < 0 || count > Integer.MAX_VALUE - 64) {
            throw new IOException(name + ": label count " + Integer.toUnsignedString(count) + " at offset 4 is too large");
        }
        byte[] bytes = readPayload(name, in, 8, count, count + " labels");
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            int l = bytes[i] & 0xFF;
            if (l >= classes) {
                throw new IOException(name + ": label " + l + " at offset " + (8L + i) + " (sample " + i + "), expected 0.." + (classes - 1));
            }
            labels[i] = l;
        }
        return labels;
    }

    private static byte[] readHeader(String name, InputStream in, int length) throws IOException {
        byte[] header = read(name, in, length);
        if (header.length < length) {
            throw new IOException(name + ": truncated header, " + header.length + " bytes where the IDX header needs " + length);
        }
        return header;
    }

    private static void checkMagic(String name, int magic, int expected, String what) throws IOException {
        if (magic == expected) return;
        String hint = (magic >>> 16) == 0x1F8B ? " (the file looks gzip-compressed: its name should end in .gz)" : "";
        throw new IOException(String.format("%s: bad magic number 0x%08X at offset 0, expected 0x%08X (%s)%s",
                name, magic, expected, what, hint));
    }

    /** Reads exactly {@code length} bytes after the header and checks that nothing follows. */
    private static byte[] readPayload(String name, InputStream in, int headerSize, int length, String what) throws IOException {
        byte[] bytes = read(name, in, length);   // allocates as data arrives, never length up front
        if (bytes.length < length) {
            throw new IOException(name + ": truncated, the header announces " + what + " (" + length + " bytes after the "
                    + headerSize + "-byte header) but the data ends at offset " + (headerSize + (long) bytes.length));
        }
        int extra;
        try {
            extra = in.read();
        } catch (IOException e) {
            throw new IOException(name + ": corrupt data after offset " + (headerSize + (long) length) + ": " + e.getMessage(), e);
        }
        if (extra != -1) {
            throw new IOException(name + ": unexpected data after offset " + (headerSize + (long) length)
                    + ", where the " + what + " announced by the header end");
        }
        return bytes;
    }

    private static byte[] read(String name, InputStream in, int length) throws IOException {
        try {
            return in.readNBytes(length);
        } catch (java.io.EOFException | java.util.zip.ZipException e) {
            throw new IOException(name + ": truncated or corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static int header(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }
}
