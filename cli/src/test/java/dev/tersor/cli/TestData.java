package dev.tersor.cli;

import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.data.TensorDataset;
import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Small data files the command tests read: IDX files and PNG digits cut from the bundled MNIST sample. */
final class TestData {
    private TestData() {
    }

    /** Writes the first {@code n} bundled images of a split as the two canonical raw IDX files in {@code dir}. */
    static void writeIdx(Path dir, boolean train, int n) throws IOException {
        TensorDataset ds = Mnist.bundledSample(train).subset(0, n);
        float[] pixels = ds.inputs().toArray();
        int[] labels = ds.labels().toArray();
        List<String> names = Mnist.fileNames(train);
        Files.createDirectories(dir);
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve(names.get(0))))) {
            out.writeInt(0x0803);
            out.writeInt(n);
            out.writeInt(28);
            out.writeInt(28);
            for (float p : pixels) out.writeByte(Math.round(p * 255));
        }
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve(names.get(1))))) {
            out.writeInt(0x0801);
            out.writeInt(n);
            for (int l : labels) out.writeByte(l);
        }
    }

    /** Writes bundled test image {@code index} as a grayscale PNG, scaled up {@code scale} times; returns its label. */
    static int writeDigitPng(Path file, int index, int scale) throws IOException {
        TensorDataset ds = Mnist.bundledSample(false).subset(index, index + 1);
        float[] p = ds.inputs().toArray();
        int side = 28 * scale;
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                img.getRaster().setSample(x, y, 0, Math.round(p[(y / scale) * 28 + x / scale] * 255));
            }
        }
        ImageIO.write(img, "png", file.toFile());
        return ds.labels().toArray()[0];
    }
}
