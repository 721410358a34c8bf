package dev.tersor.nn.io;

import dev.tersor.nn.io.SafetensorsHeader.Entry;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens safetensors files, byte arrays and streams into a {@link SafetensorsFile}. Nothing is
 * allocated from a size read in the file before that size is checked: the header length
 * against the file size and {@link SafetensorsHeader#MAX_HEADER_BYTES}, the data section
 * against the offsets. Files larger than {@link #MMAP_THRESHOLD} are memory-mapped read-only,
 * in windows of at most 2 GiB cut at tensor boundaries; smaller ones are read onto the heap.
 */
final class SafetensorsReader {
    /** Files of at most this many bytes are read whole; larger ones are memory-mapped. */
    static final long MMAP_THRESHOLD = 1 << 20;
    /** Largest mapped window, the most one {@link ByteBuffer} can address. */
    static final long MAX_WINDOW = Integer.MAX_VALUE;

    private SafetensorsReader() {
    }

    static SafetensorsFile open(Path path) throws IOException {
        return open(path, MMAP_THRESHOLD, MAX_WINDOW);
    }

    /** {@link #open(Path)} with the thresholds as parameters, so tests can force the mapped path. */
    static SafetensorsFile open(Path path, long mmapThreshold, long maxWindow) throws IOException {
        String source = path.toString();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size <= mmapThreshold) {
                byte[] all = new byte[(int) size];
                int got = readFully(ch, ByteBuffer.wrap(all), 0);
                return fromBytes(got == all.length ? all : Arrays.copyOf(all, got), source);
            }
            if (size < 8) return fromBytes(new byte[(int) size], source);   // reports the short file
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lengthBytes, 0);
            int n = SafetensorsHeader.checkHeaderLength(lengthBytes.getLong(0), size, source);
            byte[] headerBytes = new byte[n];
            if (readFully(ch, ByteBuffer.wrap(headerBytes), 8) < n) throw new EOFException(source + " shrank while being read");
            SafetensorsHeader header = SafetensorsHeader.parse(headerBytes, n, source);
            header.checkDataLength(size - header.dataStart);
            return new SafetensorsFile(header, mapWindows(ch, header, maxWindow), true);
        }
    }

    static SafetensorsFile fromBytes(byte[] bytes, String source) {
        if (bytes.length < 8) {
            throw new SafetensorsFormatException(source, 0, "file is " + bytes.length
                    + " bytes: expected at least the 8-byte little-endian header length");
        }
        ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = SafetensorsHeader.checkHeaderLength(all.getLong(0), bytes.length, source);
        SafetensorsHeader header = SafetensorsHeader.parse(Arrays.copyOfRange(bytes, 8, 8 + n), n, source);
        header.checkDataLength(bytes.length - header.dataStart);
        return new SafetensorsFile(header, slices(all.slice(8 + n, (int) header.dataLength), 0, header.byOffset), false);
    }

    static SafetensorsFile fromStream(InputStream in, String source) throws IOException {
        byte[] lengthBytes = in.readNBytes(8);
        if (lengthBytes.length < 8) {
            throw new SafetensorsFormatException(source, 0, "stream ended after " + lengthBytes.length
                    + " bytes: expected the 8-byte little-endian header length");
        }
        long raw = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int n = SafetensorsHeader.checkHeaderLength(raw, -1, source);
        byte[] headerBytes = in.readNBytes(n);      // grows with the bytes actually read
        if (headerBytes.length < n) {
            throw new SafetensorsFormatException(source, 8L + headerBytes.length, "stream ended inside the header: expected "
                    + n + " header bytes, got " + headerBytes.length);
        }
        SafetensorsHeader header = SafetensorsHeader.parse(headerBytes, n, source);
        if (header.dataLength > Integer.MAX_VALUE - 16) {
            throw new SafetensorsFormatException(source, -1, "data section of " + header.dataLength
                    + " bytes is too large to read from a stream (limit 2 GiB): open the file by path to memory-map it");
        }
        byte[] data = in.readNBytes((int) header.dataLength);
        header.checkDataLength(data.length);
        if (in.read() != -1) {
            throw new SafetensorsFormatException(source, header.dataStart + header.dataLength,
                    "trailing data after the last tensor: expected the stream to end here");
        }
        ByteBuffer buf = ByteBuffer.wrap(data);
        return new SafetensorsFile(header, slices(buf, 0, header.byOffset), false);
    }

    /** Maps the data section in windows of at most {@code maxWindow} bytes, each cut at a tensor boundary. */
    private static Map<String, ByteBuffer> mapWindows(FileChannel ch, SafetensorsHeader header, long maxWindow) throws IOException {
        Map<String, ByteBuffer> regions = new HashMap<>();
        List<Entry> sorted = header.byOffset;
        int i = 0;
        while (i < sorted.size()) {
            long start = sorted.get(i).begin();
            if (sorted.get(i).byteSize() > maxWindow) {      // too large for one buffer: left without a region
                i++;
                continue;
            }
            int j = i;
            while (j < sorted.size() && sorted.get(j).end() - start <= maxWindow) j++;
            long length = sorted.get(j - 1).end() - start;
            ByteBuffer window = length == 0 ? ByteBuffer.allocate(0)
                    : ch.map(FileChannel.MapMode.READ_ONLY, header.dataStart + start, length);
            regions.putAll(slices(window, start, sorted.subList(i, j)));
            i = j;
        }
        return regions;
    }

    /** Read-only views of each entry inside {@code window}, whose first byte is data offset {@code start}. */
    private static Map<String, ByteBuffer> slices(ByteBuffer window, long start, List<Entry> entries) {
        Map<String, ByteBuffer> regions = new HashMap<>();
        for (Entry e : entries) {
            if (e.byteSize() > Integer.MAX_VALUE) continue;
            regions.put(e.name(), window.slice((int) (e.begin() - start), (int) e.byteSize()).asReadOnlyBuffer());
        }
        return regions;
    }

    /** Reads from {@code position} until {@code dst} is full or the file ends; returns the bytes read. */
    private static int readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int r = ch.read(dst, position + total);
            if (r < 0) break;
            total += r;
        }
        return total;
    }
}
