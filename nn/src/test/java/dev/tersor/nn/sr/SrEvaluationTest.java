package dev.tersor.nn.sr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Module;
import dev.tersor.nn.sr.BicubicBaseline.Score;
import dev.tersor.nn.zoo.Edsr;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SrEvaluationTest {

    /** A "model" that is the bicubic upscale: its row must be the bicubic row, to the last bit. */
    static final class BicubicModel extends Module {
        private final int scale;

        BicubicModel(int scale) {
            this.scale = scale;
        }

        @Override
        public Tensor forward(Tensor x) {
            int[] s = x.shape();
            float[] v = x.toArray();
            byte[] p = new byte[v.length];
            for (int i = 0; i < v.length; i++) p[i] = (byte) Math.round(v[i]);   // the LR pixels are integers in [0, 255]
            Image up = Bicubic.upscale(new Image(s[1], s[2], s[3], p), scale);
            float[] out = new float[up.pixels().length];
            for (int i = 0; i < out.length; i++) out[i] = up.pixels()[i] & 0xFF;
            return Tensor.fromArray(out, 1, s[1], up.height(), up.width());
        }
    }

    private static void assertScore(double psnrY, double ssimY, double psnrRgb, Score s) {
        assertEquals(psnrY, s.psnrY(), 1e-10 * psnrY);
        assertEquals(ssimY, s.ssimY(), 1e-10);
        assertEquals(psnrRgb, s.psnrRgb(), 1e-10 * psnrRgb);
    }

    @Test
    void bicubicRowIsTheBaselineAndMatchesTheNumPyValues() {
        Image hr = Fixtures.image("in_astronaut.png");   // 47x40 RGB, cropped to 46x40 for x2
        SrEvaluation.Row r = SrEvaluation.evaluate("astronaut", hr, new Upscaler(UpscalerTest.tiny(2, 1), 2, 16, 8));
        // generate.py's values for the same bicubic round trip (expected.txt)
        assertScore(32.842787926688096, 0.96603256351624722, 31.302920274711955, r.bicubic());
        assertEquals(BicubicBaseline.evaluate("astronaut", hr, 2), r.bicubic());
        assertEquals(40, r.model().height());
        assertEquals(46, r.model().width());
    }

    @Test
    void modelRowScoresTheQuantisedOutputOfTheBicubicLrImage() {
        Image hr = Fixtures.image("in_astronaut.png");
        for (int s : new int[] {2, 3}) {
            SrEvaluation.Row r = SrEvaluation.evaluate("a", hr, new Upscaler(new BicubicModel(s), s, 1000, 0));
            assertEquals(r.bicubic(), r.model(), "x" + s);
        }
        Edsr m = UpscalerTest.tiny(2, 4);
        Upscaler up = new Upscaler(m, 2, 16, 8);
        SrEvaluation.Row r = SrEvaluation.evaluate("a", hr, up);
        Image h = hr.modcrop(2);
        Image sr = up.upscale(Bicubic.downscale(h, 2));
        assertEquals(Metrics.psnr(sr, h, 2), r.model().psnrY());
        assertEquals(Metrics.ssim(sr, h, 2), r.model().ssimY());
        assertEquals(Metrics.psnr(sr, h, 2, Metrics.Space.RGB), r.model().psnrRgb());
    }

    /** Gray images are scored as RGB with the channel repeated (EDSR's set_channel): Y = 16 + 219/255·v. */
    @Test
    void grayImagesAreScoredAsRgbAsEdsrDoes() {
        Image hr = Fixtures.image("in_camera.png");
        SrEvaluation.Row r = SrEvaluation.evaluate("camera", hr, new Upscaler(new BicubicModel(2), 2, 1000, 0));
        double grayPsnr = 30.388254919981929;   // expected.txt, on the gray channel itself
        assertEquals(grayPsnr + 20 * Math.log10(255.0 / 219.0), r.bicubic().psnrY(), 1e-9);
        assertEquals(grayPsnr, r.bicubic().psnrRgb(), 1e-9);   // three equal channels: the gray PSNR
        assertEquals(r.bicubic(), r.model());
    }

    @Test
    void imagesTooSmallToScoreAreSkippedAndNamed() {
        assertEquals(16, SrEvaluation.minimumSide(2));
        assertEquals(18, SrEvaluation.minimumSide(3));
        assertEquals(20, SrEvaluation.minimumSide(4));
        Image small = Fixtures.pattern(3, 15, 30, (c, y, x) -> 7 * x + 3 * y + c);
        Image ok = Fixtures.pattern(3, 16, 16, (c, y, x) -> 7 * x + 3 * y + c);
        Upscaler up = new Upscaler(new BicubicModel(2), 2, 1000, 0);
        SrEvaluation.Result r = SrEvaluation.evaluate(List.of(small, ok, small), List.of("s1", "ok", "s2"), up, null);
        assertEquals(1, r.rows().size());
        assertEquals("ok", r.rows().get(0).model().image());
        assertEquals(List.of("s1 (30x15)", "s2 (30x15)"), r.skipped());
        assertEquals(r.rows().get(0).model().psnrY(), r.modelMean().psnrY());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SrEvaluation.evaluate("s1", small, up));
        assertTrue(e.getMessage().contains("s1: image is 30x15, smaller than the 16x16"), e.getMessage());
    }

    @Test
    void meansAreOverImagesAndFilesAreReadOneByOne(@TempDir Path dir) throws IOException {
        Fixtures.image("in_astronaut.png").writePng(dir.resolve("a.png"));
        Fixtures.image("in_patch.png").writePng(dir.resolve("b.png"));
        Upscaler up = new Upscaler(new BicubicModel(2), 2, 1000, 0);
        SrEvaluation.Result r = SrEvaluation.evaluate(Image.list(dir), up, null);
        assertEquals(2, r.rows().size());
        double a = r.rows().get(0).bicubic().psnrY(), b = r.rows().get(1).bicubic().psnrY();
        assertEquals((a + b) / 2, r.bicubicMean().psnrY(), 1e-12);
        assertEquals("b.png", r.rows().get(1).model().image());

        Files.write(dir.resolve("c.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});   // a truncated PNG
        IOException e = assertThrows(IOException.class, () -> SrEvaluation.evaluate(Image.list(dir), up, null));
        assertTrue(e.getMessage().contains("c.png"), e.getMessage());
    }
}
