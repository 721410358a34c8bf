package dev.tersor.cli;

import static dev.tersor.cli.MainTest.json;
import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.nn.train.EpochMetrics;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --plot} (classifiers and {@code --task sr}) and {@code tersor plot}: the curves of a run as one PNG of three panels. */
class PlotTest {
    @TempDir
    Path tmp;

    /** Pixels of {@code color} in panel {@code panel} (0: loss, 1: accuracy, 2: learning rate). */
    private static int count(BufferedImage img, int panel, Color color) {
        int n = 0;
        for (int x = panel * Plots.PANEL_WIDTH; x < (panel + 1) * Plots.PANEL_WIDTH; x++) {
            for (int y = 0; y < img.getHeight(); y++) if ((img.getRGB(x, y) & 0xFFFFFF) == (color.getRGB() & 0xFFFFFF)) n++;
        }
        return n;
    }

    @Test
    void trainDrawsItsCurvesAndPlotRedrawsThemFromTheMetricsFile() throws Exception {
        Path out = tmp.resolve("w.safetensors"), metrics = tmp.resolve("m.json"), png = tmp.resolve("curves.png");
        Run r = run("train", "--model", "lenet5", "--limit", "256", "--batch", "32", "--epochs", "3", "--threads", "1", "--val-split", "0.25",
                "--out", out.toString(), "--metrics-json", metrics.toString(), "--plot", png.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(3 * Plots.PANEL_WIDTH, img.getWidth());
        assertEquals(Plots.HEIGHT, img.getHeight());
        assertTrue(count(img, 0, Plots.TRAIN) > 30 && count(img, 0, Plots.VALIDATION) > 30, "loss: train and validation lines");
        assertTrue(count(img, 1, Plots.TRAIN) > 30 && count(img, 1, Plots.VALIDATION) > 30, "accuracy: train and validation lines");
        assertEquals(0, count(img, 1, Plots.TEST), "no per-epoch test score with a validation split, so no test line");
        assertTrue(count(img, 2, Plots.LR) > 30, "the learning-rate line");
        assertEquals(0, count(img, 0, Plots.LR) + count(img, 2, Plots.TRAIN), "each series in its own panel");

        List<EpochMetrics> read = Plots.readMetrics(metrics);
        assertEquals(3, read.size());
        @SuppressWarnings("unchecked")
        List<Double> valAcc = (List<Double>) json(r.lastLine()).get("val_accuracy");
        for (int e = 0; e < 3; e++) assertEquals(valAcc.get(e), read.get(e).validationAccuracy(), 0, "epoch " + (e + 1));

        Path again = tmp.resolve("again.png");
        Run p = run("plot", metrics.toString(), "--out", again.toString(), "--title", "lenet5 on mnist");
        assertEquals(0, p.code(), p.err());
        BufferedImage img2 = ImageIO.read(again.toFile());
        assertArrayEquals(img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth()),
                img2.getRGB(0, 0, img2.getWidth(), img2.getHeight(), null, 0, img2.getWidth()), "the same metrics draw the same picture");
    }

    @Test
    void withoutAValidationSplitTheTestLineIsDrawn() throws Exception {
        Path png = tmp.resolve("c.png");
        Run r = run("train", "--model", "lenet5", "--limit", "256", "--batch", "32", "--epochs", "2", "--threads", "1",
                "--out", tmp.resolve("w.safetensors").toString(), "--plot", png.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(count(img, 1, Plots.TEST) > 30, "the per-epoch test accuracy");
        assertEquals(0, count(img, 0, Plots.VALIDATION), "no validation loss to draw");
    }

    /** {@code train --task sr --plot}: L1 loss, validation PSNR-Y beside bicubic's, learning rate. */
    @Test
    void superResolutionTrainingDrawsLossPsnrAndLearningRate() throws Exception {
        Path train = Files.createDirectories(tmp.resolve("train")), val = Files.createDirectories(tmp.resolve("val"));
        for (int i = 0; i < 2; i++) SrCommandsTest.photo(i, 24, 24).writePng(train.resolve("t" + i + ".png"));
        SrCommandsTest.photo(5, 24, 24).writePng(val.resolve("v0.png"));
        Path png = tmp.resolve("sr.png");
        Run r = run("train", "--task", "sr", "--model", "edsr-tiny", "--scale", "2", "--data", train.toString(), "--val", val.toString(),
                "--patch", "12", "--batch", "2", "--iterations-per-epoch", "2", "--epochs", "2", "--threads", "1",
                "--out", tmp.resolve("sr.safetensors").toString(), "--plot", png.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(3 * Plots.PANEL_WIDTH, img.getWidth());
        assertTrue(count(img, 0, Plots.TRAIN) > 30, "the L1 loss line");
        assertTrue(count(img, 1, Plots.VALIDATION) > 30 && count(img, 1, Plots.TEST) > 30, "the model's PSNR-Y and bicubic's");
        assertTrue(count(img, 2, Plots.LR) > 30, "the learning-rate line");
        assertEquals(0, count(img, 0, Plots.VALIDATION) + count(img, 2, Plots.TRAIN), "each series in its own panel");
        Run refused = run("train", "--task", "sr", "--model", "edsr-tiny", "--scale", "2", "--data", train.toString(),
                "--out", tmp.resolve("x.safetensors").toString(), "--metrics-json", tmp.resolve("m.json").toString());
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("--metrics-json is for classifiers"), refused.err());
    }

    @Test
    void badMetricsFilesAreNamed() throws Exception {
        Path png = tmp.resolve("x.png");
        Map<String, String> bad = Map.of("[1, 2]", "entry 1 is not an epoch object", "{\"epoch\": 1}", "is not a metrics file",
                "[]", "holds no epochs", "[{\"epoch\": 1.5}]", "an integer 'epoch' >= 1", "[{", "is not JSON");
        for (var e : bad.entrySet()) {
            Path f = Files.writeString(tmp.resolve("bad.json"), e.getKey());
            Run r = run("plot", f.toString(), "--out", png.toString());
            assertEquals(2, r.code(), e.getKey() + ": " + r.err());
            assertTrue(r.err().contains(e.getValue()) && r.err().contains(f.toString()), e.getKey() + ": " + r.err());
        }
        assertFalse(Files.exists(png), "nothing written");
        Run missing = run("plot", tmp.resolve("none.json").toString(), "--out", png.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());
    }
}
