package dev.tersor.cli;

import static dev.tersor.cli.MainTest.json;
import static dev.tersor.cli.MainTest.number;
import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.tensor.Generator;
import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train}/{@code eval} on an image folder and on CIFAR-100: the model is built with the data set's class count. */
class FolderAndCifar100Test {
    @TempDir
    Path tmp;

    /** {@code root/split/<class>/i.png}: three colour classes (red, green, blue squares of 20×20 with noise), {@code n} images each. */
    private static void folder(Path root, String split, int n, long seed) throws Exception {
        Generator g = new Generator(seed);
        String[] classes = {"blue", "green", "red"};
        for (int c = 0; c < 3; c++) {
            Path dir = Files.createDirectories(root.resolve(split).resolve(classes[c]));
            for (int i = 0; i < n; i++) {
                BufferedImage img = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 20; y++) {
                    for (int x = 0; x < 20; x++) {
                        int base = 40 + g.nextInt(40), strong = 180 + g.nextInt(60);
                        int r = c == 2 ? strong : base, gr = c == 1 ? strong : base, b = c == 0 ? strong : base;
                        img.setRGB(x, y, (r << 16) | (gr << 8) | b);
                    }
                }
                ImageIO.write(img, "png", dir.resolve(i + ".png").toFile());
            }
        }
    }

    @Test
    void aFolderOfThreeClassesTrainsAThreeClassModelThatEvalReads() throws Exception {
        Path data = tmp.resolve("colours");
        folder(data, "train", 16, 1);
        folder(data, "test", 6, 2);
        Path out = tmp.resolve("w.safetensors");
        Run r = run("train", "--model", "resnet20", "--dataset", "folder", "--data", data.toString(), "--epochs", "2", "--batch", "8",
                "--lr", "0.05", "--threads", "1", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = json(r.lastLine());
        assertEquals(48.0, number(j, "train_samples"));
        assertEquals(18.0, number(j, "test_samples"));
        try (SafetensorsFile f = Safetensors.read(out)) {
            assertEquals("3", f.metadata().get("tersor.classes"));
            assertArrayEquals(new int[] {3, 64}, f.shape("linear.weight"), "a three-class head");
        }
        Run e = run("eval", "--weights", out.toString(), "--dataset", "folder", "--data", data.toString(), "--json");
        assertEquals(0, e.code(), e.err());
        assertEquals(18.0, number(json(e.lastLine()), "total"));
        assertEquals(number(j, "final_test_accuracy"), number(json(e.lastLine()), "accuracy"), 1e-12);
        Run ckpt = run("eval", "--weights", out + ".ckpt", "--dataset", "folder", "--data", data.toString(), "--json");
        assertEquals(0, ckpt.code(), "a checkpoint records its class count too: " + ckpt.err());

        Run wrong = run("eval", "--weights", out.toString(), "--dataset", "cifar10", "--data", data.toString());
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("predict 3 classes but cifar10 has 10"), wrong.err());
        Run compress = run("compress", "ptq", "--model", "resnet20", "--weights", out.toString(), "--dataset", "folder", "--data",
                data.toString(), "--out", tmp.resolve("q.safetensors").toString());
        assertEquals(2, compress.code());
        assertTrue(compress.err().contains("work on ten-class data sets for now"), compress.err());
    }

    @Test
    void badFoldersAreNamed() throws Exception {
        Path data = tmp.resolve("mixed");
        folder(data, "train", 2, 3);
        Files.createDirectories(data.resolve("test").resolve("cyan"));
        Run r = run("train", "--model", "lenet5", "--dataset", "folder", "--data", data.toString(), "--epochs", "1", "--out", tmp.resolve("w.safetensors").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("train/ has classes [blue, green, red] but test/ has [cyan]"), r.err());
        Run none = run("train", "--model", "lenet5", "--dataset", "folder", "--epochs", "1", "--out", tmp.resolve("w.safetensors").toString());
        assertTrue(none.err().contains("--dataset folder needs --data DIR"), none.err());
        Path good = tmp.resolve("good");
        folder(good, "train", 2, 4);
        folder(good, "test", 1, 5);
        Run fixed = run("train", "--model", "lenet5-binary", "--dataset", "folder", "--data", good.toString(), "--epochs", "1",
                "--out", tmp.resolve("w.safetensors").toString());
        assertEquals(2, fixed.code());
        assertTrue(fixed.err().contains("is built with 10 classes only (not 3)"), fixed.err());
    }

    @Test
    void cifar100TrainsAHundredClassResNet() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cifar-100-binary"));
        Generator g = new Generator(4);
        for (String[] split : new String[][] {{"train.bin", "40"}, {"test.bin", "10"}}) {
            try (OutputStream o = Files.newOutputStream(dir.resolve(split[0]))) {
                for (int i = 0; i < Integer.parseInt(split[1]); i++) {
                    byte[] rec = new byte[3074];
                    rec[0] = (byte) g.nextInt(20);
                    rec[1] = (byte) g.nextInt(100);
                    for (int k = 2; k < rec.length; k++) rec[k] = (byte) g.nextInt(256);
                    o.write(rec);
                }
            }
        }
        Path out = tmp.resolve("c100.safetensors");
        Run r = run("train", "--model", "resnet20", "--dataset", "cifar100", "--data", tmp.toString(), "--epochs", "1", "--batch", "8",
                "--threads", "1", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(40.0, number(json(r.lastLine()), "train_samples"));
        try (SafetensorsFile f = Safetensors.read(out)) {
            assertArrayEquals(new int[] {100, 64}, f.shape("linear.weight"));
        }
        Run e = run("eval", "--model", "resnet20", "--weights", out.toString(), "--dataset", "cifar100", "--data", tmp.toString(), "--json");
        assertEquals(0, e.code(), e.err());
        assertEquals(10.0, number(json(e.lastLine()), "total"));
    }
}
