package dev.tersor.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarTest {
    @TempDir
    Path dir;

    /** Records with the given label bytes; pixel k of record r is (r * 7 + k) % 256. */
    private static byte[] records(int labelBytes, int[][] labels) {
        int record = labelBytes + 3072;
        byte[] b = new byte[labels.length * record];
        for (int r = 0; r < labels.length; r++) {
            for (int l = 0; l < labelBytes; l++) b[r * record + l] = (byte) labels[r][l];
            for (int k = 0; k < 3072; k++) b[r * record + labelBytes + k] = (byte) ((r * 7 + k) % 256);
        }
        return b;
    }

    private static void assertPixels(TensorDataset ds, int sample, int recordInFile) {
        float[] x = ds.get(sample).input().toArray();
        assertEquals(3072, x.length);
        for (int k = 0; k < 3072; k++) assertEquals(((recordInFile * 7 + k) % 256) / 255f, x[k], 0f, "value " + k);
    }

    private static void writeCifar10(Path d) throws IOException {
        Files.createDirectories(d);
        for (int f = 1; f <= 5; f++) {
            Files.write(d.resolve("data_batch_" + f + ".bin"), records(1, new int[][] {{f}, {9 - f}}));
        }
        Files.write(d.resolve("test_batch.bin"), records(1, new int[][] {{3}, {0}, {9}}));
    }

    @Test
    void readsCifar10() throws IOException {
        writeCifar10(dir);
        TensorDataset train = Cifar.cifar10(dir, true);
        assertArrayEquals(new int[] {10, 3, 32, 32}, train.inputs().shape());
        assertArrayEquals(new int[] {1, 8, 2, 7, 3, 6, 4, 5, 5, 4}, train.labels().toArray());
        assertPixels(train, 0, 0);
        assertPixels(train, 9, 1);
        TensorDataset test = Cifar.cifar10(dir, false);
        assertArrayEquals(new int[] {3, 0, 9}, test.labels().toArray());
        assertPixels(test, 2, 2);
        assertEquals("cat", test.classes().get(test.label(0)));
    }

    @Test
    void readsTheArchiveFolderLayout() throws IOException {
        writeCifar10(dir.resolve("cifar-10-batches-bin"));
        assertEquals(3, Cifar.cifar10(dir, false).size());
        assertEquals(3, Datasets.byName("cifar10", dir, false).size());
    }

    @Test
    void missingFilesAreListedWithTheirPlace() throws IOException {
        writeCifar10(dir);
        Files.delete(dir.resolve("data_batch_5.bin"));
        assertEquals(3, Cifar.cifar10(dir, false).size());   // the test split is still complete
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Cifar.cifar10(dir, true));
        String m = e.getMessage();
        assertTrue(m.contains("expected data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin"
                + " in this directory or in its subfolder cifar-10-batches-bin; missing data_batch_5.bin"), m);
        assertTrue(m.contains(dir.toAbsolutePath().toString()), m);
        m = assertThrows(NoSuchFileException.class, () -> Cifar.cifar100(dir, false)).getMessage();
        assertTrue(m.contains("expected test.bin") && m.contains("cifar-100-binary"), m);
    }

    @Test
    void rejectsWrongSizesAndLabels() throws IOException {
        writeCifar10(dir);
        byte[] two = records(1, new int[][] {{1}, {2}});
        byte[] cut = new byte[two.length + 5];
        System.arraycopy(two, 0, cut, 0, two.length);
        Files.write(dir.resolve("test_batch.bin"), cut);
        String m = assertThrows(IOException.class, () -> Cifar.cifar10(dir, false)).getMessage();
        assertTrue(m.contains("test_batch.bin: 6151 bytes is not a whole, non-zero number of 3073-byte records"
                + " (1 label byte + 3072 pixel bytes); the last record is cut at offset 6146"), m);
        Files.write(dir.resolve("test_batch.bin"), records(1, new int[][] {{1}, {10}}));
        m = assertThrows(IOException.class, () -> Cifar.cifar10(dir, false)).getMessage();
        assertTrue(m.contains("test_batch.bin: label 10 at offset 3073 (record 1), expected 0..9"), m);
        Files.write(dir.resolve("test_batch.bin"), new byte[0]);
        m = assertThrows(IOException.class, () -> Cifar.cifar10(dir, false)).getMessage();
        assertTrue(m.contains("0 bytes is not a whole, non-zero number"), m);
    }

    @Test
    void readsCifar100FineLabels() throws IOException {
        Files.write(dir.resolve("train.bin"), records(2, new int[][] {{4, 30}, {19, 99}, {0, 0}}));
        Files.write(dir.resolve("test.bin"), records(2, new int[][] {{11, 57}}));
        TensorDataset train = Cifar.cifar100(dir, true);
        assertArrayEquals(new int[] {30, 99, 0}, train.labels().toArray());
        assertArrayEquals(new int[] {3, 3, 32, 32}, train.inputs().shape());
        assertPixels(train, 1, 1);
        assertEquals(100, train.classes().size());
        assertEquals("dolphin", train.classes().get(30));
        assertEquals("pear", Datasets.byName("cifar100", dir, false).classes().get(57));
        Files.write(dir.resolve("test.bin"), records(2, new int[][] {{1, 100}}));
        String m = assertThrows(IOException.class, () -> Cifar.cifar100(dir, false)).getMessage();
        assertTrue(m.contains("test.bin: label 100 at offset 1 (record 0), expected 0..99"), m);
        Files.write(dir.resolve("test.bin"), records(2, new int[][] {{20, 1}}));
        m = assertThrows(IOException.class, () -> Cifar.cifar100(dir, false)).getMessage();
        assertTrue(m.contains("coarse label 20 at offset 0 (record 0), expected 0..19"), m);
        Files.write(dir.resolve("test.bin"), records(1, new int[][] {{1}}));   // a CIFAR-10 record
        m = assertThrows(IOException.class, () -> Cifar.cifar100(dir, false)).getMessage();
        assertTrue(m.contains("3073 bytes is not a whole, non-zero number of 3074-byte records"), m);
    }
}
