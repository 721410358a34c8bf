package dev.tersor.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarTest {
    @TempDir
    Path dir;

    /** One ustar entry: header block plus data padded to 512 bytes. */
    static void entry(ByteArrayOutputStream tar, String name, char type, byte[] data) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
        put(h, 100, "0000644\0");
        put(h, 108, "0000000\0");
        put(h, 116, "0000000\0");
        put(h, 124, String.format("%011o\0", data.length));
        put(h, 136, "00000000000\0");
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = (byte) type;
        put(h, 257, "ustar\0");
        put(h, 263, "00");
        int sum = 0;
        for (byte b : h) sum += b & 0xFF;
        put(h, 148, String.format("%06o\0 ", sum));
        tar.writeBytes(h);
        tar.writeBytes(data);
        tar.writeBytes(new byte[(512 - data.length % 512) % 512]);
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }

    static byte[] end(ByteArrayOutputStream tar) {
        tar.writeBytes(new byte[1024]);
        return tar.toByteArray();
    }

    @Test
    void extractsFilesDirectoriesAndLongNames() throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        byte[] batch = new byte[3073 * 2 + 7];
        for (int i = 0; i < batch.length; i++) batch[i] = (byte) (i * 13);
        entry(tar, "cifar-10-batches-bin/", '5', new byte[0]);
        entry(tar, "cifar-10-batches-bin/data_batch_1.bin", '0', batch);
        entry(tar, "cifar-10-batches-bin/readme.html", '0', "hi".getBytes(StandardCharsets.UTF_8));
        String longName = "cifar-10-batches-bin/" + "x".repeat(150) + ".txt";
        entry(tar, "././@LongLink", 'L', (longName + "\0").getBytes(StandardCharsets.UTF_8));
        entry(tar, "ignored-short-name", '0', new byte[] {42});
        entry(tar, "cifar-10-batches-bin/link", '2', new byte[0]);
        Path archive = dir.resolve("a.tar.gz");
        Files.write(archive, IdxFiles.gzip(end(tar)));
        Path out = dir.resolve("out");
        List<Path> written = Tar.extractGz(archive, out);
        Path batches = out.toAbsolutePath().resolve("cifar-10-batches-bin");
        assertEquals(List.of(batches.resolve("data_batch_1.bin"), batches.resolve("readme.html"), batches.resolve("x".repeat(150) + ".txt")),
                written);
        assertArrayEquals(batch, Files.readAllBytes(batches.resolve("data_batch_1.bin")));
        assertArrayEquals(new byte[] {42}, Files.readAllBytes(batches.resolve("x".repeat(150) + ".txt")));
        assertFalse(Files.exists(batches.resolve("link")));
        try (var files = Files.list(batches)) {
            assertEquals(3, files.count(), "no temporary files left");
        }
    }

    @Test
    void refusesEntriesOutsideTheTarget() throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        entry(tar, "../evil.txt", '0', new byte[] {1});
        Path archive = dir.resolve("evil.tar.gz");
        Files.write(archive, IdxFiles.gzip(end(tar)));
        IOException e = assertThrows(IOException.class, () -> Tar.extractGz(archive, dir.resolve("out")));
        assertTrue(e.getMessage().contains("entry '../evil.txt' at offset 0 would be written outside"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("evil.txt")));
    }

    @Test
    void rejectsCorruptArchives() throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        entry(tar, "a.bin", '0', new byte[2000]);
        byte[] whole = end(tar);
        Path cut = dir.resolve("cut.tar.gz");
        Files.write(cut, IdxFiles.gzip(Arrays.copyOf(whole, 1000)));
        IOException e = assertThrows(IOException.class, () -> Tar.extractGz(cut, dir.resolve("o1")));
        assertTrue(e.getMessage().contains("truncated, entry a.bin at offset 0 ends early"), e.getMessage());
        byte[] bad = whole.clone();
        bad[0] = 'b';   // checksum no longer matches
        Path badSum = dir.resolve("bad.tar.gz");
        Files.write(badSum, IdxFiles.gzip(bad));
        e = assertThrows(IOException.class, () -> Tar.extractGz(badSum, dir.resolve("o2")));
        assertTrue(e.getMessage().contains("bad tar header checksum at offset 0"), e.getMessage());
        Path notGzip = dir.resolve("plain.tar.gz");
        Files.write(notGzip, whole);
        e = assertThrows(IOException.class, () -> Tar.extractGz(notGzip, dir.resolve("o3")));
        assertTrue(e.getMessage().contains("plain.tar.gz: truncated or corrupt gzip data"), e.getMessage());
    }

    @Test
    void aPaxPathThatIsNoPathIsAnIOException() {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        String record = "path=a\0b\n";
        String pax = (record.length() + 3) + " " + record;   // "LEN path=VALUE\n", LEN counting itself
        entry(tar, "PaxHeader", 'x', pax.getBytes(StandardCharsets.UTF_8));
        entry(tar, "ignored", '0', new byte[] {1, 2, 3});
        byte[] archive = end(tar);
        IOException e = assertThrows(IOException.class, () -> Tar.extract("t.tar", new java.io.ByteArrayInputStream(archive), dir.resolve("out")));
        assertTrue(e.getMessage().contains("is not a valid path"), e.getMessage());
    }
}
