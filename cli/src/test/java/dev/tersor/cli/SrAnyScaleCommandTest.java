package dev.tersor.cli;

import static dev.tersor.cli.MainTest.json;
import static dev.tersor.cli.MainTest.number;
import static dev.tersor.cli.MainTest.run;
import static dev.tersor.cli.SrCommandsTest.photo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.nn.Rng;
import dev.tersor.nn.sr.AnyScaleEvaluation;
import dev.tersor.nn.sr.Bicubic;
import dev.tersor.nn.sr.BicubicBaseline;
import dev.tersor.nn.sr.Image;
import dev.tersor.nn.sr.Metrics;
import dev.tersor.nn.sr.SrEvaluation;
import dev.tersor.nn.zoo.Edsr;
import dev.tersor.nn.zoo.MetaEdsr;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.ScalarBackend;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval --task sr} and {@code upscale} at meta-edsr's non-integer scales, against
 * {@link AnyScaleEvaluation} computed here on the same images and weights (seeded, untrained:
 * the values need no training to be compared), on the reference backend so tiles equal the
 * one pass bit for bit.
 */
class SrAnyScaleCommandTest {
    @TempDir
    Path tmp;
    Path val, meta, edsr;
    MetaEdsr model;
    Backend previous;

    @BeforeEach
    void files() throws IOException {
        previous = Backends.current();
        Backends.use(new ScalarBackend());
        val = tmp.resolve("val");
        photo(5, 24, 24).writePng(val.resolve("v0.png"));
        photo(6, 21, 26).writePng(val.resolve("v1.png"));
        photo(7, 19, 30).writePng(val.resolve("v2.png"));   // 19 < 20: too small to score at x2.5
        Rng.manualSeed(11);
        model = new MetaEdsr(2);
        meta = tmp.resolve("meta.safetensors");
        SrModels.save(Zoo.info("meta-edsr"), 2, model, meta);
        edsr = tmp.resolve("edsr.safetensors");
        SrModels.save(Zoo.info("edsr-tiny"), 2, new Edsr(2, 4, 16, 1f, 255f), edsr);
    }

    @AfterEach
    void backend() {
        Backends.use(previous);
    }

    @Test
    void evalAtTwoAndAHalfIsAnyScaleEvaluationOfTheSameImages() throws IOException {
        Run e = run("eval", "--task", "sr", "--weights", meta.toString(), "--scale", "2.5", "--tile", "4", "--data", val.toString(), "--json");
        assertEquals(0, e.code(), e.err());
        Map<String, Object> j = json(e.lastLine());
        assertEquals(2.5, number(j, "scale"));
        assertEquals(List.of("v2.png (30x19)"), j.get("skipped"));
        assertTrue(e.err().contains("smaller than 20x20, too small to score at x2.5"), e.err());
        List<SrEvaluation.Row> direct = new ArrayList<>();
        for (String name : List.of("v0.png", "v1.png")) direct.add(AnyScaleEvaluation.evaluate(name, Image.read(val.resolve(name)), model, 2.5));
        List<?> images = (List<?>) j.get("images");
        assertEquals(2, images.size());
        for (int i = 0; i < 2; i++) {
            Map<?, ?> m = (Map<?, ?>) images.get(i);
            SrEvaluation.Row r = direct.get(i);
            assertEquals(r.model().image(), m.get("image"));
            assertEquals((double) r.model().height(), ((Number) m.get("height")).doubleValue(), "HR cropped to floor(2.5 floor(H / 2.5))");
            assertEquals(r.model().psnrY(), ((Number) m.get("psnr_y")).doubleValue(), 0.0, r.model().image());
            assertEquals(r.bicubic().psnrY(), ((Number) ((Map<?, ?>) m.get("bicubic")).get("psnr_y")).doubleValue(), 0.0);
        }
        assertEquals(20, direct.get(1).model().height(), "21 rows: floor(2.5 · 8) = 20");
        @SuppressWarnings("unchecked")
        Map<String, Object> mean = (Map<String, Object>) j.get("mean");
        double expected = BicubicBaseline.mean(direct.stream().map(SrEvaluation.Row::model).toList()).psnrY();
        assertTrue(expected > 5 && expected < 60, "a finite PSNR: " + expected);
        assertEquals(expected, number(mean, "psnr_y"), 0.0);
        assertEquals((direct.get(0).model().psnrY() + direct.get(1).model().psnrY()) / 2, number(mean, "psnr_y"), 1e-12);

        // the table names the scale; an integer-valued decimal is the integer
        Run table = run("eval", "--task", "sr", "--weights", meta.toString(), "--scale", "2.5", "--data", val.toString());
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().startsWith("meta-edsr x2.5"), table.out());
        Run two = run("eval", "--task", "sr", "--weights", meta.toString(), "--scale", "2.0", "--data", val.toString(), "--json");
        assertEquals(0, two.code(), two.err());
        Map<String, Object> k = json(two.lastLine());
        assertEquals(2.0, number(k, "scale"));
        assertTrue(two.lastLine().contains("\"scale\":2,"), two.lastLine());
        assertEquals(3, ((List<?>) k.get("images")).size(), "at x2 the 19-row image is scored");
    }

    @Test
    void upscaleAtNonIntegerScalesEqualsTheOnePass() throws IOException {
        Path in = tmp.resolve("in.png"), out = tmp.resolve("out.png");
        Image lr = photo(3, 9, 11);
        lr.writePng(in);
        for (String s : List.of("1.5", "3.3")) {
            Run u = run("upscale", "--weights", meta.toString(), "--scale", s, "--tile", "4", "--force", in.toString(), out.toString(), "--json");
            assertEquals(0, u.code(), u.err());
            double scale = Double.parseDouble(s);
            Image sr = Image.read(out);
            assertEquals(AnyScaleEvaluation.upscale(model, lr, scale), sr, "x" + s + ": 3 x 3 tiles stitch to the one pass");
            assertEquals((int) Math.floor(scale * 11), sr.width());
            assertEquals((int) Math.floor(scale * 9), sr.height());
            Map<String, Object> j = json(u.lastLine());
            assertEquals(scale, number(j, "scale"));
            assertEquals(9.0, number(j, "tiles"));
            assertTrue(u.err().contains("x" + s + " with meta-edsr, 9 tiles of 4x4 (margin 35)"), u.err());
        }

        // --compare against the HR image at x2.5: PSNRs as Metrics computes them
        Image hr = photo(4, 40, 45);                             // floor(2.5 · 16) = 40, floor(2.5 · 18) = 45: kept whole
        Path hrFile = tmp.resolve("hr.png"), cmp = tmp.resolve("cmp.png");
        hr.writePng(hrFile);
        Image small = Bicubic.downscale(hr, 2.5);                // 18x16
        small.writePng(in);
        Run c = run("upscale", "--weights", meta.toString(), "--scale", "2.5", "--force", in.toString(), out.toString(), "--compare", cmp.toString(),
                "--reference", hrFile.toString(), "--json");
        assertEquals(0, c.code(), c.err());
        Image sr = Image.read(out);
        Map<String, Object> j = json(c.lastLine());
        assertEquals(Math.round(Metrics.psnr(sr, hr, 2.5) * 100) / 100.0, number(j, "psnr"), 1e-9);
        assertEquals(Math.round(Metrics.psnr(Bicubic.resize(small, 40, 45), hr, 2.5) * 100) / 100.0, number(j, "psnr_bicubic"), 1e-9);
    }

    @Test
    void scalesAModelCannotTakeAreRefusedByName() {
        String png = tmp.resolve("x.png").toString();
        Run integer = run("eval", "--task", "sr", "--weights", edsr.toString(), "--scale", "2.5", "--data", val.toString());
        assertEquals(2, integer.code());
        assertTrue(integer.err().contains("--scale 2.5: edsr-tiny supports x2, x3, x4"), integer.err());
        Run up = run("upscale", "--weights", edsr.toString(), "--scale", "2.5", val.resolve("v0.png").toString(), png);
        assertEquals(2, up.code());
        assertTrue(up.err().contains("--scale 2.5: edsr-tiny supports x2, x3, x4"), up.err());
        for (String s : List.of("4.5", "5", "1", "1.0")) {
            Run r = run("upscale", "--weights", meta.toString(), "--scale", s, val.resolve("v0.png").toString(), png);
            assertEquals(2, r.code(), s);
            assertTrue(r.err().contains("--scale " + s.replace(".0", "") + ": meta-edsr takes any scale in (1, 4]"), r.err());
        }
        for (String s : List.of("2.5x", "abc", "NaN", ".5", "2.", "1e1", "-2", "")) {
            Run r = run("eval", "--task", "sr", "--weights", meta.toString(), "--scale", s, "--data", val.toString());
            assertEquals(2, r.code(), s);
            assertTrue(r.err().contains("--scale '" + s + "': expected a number such as 2, 2.5 or 3.3"), r.err());
        }
        // an integer model keeps its integer scales, 2.0 included
        Run ok = run("upscale", "--weights", edsr.toString(), "--scale", "2.0", val.resolve("v0.png").toString(), png);
        assertEquals(0, ok.code(), ok.err());
    }
}
