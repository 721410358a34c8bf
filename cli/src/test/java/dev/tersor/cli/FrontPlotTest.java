package dev.tersor.cli;

import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tersor plot --front}: compress results, their float model and the accuracy-size front. */
class FrontPlotTest {
    @TempDir
    Path tmp;

    private Path result(String name, String method, double acc, long bytes) throws Exception {
        return Files.writeString(tmp.resolve(name), "progress line\n{\"method\":\"" + method + "\",\"accuracy\":" + acc + ",\"file_bytes\":" + bytes
                + ",\"float_accuracy\":0.9069,\"float_file_bytes\":247624}\n");
    }

    @Test
    void theFrontKeepsThePointsNothingBeatsOnSizeAndAccuracy() {
        List<FrontPlot.Point> pts = List.of(new FrontPlot.Point("a", 0.90, 25_000), new FrontPlot.Point("b", 0.89, 22_000),
                new FrontPlot.Point("c", 0.88, 66_000), new FrontPlot.Point("d", 0.905, 66_000), new FrontPlot.Point("float", 0.9069, 247_624),
                new FrontPlot.Point("e", 0.89, 23_000));
        assertEquals(List.of("b", "a", "d", "float"), FrontPlot.front(pts).stream().map(FrontPlot.Point::label).toList(),
                "c is beaten by a (smaller, better), e by b (smaller, as good)");
    }

    @Test
    void plotFrontDrawsEveryResultAndNamesBadFiles() throws Exception {
        Path a = result("a.json", "W4A4 LSQ", 0.906, 37_888), b = result("b.json", "3-bit DP-Net clustering", 0.902, 25_852),
                c = result("c.json", "2-bit SLB", 0.8919, 21_496);
        Path png = tmp.resolve("front.png");
        Run r = run("plot", "--front", a.toString(), b.toString(), c.toString(), "--out", png.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        int front = 0, points = 0, floats = 0;
        for (int x = 0; x < img.getWidth(); x++) {
            for (int y = 0; y < img.getHeight(); y++) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                if (rgb == (FrontPlot.FRONT.getRGB() & 0xFFFFFF)) front++;
                if (rgb == (FrontPlot.POINTS.getRGB() & 0xFFFFFF)) points++;
                if (rgb == (FrontPlot.FLOAT.getRGB() & 0xFFFFFF)) floats++;
            }
        }
        assertTrue(front > 100 && points > 30 && floats > 10, "front line, compressed points and the float point: " + front + ", " + points + ", " + floats);

        Path notJson = Files.writeString(tmp.resolve("x.json"), "no json here\n");
        Run bad = run("plot", "--front", a.toString(), notJson.toString(), "--out", png.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("holds no JSON line"), bad.err());
        Path other = Files.writeString(tmp.resolve("y.json"), "{\"model\":\"lenet5\"}\n");
        Run wrong = run("plot", "--front", other.toString(), "--out", png.toString());
        assertTrue(wrong.err().contains("is not a compress result"), wrong.err());
        Run two = run("plot", a.toString(), b.toString(), "--out", png.toString());
        assertTrue(two.err().contains("training curves take one metrics file, got 2 (or add --front)"), two.err());
    }
}
