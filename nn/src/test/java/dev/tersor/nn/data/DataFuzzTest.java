package dev.tersor.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz targets for the data set readers of outside files: IDX (plain and gzip), CIFAR binary,
 * the image folder reader (Tersor's side of PNG/JPEG decoding) and the tar extractor the data
 * fetcher runs on downloaded archives. Contract: a well-formed input gives exactly the values
 * its bytes announce, anything else an {@link IOException} with a message naming the file;
 * never another exception, never an out-of-memory error (even one a decoder wraps), and for
 * images never more allocation than a stated multiple of the input (checked with the thread's
 * allocation counter; the fuzz runs also use {@code -Xmx256m}). Inputs: {@code src/test/resources/dev/tersor/nn/data/DataFuzzTestInputs/<method>/}.
 */
class DataFuzzTest {
    private static Path dir;

    @BeforeAll
    static void createDir() throws IOException {
        dir = Files.createTempDirectory("tersor-fuzz-data");
        // One-time set-up (ImageIO's colour profiles, tensor backends, class loading and, when fuzzing,
        // instrumentation) is not the input's allocation: run the whole image path once first.
        Path warm = dir.resolve("warm");
        Path image = warm.resolve("c/a.png");
        Files.createDirectories(image.getParent());
        for (int type : new int[] {java.awt.image.BufferedImage.TYPE_INT_RGB, java.awt.image.BufferedImage.TYPE_BYTE_GRAY}) {
            for (String format : new String[] {"png", "jpg"}) {
                javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(2, 2, type), format, image.toFile());
                ImageFolder.load(warm, ImageFolder.Options.of(ImageFolder.Channels.RGB)).inputs().toArray();
                ImageFolder.load(warm, ImageFolder.Options.resized(ImageFolder.Channels.GRAYSCALE, 5, 3, ImageFolder.Resize.BILINEAR))
                        .inputs().toArray();
            }
        }
        delete(warm);
    }

    @AfterAll
    static void deleteDir() throws IOException {
        delete(dir);
    }

    @FuzzTest(maxExecutions = 400_000, maxDuration = "60s")
    void idx(byte[] data) throws IOException {
        int rows = data.length > 0 ? 1 + (data[0] & 3) : 1;     // 1..4 rows and columns: small images keep inputs small
        int cols = data.length > 1 ? 1 + (data[1] & 3) : 1;
        byte[] file = data.length > 2 ? java.util.Arrays.copyOfRange(data, 2, data.length) : new byte[0];
        Path plain = dir.resolve("fuzz.idx"), gz = dir.resolve("fuzz.idx.gz");   // Idx.open gunzips the second
        Files.write(plain, file);
        Files.write(gz, file);
        for (Path p : List.of(plain, gz)) {
            boolean raw = p == plain;
            try (InputStream in = Idx.open(p)) {
                Idx.Images im = Idx.readImages(p.toString(), in, rows, cols);
                assertEquals((long) im.count() * rows * cols, im.pixels().length);
                if (raw) for (int i = 0; i < im.pixels().length; i++) assertEquals((file[16 + i] & 0xFF) / 255f, im.pixels()[i]);
            } catch (IOException e) {
                named(e, p.toString());
            }
            try (InputStream in = Idx.open(p)) {
                int[] labels = Idx.readLabels(p.toString(), in, 10);
                if (raw) {
                    assertEquals(file.length - 8, labels.length);
                    for (int i = 0; i < labels.length; i++) assertEquals(file[8 + i] & 0xFF, labels[i]);
                }
            } catch (IOException e) {
                named(e, p.toString());
            }
        }
    }

    @FuzzTest(maxExecutions = 100_000, maxDuration = "60s")
    void cifar(byte[] data) throws IOException {
        Path file = dir.resolve("test_batch.bin");
        Files.write(file, data);
        try {
            TensorDataset ds = Cifar.cifar10(dir, false);
            assertEquals(data.length / (Cifar.IMAGE_BYTES + 1), ds.size());
        } catch (IOException e) {
            named(e, file.toString());
        }
        Path hundred = Files.move(file, dir.resolve("test.bin"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try {
            TensorDataset ds = Cifar.cifar100(dir, false);
            assertEquals(data.length / (Cifar.IMAGE_BYTES + 2), ds.size());
        } catch (IOException e) {
            named(e, hundred.toString());
        } finally {
            Files.delete(hundred);
        }
    }

    @FuzzTest(maxExecutions = 100_000, maxDuration = "60s")
    void imageFolder(byte[] data) throws IOException {
        Path root = dir.resolve("images");
        Path image = root.resolve("cat").resolve("a.png");   // ImageIO picks the decoder from the content
        Files.createDirectories(image.getParent());
        Files.write(image, data);
        long before = allocated();
        try {
            for (ImageFolder.Options o : List.of(ImageFolder.Options.of(ImageFolder.Channels.RGB),
                    ImageFolder.Options.resized(ImageFolder.Channels.GRAYSCALE, 5, 3, ImageFolder.Resize.BILINEAR))) {
                try {
                    TensorDataset ds = ImageFolder.load(root, o);
                    assertEquals(1, ds.size());
                    for (float v : ds.inputs().toArray()) assertTrue(v >= 0 && v <= 1, "pixel " + v + " outside [0, 1]");
                } catch (IOException e) {
                    named(e, image.toString());
                }
            }
        } finally {
            delete(root);
        }
        // ImageIO's raster (4 bytes a pixel), our planes (12) and a resize, for ImageFolder.MAX_PIXELS_PER_BYTE pixels a byte
        checkAllocation(before, data.length, 24L * ImageFolder.MAX_PIXELS_PER_BYTE);
    }

    @FuzzTest(maxExecutions = 100_000, maxDuration = "60s")
    void tar(byte[] data) throws IOException {
        Path zone = dir.resolve("tar");
        Path root = zone.resolve("a/b/c/tar").toAbsolutePath().normalize();   // "../" up to 4 levels still lands in zone: checked
        try {
            List<Path> written = Tar.extract("fuzz.tar", new ByteArrayInputStream(data), root);
            for (Path p : written) assertTrue(p.startsWith(root) && Files.isRegularFile(p), p.toString());
        } catch (IOException e) {
            if (!(e instanceof java.nio.file.FileSystemException)) named(e, "fuzz.tar");   // a clash on disk names the path
        } finally {
            try (Stream<Path> s = Files.walk(zone)) {
                for (Path p : s.toList()) {
                    Path q = p.toAbsolutePath().normalize();
                    assertTrue(q.startsWith(root) || root.startsWith(q), "written outside the target directory: " + p);
                }
            }
            delete(zone);
        }
    }

    /** Bytes this thread allocated so far (HotSpot's counter: it sees allocations a decoder makes and then swallows). */
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /**
     * Fails when reading {@code inputBytes} allocated more than {@code perByte} bytes per input
     * byte plus 64 MiB (class loading, buffers, decoder set-up).
     */
    private static void checkAllocation(long before, long inputBytes, long perByte) {
        long used = allocated() - before;
        assertTrue(used <= perByte * inputBytes + (64L << 20), used + " bytes allocated for a " + inputBytes + "-byte input");
    }

    private static void named(IOException e, String name) {
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), e.toString());
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertTrue(!(t instanceof OutOfMemoryError), "ran out of memory (" + t + ") inside " + e);
        }
        if (name != null) assertTrue(e.getMessage().contains(name), e.getMessage());
    }

    private static void delete(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> {
                try {
                    Files.delete(q);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
