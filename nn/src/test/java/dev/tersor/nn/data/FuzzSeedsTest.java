package dev.tersor.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.io.DType;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsWriter;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Writes the seed inputs of nn's fuzz targets (but the checkpoint's: {@code CheckpointFuzzTest}) into {@code src/test/resources} (committed; run
 * once with {@code -Dtersor.skipGroups= -Dgroups=fuzz-seeds -Dtest=FuzzSeedsTest}, see docs/fuzzing.md).
 * Off in ordinary builds.
 */
@org.junit.jupiter.api.Tag("fuzz-seeds")
class FuzzSeedsTest {
    private static final Path RESOURCES = Path.of("src/test/resources/dev/tersor/nn");

    @Test
    void write() throws Exception {
        Path st = RESOURCES.resolve("io/SafetensorsFuzzTestInputs/safetensors");
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt").metadata("k", "v\u00e9");
        w.add("w", Tensor.fromArray(new float[] {1, -2, 3.5f, 0}, 2, 2), DType.F16);
        w.add("b", Tensor.fromArray(new float[] {0.25f}, 1));
        w.add("n", IntTensor.of(new int[] {7, -1, 3}, 3), DType.I64);
        seed(st, "two-dtypes", w.toByteArray());
        seed(st, "empty", new SafetensorsWriter().toByteArray());
        seed(RESOURCES.resolve("io/SafetensorsFuzzTestInputs/json"), "header",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},\"__metadata__\":{\"x\":\"\\u00e9\\ud83d\\ude00\"}}"
                        .getBytes(StandardCharsets.UTF_8));
        seed(RESOURCES.resolve("io/SafetensorsFuzzTestInputs/json"), "report",
                "{\"bench\":\"gemm\",\"median_ms\":2.5e-3,\"ok\":true,\"none\":null,\"list\":[-1,0.5]}".getBytes(StandardCharsets.UTF_8));

        Path idx = RESOURCES.resolve("data/DataFuzzTestInputs/idx");
        byte[] images = IdxFiles.images(0x803, 2, 2, 3, new byte[] {0, 1, 2, 3, 4, 5, (byte) 255, 7, 8, 9, 10, 11});
        seed(idx, "images-2x3", concat(new byte[] {1, 2}, images));           // first two bytes: rows - 1, cols - 1
        seed(idx, "labels", concat(new byte[] {0, 0}, IdxFiles.labels(3, 1, 4, 1, 5)));
        seed(idx, "images-gz", concat(new byte[] {1, 2}, gzip(images)));

        byte[] cifar = new byte[2 * (Cifar.IMAGE_BYTES + 2)];
        for (int i = 0; i < cifar.length; i++) cifar[i] = (byte) (i * 7);
        cifar[0] = 3;
        cifar[1] = 9;                                   // CIFAR-10 reads 3073-byte records: this is 2 CIFAR-100 records
        cifar[Cifar.IMAGE_BYTES + 2] = 19;
        cifar[Cifar.IMAGE_BYTES + 3] = 1;
        seed(RESOURCES.resolve("data/DataFuzzTestInputs/cifar"), "two-records", cifar);

        Path images2 = RESOURCES.resolve("data/DataFuzzTestInputs/imageFolder");
        BufferedImage rgb = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 3; y++) for (int x = 0; x < 4; x++) rgb.setRGB(x, y, (x * 60) << 16 | (y * 90) << 8 | 200);
        seed(images2, "rgb-png", image(rgb, "png"));
        BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        seed(images2, "gray-png", image(gray, "png"));
        seed(images2, "rgb-jpg", image(rgb, "jpg"));

        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        TarTest.entry(tar, "dir", '5', new byte[0]);
        TarTest.entry(tar, "dir/a.bin", '0', "hello".getBytes(StandardCharsets.US_ASCII));
        TarTest.entry(tar, "././@LongLink", 'L', "dir/long-name.bin\0".getBytes(StandardCharsets.US_ASCII));
        TarTest.entry(tar, "ignored", '0', new byte[600]);
        seed(RESOURCES.resolve("data/DataFuzzTestInputs/tar"), "three-entries", TarTest.end(tar));

        assertTrue(Files.exists(st.resolve("seed-two-dtypes")));
        assertEquals(3, Safetensors.read(Files.readAllBytes(st.resolve("seed-two-dtypes")), "seed").names().size());
    }

    private static byte[] image(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), format);
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static void seed(Path dir, String name, byte[] bytes) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("seed-" + name), bytes);
    }
}
