package dev.tersor.nn.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A small reader of tar archives (ustar, with GNU long names and pax {@code path} records), enough
 * for the CIFAR archives. Regular files and directories are extracted; links and special files
 * are skipped. Each file is written to a temporary name and then renamed, and no entry may land
 * outside the target directory.
 */
final class Tar {
    private static final int BLOCK = 512;
    private static final int MAX_META = 1 << 20;   // longest GNU long-name or pax record accepted

    private Tar() {}

    /** Extracts a gzip-compressed tar archive into {@code dir}; returns the files written. */
    static List<Path> extractGz(Path archive, Path dir) throws IOException {
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive), 1 << 16), 1 << 16)) {
            return extract(archive.toString(), in, dir);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new IOException(archive + ": truncated or corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    /** Extracts the tar stream {@code in} (named {@code name} in errors) into {@code dir}. */
    static List<Path> extract(String name, InputStream in, Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        Files.createDirectories(root);
        List<Path> written = new ArrayList<>();
        String longName = null;
        long offset = 0;
        byte[] buf = new byte[1 << 16];
        while (true) {
            byte[] h = in.readNBytes(BLOCK);
            if (h.length == 0) break;   // tolerate a missing end-of-archive marker
            if (h.length < BLOCK) throw new IOException(name + ": truncated tar header at offset " + offset);
            if (isZero(h)) break;
            checkChecksum(name, h, offset);
            String entry = text(h, 0, 100);
            if (text(h, 257, 5).equals("ustar")) {
                String prefix = text(h, 345, 155);
                if (!prefix.isEmpty()) entry = prefix + "/" + entry;
            }
            if (longName != null) {
                entry = longName;
                longName = null;
            }
            long size = number(name, h, 124, 12, offset);
            byte type = h[156];
            long dataAt = offset + BLOCK;
            switch (type) {
                case 'L', 'x' -> {
                    if (size > MAX_META) throw new IOException(name + ": " + size + "-byte metadata entry at offset " + offset + " is too large");
                    byte[] meta = in.readNBytes((int) size);
                    if (meta.length < size) throw new IOException(name + ": truncated tar entry at offset " + dataAt);
                    longName = type == 'L' ? text(meta, 0, meta.length) : paxPath(meta);
                }
                case '0', 0 -> {
                    Path target = safe(name, root, entry, offset);
                    Files.createDirectories(target.getParent());
                    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
                    try (OutputStream out = Files.newOutputStream(tmp)) {
                        for (long left = size; left > 0; ) {
                            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                            if (n < 0) throw new IOException(name + ": truncated, entry " + entry + " at offset " + offset + " ends early");
                            out.write(buf, 0, n);
                            left -= n;
                        }
                    } catch (IOException e) {
                        Files.deleteIfExists(tmp);
                        throw e;
                    }
                    move(tmp, target);
                    written.add(target);
                }
                case '5' -> {
                    Files.createDirectories(safe(name, root, entry, offset));
                    skip(name, in, size, dataAt);
                }
                default -> skip(name, in, size, dataAt);   // links, devices, pax globals: not needed
            }
            skip(name, in, pad(size), dataAt + size);
            offset = dataAt + size + pad(size);
        }
        return written;
    }

    private static long pad(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private static void skip(String name, InputStream in, long n, long at) throws IOException {
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) throw new IOException(name + ": truncated tar data at offset " + (at + n - left));
                s = 1;
            }
            left -= s;
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** {@code root/entry}, refusing absolute names and names that climb out of {@code root}. */
    private static Path safe(String name, Path root, String entry, long offset) throws IOException {
        Path rel;
        try {
            rel = Path.of(entry);
        } catch (java.nio.file.InvalidPathException e) {   // e.g. a NUL byte from a pax record
            throw new IOException(name + ": entry name at offset " + offset + " is not a valid path (" + e.getReason() + ")", e);
        }
        Path target = root.resolve(rel).normalize();
        if (entry.isEmpty() || rel.isAbsolute() || entry.startsWith("/") || !target.startsWith(root) || target.equals(root)) {
            throw new IOException(name + ": entry '" + entry + "' at offset " + offset + " would be written outside " + root);
        }
        return target;
    }

    private static void checkChecksum(String name, byte[] h, long offset) throws IOException {
        long stored = number(name, h, 148, 8, offset);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xFF);
        if (sum != stored) {
            throw new IOException(name + ": bad tar header checksum at offset " + offset + " (stored " + stored + ", computed " + sum
                    + "); not a tar archive or corrupt");
        }
    }

    /** An octal field (NUL/space terminated), or a base-256 one (high bit of the first byte set). */
    private static long number(String name, byte[] h, int at, int len, long offset) throws IOException {
        if ((h[at] & 0x80) != 0) {
            long v = h[at] & 0x7F;
            for (int i = at + 1; i < at + len; i++) {
                if (v > (Long.MAX_VALUE >> 8)) throw new IOException(name + ": tar number at offset " + (offset + at) + " is too large");
                v = (v << 8) | (h[i] & 0xFF);
            }
            return v;
        }
        long v = 0;
        int i = at;
        while (i < at + len && h[i] == ' ') i++;
        for (; i < at + len && h[i] != 0 && h[i] != ' '; i++) {
            if (h[i] < '0' || h[i] > '7' || v > (Long.MAX_VALUE >> 3)) {
                throw new IOException(name + ": bad octal number in tar header at offset " + (offset + at));
            }
            v = (v << 3) | (h[i] - '0');
        }
        return v;
    }

    private static String text(byte[] b, int at, int len) {
        int end = at;
        while (end < at + len && b[end] != 0) end++;
        return new String(b, at, end - at, StandardCharsets.UTF_8);
    }

    /** The {@code path} of a pax extended header ("LEN path=VALUE\n" records), or null. */
    private static String paxPath(byte[] meta) {
        String s = new String(meta, StandardCharsets.UTF_8);
        String found = null;
        for (String rec : s.split("\n")) {
            int sp = rec.indexOf(' ');
            if (sp > 0 && rec.startsWith("path=", sp + 1)) found = rec.substring(sp + 6);
        }
        return found;
    }

    private static boolean isZero(byte[] h) {
        for (byte b : h) if (b != 0) return false;
        return true;
    }
}
