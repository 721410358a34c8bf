package dev.tersor.compress.slb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Rng;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The relaxation, its gradient, its limit and the discrete weights of one SLB layer. */
class SlbLayerTest {

    private static void setLogits(SlbLayer l, float[] values) {
        try (var g = Tensor.noGrad()) {
            l.logits().value().copyInPlace(Tensor.fromArray(values, l.logits().shape()));
        }
    }

    @Test
    void gridsAreLinspaceTimesScale() {
        assertArrayEquals(new float[] {-1f, 1f}, SlbConfig.bits(1).unitGrid());
        assertArrayEquals(new float[] {-1f, -1f / 3, 1f / 3, 1f}, SlbConfig.bits(2).unitGrid(), 1e-7f);
        float[] g4 = SlbConfig.bits(4).unitGrid();
        assertEquals(16, g4.length);
        assertEquals(-13f / 15, g4[1], 1e-7f);
        assertEquals(1f / 15, g4[8], 1e-7f);
        Linear fc = new Linear(3, 2);
        try (var g = Tensor.noGrad()) {
            fc.weight().value().copyInPlace(Tensor.fromArray(new float[] {0.1f, -0.5f, 0.2f, 0.3f, -0.05f, 0.4f}, 2, 3));
        }
        SlbLinear q = new SlbLinear(fc, SlbConfig.bits(2));
        assertEquals(0.5f, q.scale());
        assertArrayEquals(new float[] {-0.5f, -0.5f / 3, 0.5f / 3, 0.5f}, q.grid(), 1e-7f);
        assertEquals(1f, new SlbLinear(fc, SlbConfig.bits(2).withScale(SlbScale.UNIT)).scale());
    }

    /** Logits (0, ln 2, ln 3, ln 4) at T = 1 give p = (1, 2, 3, 4)/10, so W = (−1 − 2/3 + 1 + 4)/10 = 1/3. */
    @Test
    void relaxedWeightIsTheSoftmaxAverage() {
        Linear fc = new Linear(1, 1, false);
        SlbLinear q = new SlbLinear(fc, SlbConfig.bits(2).withScale(SlbScale.UNIT));
        setLogits(q, new float[] {0f, (float) Math.log(2), (float) Math.log(3), (float) Math.log(4)});
        assertEquals(1f / 3, q.relaxedWeight().item(), 1e-6f);

        Rng.manualSeed(5);
        SlbLinear r = new SlbLinear(new Linear(3, 2), SlbConfig.bits(2));
        r.setTemperature(1.7);
        float[] a = r.logits().value().toArray(), v = r.grid(), w = r.relaxedWeight().toArray();
        for (int k = 0; k < 6; k++) {
            double z = 0, s = 0;
            for (int i = 0; i < 4; i++) z += Math.exp(1.7 * a[4 * k + i]);
            for (int i = 0; i < 4; i++) s += Math.exp(1.7 * a[4 * k + i]) / z * v[i];
            assertEquals(s, w[k], 1e-6, "weight " + k);
        }
    }

    @Test
    void gradientWithRespectToTheLogitsMatchesFiniteDifferences() {
        Rng.manualSeed(7);
        SlbConv2d conv = new SlbConv2d(new Conv2d(2, 3, 3, 3, Conv2dOptions.of(1, 1), true), SlbConfig.bits(2));
        conv.setTemperature(1.7);
        Tensor x = GradCheck.leaf(1, 2, 2, 4, 4).requiresGrad(false);
        GradCheck.check(in -> conv.call(x), conv.logits().value());

        SlbLinear fc = new SlbLinear(new Linear(5, 3), SlbConfig.bits(1));
        setLogits(fc, GradCheck.leaf(3, 3, 5, 2).toArray());
        fc.setTemperature(0.8);
        Tensor x2 = GradCheck.leaf(4, 4, 5).requiresGrad(false);
        GradCheck.check(in -> fc.call(x2), fc.logits().value(), fc.bias().value());
    }

    @Test
    void largeTemperatureGivesTheArgmaxValue() {
        Rng.manualSeed(11);
        SlbConv2d conv = new SlbConv2d(new Conv2d(3, 4, 3), SlbConfig.bits(4));
        conv.setTemperature(1e5);
        float[] relaxed = conv.relaxedWeight().toArray(), discrete = conv.discreteWeight().toArray();
        int[] idx = conv.indices().toArray();
        float[] grid = conv.grid(), a = conv.logits().value().toArray();
        for (int k = 0; k < idx.length; k++) {
            int best = 0;
            for (int i = 1; i < 16; i++) if (a[16 * k + i] > a[16 * k + best]) best = i;
            assertEquals(best, idx[k]);
            assertEquals(grid[best], discrete[k]);
            assertEquals(discrete[k], relaxed[k], 1e-5f * conv.scale(), "weight " + k);
        }
    }

    @Test
    void evalAndDiscreteModeUseTheArgmaxWeights() {
        Rng.manualSeed(13);
        SlbLinear fc = new SlbLinear(new Linear(4, 3), SlbConfig.bits(2));
        Tensor x = Tensor.randn(new dev.tersor.tensor.Generator(2), 2, 4);
        Linear plain = fc.toLinear();
        float[] expected;
        try (var g = Tensor.noGrad()) {
            expected = plain.call(x).toArray();
            fc.eval();
            assertArrayEquals(expected, fc.call(x).toArray());
            fc.train();
            assertFalse(java.util.Arrays.equals(expected, fc.call(x).toArray()), "training forward is relaxed");
            fc.setDiscrete(true);
            assertArrayEquals(expected, fc.call(x).toArray());
        }
        assertArrayEquals(new int[] {3, 4}, fc.indices().shape());
    }

    /** FROM_WEIGHTS: α = 0.5, W/α = (0.2, −1, 0.4, 0.6, −0.1, 0.8) → nearest of (−1, −1/3, 1/3, 1): indices 2, 0, 2, 2, 1, 3. */
    @Test
    void logitsFromWeightsPickTheNearestGridValue() {
        Linear fc = new Linear(3, 2);
        try (var g = Tensor.noGrad()) {
            fc.weight().value().copyInPlace(Tensor.fromArray(new float[] {0.1f, -0.5f, 0.2f, 0.3f, -0.05f, 0.4f}, 2, 3));
        }
        SlbLinear q = new SlbLinear(fc, SlbConfig.bits(2).withInit(SlbInit.FROM_WEIGHTS));
        assertArrayEquals(new int[] {2, 0, 2, 2, 1, 3}, q.indices().toArray());
        // weight 0: d = (0.2 − u)/(2/3) → A = −(1.8², 0.8², 0.2², 1.2²)
        assertArrayEquals(new float[] {-3.24f, -0.64f, -0.04f, -1.44f}, java.util.Arrays.copyOf(q.logits().value().toArray(), 4), 1e-5f);
    }

    @Test
    void badSettingsAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> SlbConfig.bits(3));
        assertTrue(e.getMessage().contains("bits"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SlbSchedule(1, 0.9, 0.2, 0.6));
        assertThrows(IllegalArgumentException.class, () -> new SlbSchedule(1, 1.2, 0.6, 0.2));
        Linear zero = new Linear(2, 2);
        try (var g = Tensor.noGrad()) {
            zero.weight().value().zeroInPlace();
        }
        assertThrows(IllegalArgumentException.class, () -> new SlbLinear(zero, SlbConfig.bits(1)));
        SlbLinear ok = new SlbLinear(new Linear(2, 2), SlbConfig.bits(1));
        assertThrows(IllegalArgumentException.class, () -> ok.setTemperature(0));
    }
}
