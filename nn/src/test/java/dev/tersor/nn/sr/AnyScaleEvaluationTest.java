package dev.tersor.nn.sr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Rng;
import dev.tersor.nn.zoo.MetaEdsr;
import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Scoring at non-integer scales: the crop that makes sizes agree, a bicubic "model" scoring as the bicubic row, Meta-EDSR end to end. */
class AnyScaleEvaluationTest {
    private static final Image HR = Fixtures.image("in_astronaut.png");

    /** A model that is MATLAB's bicubic resize to ⌊s·h⌋ × ⌊s·w⌋: its row must be the bicubic row. */
    private static final AnyScaleModel BICUBIC = (x, s) -> {
        Image lr = Upscaler.quantize(x.reshape(x.size(1), x.size(2), x.size(3)));
        Image up = Bicubic.resize(lr, (int) Math.floor(s * lr.height()), (int) Math.floor(s * lr.width()));
        return up.toTensor().mul(255f).unsqueeze(0);
    };

    @Test
    void aBicubicModelScoresAsTheBicubicRow() {
        for (double s : new double[] {1.5, 2, 2.5, 3.3}) {
            SrEvaluation.Row r = AnyScaleEvaluation.evaluate("astronaut", HR, BICUBIC, s);
            assertEquals(r.bicubic(), r.model(), "x" + s);
            int l = (int) Math.floor(HR.height() / s);
            assertEquals((int) Math.floor(s * l), r.model().height(), "HR cropped to floor(s * floor(H / s))");
            assertTrue(r.model().psnrY() > 20 && r.model().psnrY() < 60, "x" + s + ": " + r.model().psnrY());
        }
        // an integer scale gives SrEvaluation's crop and the same bicubic scores as BicubicBaseline
        assertEquals(BicubicBaseline.evaluate("astronaut", HR.rgb(), 2), AnyScaleEvaluation.evaluate("astronaut", HR, BICUBIC, 2).bicubic());
    }

    @Test
    void metaEdsrIsScoredAtNonIntegerScales() {
        Rng.manualSeed(1);
        MetaEdsr m = new MetaEdsr(2, 1, 4, 1f, 255f);
        m.train();
        for (double s : new double[] {1.5, 2.5}) {
            SrEvaluation.Row r = AnyScaleEvaluation.evaluate("astronaut", HR, m, s);
            assertTrue(Double.isFinite(r.model().psnrY()), "x" + s);
        }
        assertTrue(m.isTraining(), "the mode is restored");
    }

    /** Tiles score as the one pass (bit for bit on the reference backend); the folder loop skips images too small and names them. */
    @Test
    void tiledScoresEqualTheOnePassAndSmallImagesAreSkipped(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        dev.tersor.tensor.backend.Backend before = dev.tersor.tensor.backend.Backends.current();
        try {
            dev.tersor.tensor.backend.Backends.use(new dev.tersor.tensor.backend.ScalarBackend());
            MetaEdsr m = AnyScaleUpscalerTest.tiny(2);
            Image hr = HR;                                                                          // 47x40: LR 18x16
            AnyScaleUpscaler up = new AnyScaleUpscaler(m, 2.5, 5, Upscaler.receptiveRadius(m));   // 4 x 4 tiles
            assertEquals(AnyScaleEvaluation.evaluate("a", hr, m, 2.5), AnyScaleEvaluation.evaluate("a", hr, up));
            hr.writePng(dir.resolve("a.png"));
            new Image(3, 19, 40, new byte[3 * 760]).writePng(dir.resolve("b.png"));    // 19 < 20, the smallest side at x2.5
            SrEvaluation.Result r = AnyScaleEvaluation.evaluate(Image.list(dir), up, null);
            assertEquals(java.util.List.of(AnyScaleEvaluation.evaluate("a.png", hr, m, 2.5)), r.rows());
            assertEquals(java.util.List.of("b.png (40x19)"), r.skipped());
        } finally {
            dev.tersor.tensor.backend.Backends.use(before);
        }
    }

    @Test
    void theSmallestScorableSide() {
        for (int s = 2; s <= 4; s++) assertEquals(SrEvaluation.minimumSide(s), AnyScaleEvaluation.minimumSide(s), "x" + s);
        // x2.5: 2·3 + 11 = 17 pixels needed after the crops; 20 -> floor(2.5·8) = 20 -> 18 (a multiple of 3), 19 -> floor(2.5·7) = 17 -> 15
        assertEquals(20, AnyScaleEvaluation.minimumSide(2.5));
        assertTrue(AnyScaleEvaluation.scorable(new Image(3, 20, 20, new byte[1200]), 2.5));
        assertFalse(AnyScaleEvaluation.scorable(new Image(3, 19, 40, new byte[3 * 760]), 2.5));
    }

    @Test
    void badInputIsNamed() {
        assertThrows(IllegalArgumentException.class, () -> AnyScaleEvaluation.evaluate("a", HR, BICUBIC, 1));
        Image tiny = new Image(3, 16, 16, new byte[3 * 256]);   // 15x15 after the crop, 15 < 2·3 + 11
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AnyScaleEvaluation.evaluate("tiny.png", tiny, BICUBIC, 2.5));
        assertTrue(e.getMessage().contains("tiny.png") && e.getMessage().contains("too small"), e.getMessage());
        AnyScaleModel wrong = (x, s) -> Tensor.zeros(1, 3, 4, 4);
        e = assertThrows(IllegalArgumentException.class, () -> AnyScaleEvaluation.evaluate("a", HR, wrong, 1.5));
        assertTrue(e.getMessage().contains("expected"), e.getMessage());
    }
}
