package dev.tersor.nn.sr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageTest {
    @TempDir
    Path dir;

    @Test
    void pngRoundTripKeepsEveryByte() throws IOException {
        Image rgb = Fixtures.pattern(3, 5, 7, (c, y, x) -> 37 * c + 11 * y + 3 * x);
        Image gray = Fixtures.pattern(1, 4, 3, (c, y, x) -> 250 - 20 * y - x);
        rgb.writePng(dir.resolve("rgb.png"));
        gray.writePng(dir.resolve("gray.png"));
        assertEquals(rgb, Image.read(dir.resolve("rgb.png")));
        assertEquals(gray, Image.read(dir.resolve("gray.png")));
        assertEquals(37 + 11 + 6, Image.read(dir.resolve("rgb.png")).get(1, 1, 2));
        try (var s = Files.list(dir)) {
            assertEquals(2, s.count());   // no temporary file left
        }
    }

    @Test
    void cropFlipsAndTranspose() {
        Image img = Fixtures.pattern(1, 2, 3, (c, y, x) -> 10 * y + x);   // [[0 1 2] [10 11 12]]
        assertArrayEquals(new byte[] {11, 12}, img.crop(1, 1, 1, 2).pixels());
        assertArrayEquals(new byte[] {2, 1, 0, 12, 11, 10}, img.dihedral(true, false, false).pixels());
        assertArrayEquals(new byte[] {10, 11, 12, 0, 1, 2}, img.dihedral(false, true, false).pixels());
        Image t = img.dihedral(false, false, true);
        assertEquals(3, t.height());
        assertArrayEquals(new byte[] {0, 10, 1, 11, 2, 12}, t.pixels());
        assertArrayEquals(new byte[] {12, 2, 11, 1, 10, 0}, img.dihedral(true, true, true).pixels());
        assertEquals(img.crop(0, 0, 2, 2), img.modcrop(2));
    }

    @Test
    void tensorConversionRoundsAndClamps() {
        Tensor t = Tensor.fromArray(new float[] {-0.1f, 0f, 0.5f / 255, 1.49f / 255, 0.5f, 1f, 1.2f, Float.NaN}, 1, 2, 4);
        assertArrayEquals(new byte[] {0, 0, 1, 1, (byte) 128, (byte) 255, (byte) 255, 0}, Image.fromTensor(t).pixels());
        Image img = Fixtures.pattern(3, 2, 2, (c, y, x) -> 85 * c);
        assertEquals(img, Image.fromTensor(img.toTensor()));
        assertEquals(170 / 255f, img.toTensor().toArray()[11], 0f);
    }

    @Test
    void badFilesAreNamed() throws IOException {
        Path junk = dir.resolve("junk.png");
        Files.write(junk, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> Image.read(junk));
        assertTrue(e.getMessage().contains(junk.toString()), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> Image.read(dir.resolve("missing.png")));
        e = assertThrows(IOException.class, () -> Image.list(dir.resolve("missing")));
        Files.writeString(dir.resolve("notes.txt"), "x");
        Files.delete(junk);
        e = assertThrows(IOException.class, () -> Image.list(dir));
        assertTrue(e.getMessage().contains("holds no .png, .jpg or .jpeg image"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Fixtures.pattern(1, 3, 3, (c, y, x) -> 0).crop(1, 1, 3, 1));
        assertTrue(bad.getMessage().contains("crop 1x3 at (x 1, y 1) does not fit in a 3x3 image"), bad.getMessage());
    }
}
