package dev.tersor.nn.sr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SrFolderTest {
    private static Image img(int h, int w) {
        return Fixtures.pattern(3, h, w, (c, y, x) -> 9 * x + 5 * y + 40 * c);
    }

    @Test
    void imagesThatCannotHoldAPatchAreLeftOutAndNamed(@TempDir Path dir) throws IOException {
        img(25, 24).writePng(dir.resolve("a.png"));     // 24x24 once cropped to multiples of 2: holds a 24x24 patch
        img(23, 40).writePng(dir.resolve("b.png"));     // 22 rows after the crop: too short
        img(40, 40).writePng(dir.resolve("c.png"));
        SrFolder f = SrFolder.load(dir, SrFolder.fitsPatch(new PatchSpec(2, 24, true)));
        assertEquals(List.of(dir.resolve("a.png").toString(), dir.resolve("c.png").toString()), f.names());
        assertEquals(List.of(dir.resolve("b.png") + " (40x23)"), f.skipped());
        assertEquals(3, f.total());
        assertEquals(img(40, 40), f.images().get(1));
        // what PatchPairs accepts, exactly
        Predicate<Image> fits = SrFolder.fitsPatch(new PatchSpec(3, 24, false));
        assertTrue(fits.test(img(24, 26)));
        assertEquals(false, fits.test(img(23, 40)));
        PatchPairs.of(List.of(img(24, 26)), List.of("x"), new PatchSpec(3, 24, false), 1, 1);
        assertThrows(IllegalArgumentException.class, () -> PatchPairs.of(List.of(img(26, 23)), List.of("x"), new PatchSpec(3, 24, false), 1, 1));
    }

    @Test
    void aCorruptImageNamesItsFile(@TempDir Path dir) throws IOException {
        img(30, 30).writePng(dir.resolve("a.png"));
        byte[] png = Files.readAllBytes(dir.resolve("a.png"));
        Files.write(dir.resolve("half.png"), java.util.Arrays.copyOf(png, png.length / 2));   // truncated
        IOException e = assertThrows(IOException.class, () -> SrFolder.load(dir, i -> true));
        assertTrue(e.getMessage().contains("half.png"), e.getMessage());
    }
}
