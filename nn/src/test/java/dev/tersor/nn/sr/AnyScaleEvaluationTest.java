package dev.tersor.nn.sr;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
