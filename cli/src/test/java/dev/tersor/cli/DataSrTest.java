package dev.tersor.cli;

import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.nn.sr.Bicubic;
import dev.tersor.nn.sr.Image;
import dev.tersor.nn.sr.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tersor data bicubic} and the photo sets of {@code tersor data fetch}. */
class DataSrTest {
    @TempDir
    Path tmp;

    /** A 40x30 RGB image of smooth waves plus a seeded pattern, so bicubic loses a little. */
    private static Image photo(int seed) {
        byte[] p = new byte[3 * 30 * 40];
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < p.length; i++) {
            int x = i % 40;
            int y = (i / 40) % 30;
            p[i] = (byte) (128 + 60 * Math.sin(x * 0.7 + seed) * Math.cos(y * 0.4) + r.nextInt(20));
        }
        return new Image(3, 30, 40, p);
    }

    @Test
    void bicubicPrintsEachImageAndTheMean() throws IOException {
        Image a = photo(1);
        Image b = photo(2);
        a.writePng(tmp.resolve("a.png"));
        b.writePng(tmp.resolve("b.png"));
        Run r = run("data", "bicubic", "--images", tmp.toString(), "--scale", "2");
        assertEquals(0, r.code(), r.err());
        double pa = Metrics.psnr(Bicubic.upscale(Bicubic.downscale(a, 2), 2), a, 2);
        double pb = Metrics.psnr(Bicubic.upscale(Bicubic.downscale(b, 2), 2), b, 2);
        String[] lines = r.out().split("\\R");
        assertTrue(lines[2].startsWith("a.png") && lines[2].contains(String.format(Locale.ROOT, "%.2f", pa)), r.out());
        assertTrue(lines[4].startsWith("mean") && lines[4].contains(String.format(Locale.ROOT, "%.2f", (pa + pb) / 2)), r.out());

        Run j = run("data", "bicubic", "--images", tmp.toString(), "--scale", "3,2", "--json");
        assertEquals(0, j.code(), j.err());
        String[] records = j.out().strip().split("\\R");
        assertEquals(2, records.length);
        assertTrue(records[0].startsWith("{\"scale\":3,\"a.png\":{\"psnr_y\":"), records[0]);
        assertTrue(records[1].contains("\"psnr_y\":" + pa + ","), records[1] + " has " + pa);
    }

    @Test
    void badInputIsAClearError() throws IOException {
        Run r = run("data", "bicubic", "--images", tmp.toString(), "--scale", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--scale: scales must be integers >= 2, got 1"), r.err());
        Files.write(tmp.resolve("broken.png"), new byte[] {1, 2, 3});
        r = run("data", "bicubic", "--images", tmp.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("broken.png"), r.err());
        Files.delete(tmp.resolve("broken.png"));
        new Image(3, 1, 1, new byte[3]).writePng(tmp.resolve("dot.png"));
        r = run("data", "bicubic", "--images", tmp.toString(), "--scale", "2");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("dot.png: image is 1x1, smaller than the scale 2"), r.err());
    }

    @Test
    void photoSetsAreFetchableNamesAndSayWhatToPlaceWhereOffline() {
        Run unknown = run("data", "fetch", "div2k", "--dir", tmp.toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("mnist, fashion-mnist, cifar10, sr-photos, sr-eval"), unknown.err());
        Path dir = tmp.resolve("eval");
        Run r = run("data", "fetch", "sr-eval", "--dir", dir.toString(), "--mirror", "http://127.0.0.1:1/");
        assertEquals(1, r.code());
        for (String f : new String[] {"python3-skimage_0.19.3-8_all.deb  (pool/main/s/skimage/, 20713608 bytes",
                "place these Debian packages in " + dir.toAbsolutePath().resolve("packages")}) {
            assertTrue(r.err().contains(f), f + " in " + r.err());
        }
        assertTrue(r.out().isEmpty(), r.out());
    }
}
