package dev.tersor.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.data.ImageFolder.Channels;
import dev.tersor.nn.data.ImageFolder.Options;
import dev.tersor.nn.data.ImageFolder.Resize;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
    @TempDir
    Path root;

    /** A w x h RGB image whose pixel (x, y) is (r, g, b) = (10x + y, 50 + y, 200 - x) + shift. */
    private static BufferedImage rgb(int w, int h, int shift) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, color(x, y, shift));
        return img;
    }

    private static int color(int x, int y, int shift) {
        return (10 * x + y + shift) << 16 | (50 + y + shift) << 8 | (200 - x + shift);
    }

    private static BufferedImage gray(int w, int h, int... values) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < values.length; i++) img.getRaster().setSample(i % w, i / w, 0, values[i]);
        return img;
    }

    private void write(String cls, String name, BufferedImage img) throws IOException {
        Files.createDirectories(root.resolve(cls));
        String format = name.endsWith(".png") ? "png" : "jpg";
        assertTrue(ImageIO.write(img, format, root.resolve(cls).resolve(name).toFile()), "no writer for " + format);
    }

    private void writeThree() throws IOException {
        write("dog", "b.png", rgb(4, 3, 0));
        write("cat", "a.png", rgb(4, 3, 5));
        write("cat", "c.png", gray(4, 3, 0, 17, 34, 51, 68, 85, 102, 119, 136, 153, 170, 255));
        Files.writeString(root.resolve("cat").resolve("notes.txt"), "not an image");
        write("cat", ".hidden.png", rgb(9, 9, 0));
    }

    @Test
    void readsRgbWithSortedClasses() throws IOException {
        writeThree();
        TensorDataset ds = ImageFolder.load(root, Options.of(Channels.RGB));
        assertEquals(List.of("cat", "dog"), ds.classes());
        assertEquals(List.of("cat", "dog"), ImageFolder.classNames(root));
        assertArrayEquals(new int[] {0, 0, 1}, ds.labels().toArray());
        assertArrayEquals(new int[] {3, 3, 4}, ds.sampleShape());
        float[] a = ds.get(0).input().toArray();   // cat/a.png
        float[] dog = ds.get(2).input().toArray();
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 4; x++) {
                int c = color(x, y, 5);
                assertEquals(((c >> 16) & 0xFF) / 255f, a[y * 4 + x], 0f);
                assertEquals(((c >> 8) & 0xFF) / 255f, a[12 + y * 4 + x], 0f);
                assertEquals((c & 0xFF) / 255f, a[24 + y * 4 + x], 0f);
                assertEquals(((color(x, y, 0) >> 16) & 0xFF) / 255f, dog[y * 4 + x], 0f);
            }
        }
        float[] g = ds.get(1).input().toArray();   // gray image, repeated in the three channels
        assertEquals(17 / 255f, g[1], 0f);
        assertEquals(17 / 255f, g[12 + 1], 0f);
        assertEquals(1f, g[24 + 11], 0f);
    }

    @Test
    void readsGrayscale() throws IOException {
        writeThree();
        TensorDataset ds = ImageFolder.load(root, Options.of(Channels.GRAYSCALE));
        assertArrayEquals(new int[] {1, 3, 4}, ds.sampleShape());
        float[] a = ds.get(0).input().toArray();
        int c = color(2, 1, 5);
        float expect = 0.299f * (((c >> 16) & 0xFF) / 255f) + 0.587f * (((c >> 8) & 0xFF) / 255f) + 0.114f * ((c & 0xFF) / 255f);
        assertEquals(expect, a[4 + 2], 0f);
        assertEquals(136 / 255f, ds.get(1).input().toArray()[8], 0f);   // gray samples read exactly, no gamma
    }

    @Test
    void unequalSizesNeedATargetSize() throws IOException {
        write("a", "1.png", gray(2, 1, 0, 255));
        write("b", "2.png", gray(3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        IOException e = assertThrows(IOException.class, () -> ImageFolder.load(root, Options.of(Channels.GRAYSCALE)));
        assertTrue(e.getMessage().contains("2.png: image is 3x3 (width x height) but") && e.getMessage().contains("1.png is 2x1"),
                e.getMessage());
        TensorDataset bilinear = ImageFolder.load(root, Options.resized(Channels.GRAYSCALE, 1, 4, Resize.BILINEAR));
        assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, bilinear.get(0).input().toArray(), 1e-6f);
        TensorDataset nearest = ImageFolder.load(root, Options.resized(Channels.GRAYSCALE, 1, 4, Resize.NEAREST));
        assertArrayEquals(new float[] {0f, 0f, 1f, 1f}, nearest.get(0).input().toArray(), 0f);
        assertArrayEquals(new int[] {2, 1, 1, 4}, nearest.inputs().shape());
    }

    @Test
    void readsJpeg() throws IOException {
        write("x", "p.jpg", rgb(8, 8, 0));
        write("y", "q.JPEG".toLowerCase(), rgb(8, 8, 20));
        TensorDataset ds = ImageFolder.load(root, Options.of(Channels.RGB));
        assertArrayEquals(new int[] {2, 3, 8, 8}, ds.inputs().shape());
        assertEquals((50 + 3) / 255f, ds.get(0).input().toArray()[64 + 3 * 8 + 3], 0.05f);   // lossy
    }

    @Test
    void rejectsBadFoldersAndOptions() throws IOException {
        assertThrows(IOException.class, () -> ImageFolder.load(root, Options.of(Channels.RGB)));   // no class folders
        Files.createDirectories(root.resolve("empty"));
        IOException e = assertThrows(IOException.class, () -> ImageFolder.load(root, Options.of(Channels.RGB)));
        assertTrue(e.getMessage().contains("empty: class folder holds no .png, .jpg or .jpeg image"), e.getMessage());
        Files.write(root.resolve("empty").resolve("broken.png"), new byte[] {1, 2, 3});
        e = assertThrows(IOException.class, () -> ImageFolder.load(root, Options.of(Channels.RGB)));
        assertTrue(e.getMessage().contains("broken.png: not a readable PNG or JPEG image"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Options(Channels.RGB, 5, 0, Resize.NEAREST));
        assertThrows(IllegalArgumentException.class, () -> Options.resized(Channels.RGB, 0, 0, Resize.NEAREST));
    }
}
