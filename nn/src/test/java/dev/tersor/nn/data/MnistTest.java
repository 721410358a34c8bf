package dev.tersor.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistTest {
    @TempDir
    Path dir;

    private static void writeSplit(Path dir, String prefix, String suffix, int count, int... labels) throws IOException {
        IdxFiles.write(dir, prefix + "-images-idx3-ubyte" + suffix, IdxFiles.images(count));
        IdxFiles.write(dir, prefix + "-labels-idx1-ubyte" + suffix, IdxFiles.labels(labels));
    }

    private static void assertLoaded(TensorDataset ds, int count, int... labels) {
        assertEquals(count, ds.size());
        assertArrayEquals(new int[] {count, 1, 28, 28}, ds.inputs().shape());
        assertArrayEquals(labels, ds.labels().toArray());
        assertEquals(Mnist.DIGITS, ds.classes());
        byte[] pixels = IdxFiles.pixels(count);
        float[] got = ds.inputs().toArray();
        for (int i = 0; i < pixels.length; i++) assertEquals((pixels[i] & 0xFF) / 255f, got[i], 0f, "pixel " + i);
    }

    @Test
    void readsRawFiles() throws IOException {
        writeSplit(dir, "train", "", 3, 7, 0, 9);
        writeSplit(dir, "t10k", "", 2, 1, 2);
        assertLoaded(Mnist.load(dir, true), 3, 7, 0, 9);
        assertLoaded(Mnist.load(dir, false), 2, 1, 2);
    }

    @Test
    void readsGzipFilesTheSameAsRaw() throws IOException {
        writeSplit(dir, "train", ".gz", 4, 3, 1, 4, 1);
        TensorDataset ds = Mnist.load(dir, true);
        assertLoaded(ds, 4, 3, 1, 4, 1);
        Path raw = dir.resolve("raw");
        writeSplit(raw, "train", "", 4, 3, 1, 4, 1);
        assertArrayEquals(Mnist.load(raw, true).inputs().toArray(), ds.inputs().toArray());
    }

    @Test
    void rawFileWinsOverGzip() throws IOException {
        writeSplit(dir, "t10k", "", 1, 5);
        Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"), new byte[] {1, 2, 3});   // would fail if read
        assertLoaded(Mnist.load(dir, false), 1, 5);
    }

    @Test
    void testSplitNeedsOnlyTheT10kFiles() throws IOException {
        writeSplit(dir, "t10k", ".gz", 2, 0, 8);
        assertLoaded(Mnist.load(dir, false), 2, 0, 8);
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Mnist.load(dir, true));
        assertTrue(e.getMessage().contains("missing train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
    }

    @Test
    void fashionHasItsClassNames() throws IOException {
        writeSplit(dir, "t10k", "", 1, 9);
        TensorDataset ds = Mnist.loadFashion(dir, false);
        assertEquals("Ankle boot", ds.classes().get(ds.label(0)));
    }

    private String error(String imagesName, byte[] images, String labelsName, byte[] labels) throws IOException {
        Path d = Files.createTempDirectory(dir, "case");
        IdxFiles.write(d, imagesName, images);
        IdxFiles.write(d, labelsName, labels);
        IOException e = assertThrows(IOException.class, () -> Mnist.load(d, false));
        return e.getMessage();
    }

    @Test
    void rejectsBadMagic() throws IOException {
        String m = error("t10k-images-idx3-ubyte", IdxFiles.images(0x801, 1, 28, 28, new byte[784]),
                "t10k-labels-idx1-ubyte", IdxFiles.labels(1));
        assertTrue(m.contains("t10k-images-idx3-ubyte: bad magic number 0x00000801 at offset 0, expected 0x00000803"), m);
        m = error("t10k-images-idx3-ubyte", IdxFiles.images(1), "t10k-labels-idx1-ubyte", IdxFiles.labels(0x803, 1, new byte[1]));
        assertTrue(m.contains("t10k-labels-idx1-ubyte: bad magic number 0x00000803 at offset 0, expected 0x00000801"), m);
    }

    @Test
    void hintsAtGzipDataUnderARawName() throws IOException {
        String m = error("t10k-images-idx3-ubyte", IdxFiles.gzip(IdxFiles.images(1)), "t10k-labels-idx1-ubyte", IdxFiles.labels(1));
        assertTrue(m.contains("looks gzip-compressed"), m);
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        byte[] full = IdxFiles.images(2);
        String m = error("t10k-images-idx3-ubyte", Arrays.copyOf(full, full.length - 100), "t10k-labels-idx1-ubyte", IdxFiles.labels(1, 2));
        assertTrue(m.contains("t10k-images-idx3-ubyte: truncated, the header announces 2 images of 28x28 (1568 bytes after the 16-byte header)"
                + " but the data ends at offset 1484"), m);
        m = error("t10k-images-idx3-ubyte", Arrays.copyOf(full, 10), "t10k-labels-idx1-ubyte", IdxFiles.labels(1, 2));
        assertTrue(m.contains("truncated header, 10 bytes where the IDX header needs 16"), m);
        byte[] gz = IdxFiles.gzip(full);
        Path d = Files.createTempDirectory(dir, "gz");
        Files.write(d.resolve("t10k-images-idx3-ubyte.gz"), Arrays.copyOf(gz, gz.length - 20));
        IdxFiles.write(d, "t10k-labels-idx1-ubyte", IdxFiles.labels(1, 2));
        m = assertThrows(IOException.class, () -> Mnist.load(d, false)).getMessage();
        assertTrue(m.contains("t10k-images-idx3-ubyte.gz: truncated"), m);
    }

    @Test
    void neverAllocatesFromAnUncheckedCount() throws IOException {
        // 2,000,000 announced 28x28 images (1.5 GB) backed by one: an error, not an allocation.
        String m = error("t10k-images-idx3-ubyte", IdxFiles.images(0x803, 2_000_000, 28, 28, new byte[784]),
                "t10k-labels-idx1-ubyte", IdxFiles.labels(1));
        assertTrue(m.contains("truncated, the header announces 2000000 images"), m);
        m = error("t10k-images-idx3-ubyte", IdxFiles.images(0x803, Integer.MAX_VALUE, 28, 28, new byte[784]),
                "t10k-labels-idx1-ubyte", IdxFiles.labels(1));
        assertTrue(m.contains("more than one array can hold"), m);
        m = error("t10k-images-idx3-ubyte", IdxFiles.images(1), "t10k-labels-idx1-ubyte", IdxFiles.labels(0x801, -5, new byte[1]));
        assertTrue(m.contains("label count 4294967291 at offset 4 is too large"), m);
    }

    @Test
    void rejectsCountMismatch() throws IOException {
        String m = error("t10k-images-idx3-ubyte", IdxFiles.images(3), "t10k-labels-idx1-ubyte.gz", IdxFiles.labels(1, 2));
        assertTrue(m.contains("count mismatch") && m.contains("holds 3 images") && m.contains("holds 2 labels"), m);
    }

    @Test
    void rejectsLabelsOutside0To9() throws IOException {
        String m = error("t10k-images-idx3-ubyte", IdxFiles.images(2), "t10k-labels-idx1-ubyte", IdxFiles.labels(3, 10));
        assertTrue(m.contains("t10k-labels-idx1-ubyte: label 10 at offset 9 (sample 1), expected 0..9"), m);
    }

    @Test
    void rejectsOtherImageSizesAndTrailingBytes() throws IOException {
        String m = error("t10k-images-idx3-ubyte", IdxFiles.images(0x803, 1, 27, 28, new byte[27 * 28]),
                "t10k-labels-idx1-ubyte", IdxFiles.labels(1));
        assertTrue(m.contains("images are 27x28 (offsets 8 and 12), expected 28x28"), m);
        byte[] full = IdxFiles.images(1);
        m = error("t10k-images-idx3-ubyte", Arrays.copyOf(full, full.length + 3), "t10k-labels-idx1-ubyte", IdxFiles.labels(1));
        assertTrue(m.contains("unexpected data after offset 800"), m);
    }

    @Test
    void bundledSampleLoads() {
        TensorDataset train = Mnist.bundledSample(true);
        TensorDataset test = Mnist.bundledSample(false);
        assertEquals(8000, train.size());
        assertEquals(2000, test.size());
        assertArrayEquals(new int[] {1, 28, 28}, train.sampleShape());
        for (TensorDataset ds : new TensorDataset[] {train, test}) {
            int[] counts = new int[10];
            for (int l : ds.labels().toArray()) counts[l]++;   // labels outside 0..9 would throw
            for (int c = 0; c < 10; c++) assertTrue(counts[c] > ds.size() / 20, "class " + c + " has " + counts[c]);
            float[] x = ds.inputs().toArray();
            double sum = 0, sq = 0, zeros = 0, min = 1, max = 0;
            for (float v : x) {
                sum += v;
                sq += v * v;
                if (v == 0) zeros++;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            double mean = sum / x.length;
            double std = Math.sqrt(sq / x.length - mean * mean);
            assertEquals(0.1307, mean, 0.01, "MNIST mean");   // the full training set's statistics
            assertEquals(0.3081, std, 0.015, "MNIST std");
            assertEquals(0.81, zeros / x.length, 0.03, "share of black pixels");
            assertEquals(0.0, min);
            assertEquals(1.0, max);
        }
    }

    @Test
    void byNameReadsAndListsNames() throws IOException {
        writeSplit(dir, "t10k", "", 1, 4);
        assertEquals(4, Datasets.byName("MNIST", dir, false).label(0));
        assertEquals(Mnist.FASHION, Datasets.byName("fashion-mnist", dir, false).classes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.byName("svhn", dir, true));
        assertEquals("unknown data set 'svhn'; valid names: mnist, fashion-mnist, cifar10, cifar100", e.getMessage());
    }
}
