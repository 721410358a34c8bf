package dev.tersor.cli;

import static dev.tersor.cli.MainTest.json;
import static dev.tersor.cli.MainTest.number;
import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.nn.Module;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.sr.Bicubic;
import dev.tersor.nn.sr.BicubicBaseline;
import dev.tersor.nn.sr.Image;
import dev.tersor.nn.sr.Metrics;
import dev.tersor.nn.sr.Upscaler;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.ScalarBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --task sr}, {@code eval --task sr} and {@code upscale} on tiny images written here. */
class SrCommandsTest {
    @TempDir
    Path tmp;
    Path train, val;

    /** {@code n} 24×24 photos {@code t0.png}, {@code t1.png}, ... written into {@code dir}; returns it. */
    static java.nio.file.Path photos(java.nio.file.Path dir, int n) throws java.io.IOException {
        for (int i = 0; i < n; i++) photo(i, 24, 24).writePng(dir.resolve("t" + i + ".png"));
        return dir;
    }

    /** A WxH RGB image of smooth waves plus seeded noise, so bicubic loses a little. */
    static Image photo(int seed, int h, int w) {
        byte[] p = new byte[3 * h * w];
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < p.length; i++) {
            int x = i % w, y = (i / w) % h;
            p[i] = (byte) (128 + 60 * Math.sin(x * 0.7 + seed) * Math.cos(y * 0.4 + i / (h * w)) + r.nextInt(20));
        }
        return new Image(3, h, w, p);
    }

    @BeforeEach
    void images() throws IOException {
        train = tmp.resolve("train");
        val = tmp.resolve("val");
        for (int i = 0; i < 3; i++) photo(i, 24, 24).writePng(train.resolve("t" + i + ".png"));
        photo(9, 10, 11).writePng(train.resolve("small.png"));   // smaller than the 12x12 patch: skipped
        photo(5, 24, 24).writePng(val.resolve("v0.png"));
        photo(6, 20, 26).writePng(val.resolve("v1.png"));
        photo(7, 12, 30).writePng(val.resolve("v2.png"));        // 12 < 16: too small to score at x2
    }

    /** {@code train --task sr} of edsr-tiny on the images here; {@code extra} flags (pairs) add to or replace the defaults. */
    private Run trainSr(String out, String... extra) {
        Map<String, String> a = new java.util.LinkedHashMap<>();
        String[] defaults = {"--task", "sr", "--model", "edsr-tiny", "--scale", "2", "--data", train.toString(), "--val", val.toString(),
            "--patch", "12", "--batch", "2", "--iterations-per-epoch", "3", "--threads", "1", "--out", tmp.resolve(out).toString()};
        for (int i = 0; i < defaults.length; i += 2) a.put(defaults[i], defaults[i + 1]);
        for (int i = 0; i < extra.length; i += 2) a.put(extra[i], extra[i + 1]);
        List<String> args = new ArrayList<>(List.of("train"));
        a.forEach((k, v) -> args.addAll(List.of(k, v)));
        args.add("--json");
        return run(args.toArray(String[]::new));
    }

    @SuppressWarnings("unchecked")
    private static List<Double> list(Map<String, Object> m, String key) {
        assertInstanceOf(List.class, m.get(key), key + " in " + m);
        return (List<Double>) m.get(key);
    }

    private static Map<String, float[]> weights(Path file) throws IOException {
        Map<String, float[]> w = new java.util.TreeMap<>();
        try (SafetensorsFile f = Safetensors.read(file)) {
            for (String n : f.names()) w.put(n, f.tensor(n).toArray());
        }
        return w;
    }

    private static void assertSameWeights(Path a, Path b) throws IOException {
        Map<String, float[]> x = weights(a), y = weights(b);
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) assertArrayEquals(x.get(k), y.get(k), k);
    }

    @Test
    void trainReportsValidationPsnrEachEpochAndResumesBitForBit() throws IOException {
        Run straight = trainSr("a.safetensors", "--epochs", "2");
        assertEquals(0, straight.code(), straight.err());
        Map<String, Object> j = json(straight.lastLine());
        assertEquals(3.0, number(j, "train_images"));
        assertEquals(1.0, number(j, "skipped_train_images"));
        assertEquals(2.0, number(j, "val_images"));
        assertEquals(1.0, number(j, "skipped_val_images"));
        assertTrue(straight.err().contains("warning: 1 of 4 images in " + train + " is smaller than the 12x12 HR patch"), straight.err());
        assertTrue(straight.err().contains("small.png (11x10)"), straight.err());
        assertTrue(straight.err().contains("warning: 1 of 3 images in " + val + " is smaller than 16x16"), straight.err());
        List<Double> psnr = list(j, "val_psnr_y");
        assertEquals(2, psnr.size());
        assertTrue(psnr.get(1) > 5 && psnr.get(1) < 60, "PSNR " + psnr);
        assertTrue(straight.err().contains(String.format(Locale.ROOT, "epoch 2/2: L1 %.4f, val PSNR-Y %.2f dB",
                list(j, "train_loss").get(1), psnr.get(1))), straight.err());
        // the bicubic reference of training is the baseline's mean on the validation images it scored
        double bic = (BicubicBaseline.evaluate("v0", Image.read(val.resolve("v0.png")), 2).psnrY()
                + BicubicBaseline.evaluate("v1", Image.read(val.resolve("v1.png")), 2).psnrY()) / 2;
        assertEquals(bic, number(j, "bicubic_psnr_y"), 1e-12);
        try (SafetensorsFile f = Safetensors.read(tmp.resolve("a.safetensors"))) {
            assertEquals("edsr-tiny", f.metadata().get("tersor.zoo"));
            assertEquals("2", f.metadata().get("tersor.scale"));
        }

        // one epoch with step checkpoints, then a rerun for the second: the same weights and scores
        Run first = trainSr("b.safetensors", "--epochs", "1", "--checkpoint-every", "2");
        assertEquals(0, first.code(), first.err());
        Run rest = trainSr("b.safetensors", "--epochs", "2", "--resume", tmp.resolve("b.safetensors.ckpt").toString());
        assertEquals(0, rest.code(), rest.err());
        assertTrue(rest.err().contains("resumed from"), rest.err());
        assertSameWeights(tmp.resolve("a.safetensors"), tmp.resolve("b.safetensors"));
        Map<String, Object> k = json(rest.lastLine());
        assertEquals(psnr, list(k, "val_psnr_y"));
        assertEquals(list(j, "train_loss"), list(k, "train_loss"));

        // a resume with other settings names them
        Run other = trainSr("c.safetensors", "--epochs", "3", "--patch", "8", "--resume", tmp.resolve("b.safetensors.ckpt").toString());
        assertEquals(2, other.code());
        assertTrue(other.err().contains("--patch 8 (the run had 12)"), other.err());
    }

    @Test
    void evalPrintsEachImageAndTheMeanWithTheBicubicBaselineBeside() throws IOException {
        Run t = trainSr("w.safetensors", "--epochs", "1");
        assertEquals(0, t.code(), t.err());
        String w = tmp.resolve("w.safetensors").toString();

        // model and scale from the weights' metadata
        Run e = run("eval", "--task", "sr", "--weights", w, "--data", val.toString(), "--json");
        assertEquals(0, e.code(), e.err());
        Map<String, Object> j = json(e.lastLine());
        assertEquals("edsr-tiny", j.get("model"));
        assertEquals(2.0, number(j, "scale"));
        List<?> images = (List<?>) j.get("images");
        assertEquals(2, images.size());
        assertEquals(List.of("v2.png (30x12)"), j.get("skipped"));
        for (Object o : images) {
            Map<?, ?> m = (Map<?, ?>) o;
            String name = (String) m.get("image");
            BicubicBaseline.Score b = BicubicBaseline.evaluate(name, Image.read(val.resolve(name)), 2);
            Map<?, ?> bic = (Map<?, ?>) m.get("bicubic");
            assertEquals(b.psnrY(), (Double) bic.get("psnr_y"), 0.0, name);
            assertEquals(b.ssimY(), (Double) bic.get("ssim_y"), 0.0, name);
            assertEquals(b.psnrRgb(), (Double) bic.get("psnr_rgb"), 0.0, name);
        }
        // the same images, model and tiles as the training's last validation
        assertEquals(list(json(t.lastLine()), "val_psnr_y").get(0), number((Map<String, Object>) j.get("mean"), "psnr_y"), 0.0);

        Run table = run("eval", "--task", "sr", "--model", "edsr-tiny", "--weights", w, "--scale", "2", "--data", val.toString());
        assertEquals(0, table.code(), table.err());
        BicubicBaseline.Score b0 = BicubicBaseline.evaluate("v0.png", Image.read(val.resolve("v0.png")), 2);
        assertTrue(table.out().contains("bicubic PSNR-Y"), table.out());
        String[] row = table.out().lines().filter(l -> l.startsWith("v0.png")).findFirst().orElseThrow().split("\\s+");
        assertEquals(List.of("v0.png", "24x24", String.format(Locale.ROOT, "%.2f", b0.psnrY()), String.format(Locale.ROOT, "%.4f", b0.ssimY()),
                String.format(Locale.ROOT, "%.2f", b0.psnrRgb())), List.of(row[0], row[1], row[5], row[6], row[7]));
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("mean")), table.out());

        Run scale = run("eval", "--task", "sr", "--weights", w, "--scale", "3", "--data", val.toString());
        assertEquals(2, scale.code());
        assertTrue(scale.err().contains("--scale 3: " + w + " holds x2 weights"), scale.err());
    }

    @Test
    void upscaleEqualsTheWholeImagePassAndRefusesToOverwrite() throws IOException {
        Run t = trainSr("w.safetensors", "--epochs", "1");
        assertEquals(0, t.code(), t.err());
        Path w = tmp.resolve("w.safetensors");
        Path in = tmp.resolve("in.png");
        photo(3, 17, 23).writePng(in);
        Module net = SrModels.load(null, Zoo.info("edsr-tiny"), 2, w);
        Image whole = new Upscaler(net, 2, 1000, 0).upscale(Image.read(in));

        Path out = tmp.resolve("out.png");
        Run u = run("upscale", "--weights", w.toString(), in.toString(), out.toString(), "--json");
        assertEquals(0, u.code(), u.err());
        assertEquals(whole, Image.read(out));
        assertEquals(46.0, number(json(u.lastLine()), "width"));

        byte[] before = Files.readAllBytes(out);
        Run again = run("upscale", "--weights", w.toString(), in.toString(), out.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains(out + " exists; add --force"), again.err());
        assertArrayEquals(before, Files.readAllBytes(out));

        // tiles of 5 LR pixels (20 tiles): on the reference backend, bit for bit the whole-image pass
        Backend previous = Backends.current();
        try {
            Backends.use(new ScalarBackend());
            Image ref = new Upscaler(net, 2, 1000, 0).upscale(Image.read(in));
            Run tiled = run("upscale", "--weights", w.toString(), "--tile", "5", "--force", in.toString(), out.toString());
            assertEquals(0, tiled.code(), tiled.err());
            assertTrue(tiled.err().contains("tile 20/20 (100%)"), tiled.err());
            assertEquals(ref, Image.read(out));
        } finally {
            Backends.use(previous);
        }
    }

    @Test
    void upscaleComparesCropsOfTheReferenceBicubicAndTheModelWithTheirPsnr() throws IOException {
        Run t = trainSr("w.safetensors", "--epochs", "1");
        assertEquals(0, t.code(), t.err());
        Path w = tmp.resolve("w.safetensors"), in = tmp.resolve("lr.png"), hrFile = tmp.resolve("hr.png");
        Image hr = photo(4, 35, 47);                       // modcrop(2): 34x46
        hr.writePng(hrFile);
        Bicubic.downscale(hr.modcrop(2), 2).writePng(in);  // 17x23
        Path out = tmp.resolve("sr.png"), cmp = tmp.resolve("cmp.png");
        Run u = run("upscale", "--weights", w.toString(), in.toString(), out.toString(), "--compare", cmp.toString(), "--reference", hrFile.toString(),
                "--crop", "2,4,16", "--json");
        assertEquals(0, u.code(), u.err());
        Image sr = Image.read(out), bicubic = Bicubic.upscale(Image.read(in), 2), ref = hr.crop(0, 0, 34, 46);
        Map<String, Object> j = json(u.lastLine());
        assertEquals(Math.round(Metrics.psnr(sr, ref, 2) * 100) / 100.0, number(j, "psnr"), 1e-9);
        assertEquals(Math.round(Metrics.psnr(bicubic, ref, 2) * 100) / 100.0, number(j, "psnr_bicubic"), 1e-9);

        java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(cmp.toFile());
        int zoom = SrComparison.zoom(16), side = 16 * zoom;
        assertEquals(16, zoom, "a 16-pixel window is enlarged to 256");
        assertEquals(3 * side + 2 * SrComparison.GAP, png.getWidth(), "HR, bicubic and model side by side");
        assertEquals(side + SrComparison.LABEL_HEIGHT, png.getHeight());
        Image[] shown = {ref, bicubic, sr};
        for (int panel = 0; panel < 3; panel++) {
            for (int[] yx : new int[][] {{0, 0}, {7, 5}, {15, 15}}) {
                int rgb = png.getRGB(panel * (side + SrComparison.GAP) + yx[1] * zoom + zoom / 2, yx[0] * zoom + zoom / 2) & 0xFFFFFF;
                Image im = shown[panel];
                int expected = (im.get(0, 4 + yx[0], 2 + yx[1]) << 16) | (im.get(1, 4 + yx[0], 2 + yx[1]) << 8) | im.get(2, 4 + yx[0], 2 + yx[1]);
                assertEquals(expected, rgb, "panel " + panel + " pixel " + java.util.Arrays.toString(yx) + " is the image's pixel at crop (2, 4) + (x, y)");
            }
        }

        Run tooBig = run("upscale", "--weights", w.toString(), "--force", in.toString(), out.toString(), "--compare", cmp.toString(), "--crop", "40,0,16");
        assertEquals(2, tooBig.code());
        assertTrue(tooBig.err().contains("--crop 16x16 at (x 40, y 0) does not fit in the 46x34 output"), tooBig.err());
        Run wrongHr = run("upscale", "--weights", w.toString(), "--force", in.toString(), out.toString(), "--compare", cmp.toString(), "--reference", in.toString());
        assertEquals(2, wrongHr.code());
        assertTrue(wrongHr.err().contains("is 23x17, but x2 of IN (23x17) is 46x34: give the HR image IN was downscaled from"), wrongHr.err());
        Run alone = run("upscale", "--weights", w.toString(), "--force", in.toString(), out.toString(), "--crop", "0,0,8");
        assertTrue(alone.code() == 2 && alone.err().contains("--reference and --crop go with --compare PNG"), alone.err());
        Run bad = run("upscale", "--weights", w.toString(), "--force", in.toString(), out.toString(), "--compare", cmp.toString(), "--crop", "1,2");
        assertTrue(bad.code() == 2 && bad.err().contains("--crop: expected X,Y,SIZE (output pixels), got '1,2'"), bad.err());
    }

    @Test
    void badInputsAreNamed() throws IOException {
        // a scale the model does not support lists the ones it does
        Run x3 = run("train", "--task", "sr", "--model", "edsr-x3", "--scale", "2", "--data", train.toString(), "--out", tmp.resolve("o").toString());
        assertEquals(2, x3.code());
        assertTrue(x3.err().contains("--scale 2: edsr-x3 supports only x3"), x3.err());
        Run x5 = run("train", "--task", "sr", "--model", "edsr", "--scale", "5", "--data", train.toString(), "--out", tmp.resolve("o").toString());
        assertEquals(2, x5.code());
        assertTrue(x5.err().contains("--scale 5: edsr supports x2, x3, x4"), x5.err());

        // a truncated PNG names the file
        Files.write(train.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0});
        Run broken = trainSr("b.safetensors", "--epochs", "1");
        assertEquals(1, broken.code());
        assertTrue(broken.err().contains(train.resolve("broken.png").toString()), broken.err());
        Files.delete(train.resolve("broken.png"));

        // every image smaller than the patch
        Run big = trainSr("b.safetensors", "--epochs", "1", "--patch", "40");
        assertEquals(1, big.code());
        assertTrue(big.err().contains("none of its 4 images is large enough for a 40x40 HR patch"), big.err());
        assertTrue(big.err().contains("warning: 4 of 4 images"), big.err());

        Run classifier = run("train", "--task", "sr", "--model", "lenet5", "--data", train.toString(), "--out", tmp.resolve("o").toString());
        assertEquals(2, classifier.code());
        assertTrue(classifier.err().contains("lenet5 is a classifier"), classifier.err());
        Run flag = run("train", "--model", "lenet5", "--scale", "2", "--out", tmp.resolve("o").toString());
        assertEquals(2, flag.code());
        assertTrue(flag.err().contains("--scale: only for super-resolution (--task sr)"), flag.err());
        Run task = run("eval", "--task", "detect", "--weights", tmp.resolve("o").toString());
        assertEquals(2, task.code());
        assertTrue(task.err().contains("--task must be classify or sr"), task.err());
        Run png = run("upscale", "--weights", tmp.resolve("none").toString(), train.resolve("t0.png").toString(), tmp.resolve("o.jpg").toString());
        assertEquals(2, png.code());
        assertTrue(png.err().contains("--weights: no such file"), png.err());
    }
}
