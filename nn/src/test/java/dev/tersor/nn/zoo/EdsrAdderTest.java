package dev.tersor.nn.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Rng;
import dev.tersor.nn.adder.AdderSrConv;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.loss.Reduction;
import dev.tersor.nn.optim.Adam;
import dev.tersor.nn.sr.Upscaler;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** AdderSR's EDSR: which layers are adder units, their keys, the unit's value, tiling, one training run. */
class EdsrAdderTest {

    private static EdsrAdder tiny(int scale, long seed) {
        Rng.manualSeed(seed);
        return new EdsrAdder(scale, 2, 8, 1f, 255f);
    }

    @Test
    void bodyConvolutionsAreAdderUnitsHeadAndTailStay() {
        EdsrAdder m = tiny(2, 1);
        for (String p : new String[] {"body.0.body.0", "body.0.body.2", "body.1.body.0", "body.1.body.2", "body.2"}) {
            assertTrue(m.get(p) instanceof AdderSrConv, p);
            assertTrue(EdsrAdder.isAdderPath(p), p);
        }
        for (String p : new String[] {"head.0", "tail.0.0", "tail.1", "sub_mean", "add_mean"}) {
            assertTrue(m.get(p) instanceof Conv2d, p);
            assertFalse(EdsrAdder.isAdderPath(p), p);
        }
        Map<String, Tensor> sd = m.stateDict();
        assertArrayEquals(new int[] {8, 8, 3, 3}, sd.get("body.0.body.0.adder.weight").shape());
        assertArrayEquals(new int[] {8}, sd.get("body.1.body.2.bn.running_var").shape());
        assertArrayEquals(new int[] {1}, sd.get("body.2.act.alpha").shape());
        assertArrayEquals(new int[] {32, 8, 3, 3}, sd.get("tail.0.0.weight").shape());
        assertArrayEquals(new int[] {8, 3, 3, 3}, sd.get("head.0.weight").shape());
        assertFalse(sd.containsKey("body.2.weight"), "the body's last conv is an adder unit too");
        try (var g = Tensor.noGrad()) {
            m.eval();
            assertArrayEquals(new int[] {2, 3, 10, 12}, m.call(Tensor.rand(new Generator(2), 2, 3, 5, 6).mul(255f)).shape());
            assertArrayEquals(new int[] {1, 3, 15, 18}, tiny(3, 1).call(Tensor.rand(new Generator(2), 1, 3, 5, 6).mul(255f)).shape());
        }
    }

    /** At the start (α = 1, fresh batch norm in eval: running mean 0, var 1): y = x + adder(x)/sqrt(1 + 1e-5), adder by a scalar loop. */
    @Test
    void unitIsShortcutPlusNormalisedAdderThenPower() {
        Rng.manualSeed(3);
        AdderSrConv unit = new AdderSrConv(2);
        unit.eval();
        Tensor x = Tensor.randn(new Generator(4), 1, 2, 3, 4);
        float[] w = unit.adder().weight().value().toArray(), xv = x.toArray();
        float[] y;
        try (var g = Tensor.noGrad()) {
            y = unit.call(x).toArray();
        }
        for (int o = 0; o < 2; o++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 4; j++) {
                    double d = 0;
                    for (int c = 0; c < 2; c++) {
                        for (int a = 0; a < 3; a++) {
                            for (int b = 0; b < 3; b++) {
                                int yy = i + a - 1, xx = j + b - 1;
                                float v = yy < 0 || yy >= 3 || xx < 0 || xx >= 4 ? 0f : xv[(c * 3 + yy) * 4 + xx];
                                d += Math.abs(v - w[((o * 2 + c) * 3 + a) * 3 + b]);
                            }
                        }
                    }
                    double expected = xv[(o * 3 + i) * 4 + j] - d / Math.sqrt(1 + 1e-5);
                    assertEquals(expected, y[(o * 3 + i) * 4 + j], 1e-4, "channel " + o + " at " + i + "," + j);
                }
            }
        }
        try (var g = Tensor.noGrad()) {
            unit.activation().alpha().value().fillInPlace(2f);   // then sign(v)·v²
        }
        try (var g = Tensor.noGrad()) {
            float[] y2 = unit.call(x).toArray();
            for (int i = 0; i < y.length; i++) assertEquals(Math.copySign(y[i] * y[i], y[i]), y2[i], 1e-3 * y[i] * y[i]);
        }
        assertThrows(IllegalArgumentException.class, () -> unit.call(Tensor.zeros(1, 3, 4, 4)), "3 channels into a 2-channel unit");
        assertThrows(IllegalArgumentException.class, () -> new AdderSrConv(0));
    }

    /** Head, tail and mean shifts hold 11% of EDSR baseline ×2's parameters (151,259 of 1,369,883) and MACs (156,141 of 1,372,653). */
    @Test
    void multiplicativeShareIsHeadAndTail() {
        double[] s = EdsrAdder.multiplicativeShare(2);
        assertEquals(151259.0 / 1369883, s[0], 1e-12);
        assertEquals(156141.0 / 1372653, s[1], 1e-12);
        double[] s4 = EdsrAdder.multiplicativeShare(4);
        assertTrue(s4[0] > s[0] && s4[1] > s[1], "x4 has a second upsampler conv");
    }

    @Test
    void receptiveRadiusCountsTheAdderLayersAndTilesMatchTheWholePass() {
        EdsrAdder m = tiny(2, 5);
        assertEquals(Upscaler.receptiveRadius(new Edsr(2, 2, 8, 1f, 255f)), Upscaler.receptiveRadius(m));
        assertEquals(8, Upscaler.receptiveRadius(m));   // head 1 + 5 body layers + upsampler 1 + tail 1
        m.eval();
        Tensor x = Tensor.rand(new Generator(6), 1, 3, 13, 11).mul(255f);
        float[] whole, tiled;
        try (var g = Tensor.noGrad()) {
            whole = m.call(x).toArray();
        }
        tiled = new Upscaler(m, 2, 5, Upscaler.receptiveRadius(m)).forward(x, null).toArray();
        for (int i = 0; i < whole.length; i++) assertEquals(whole[i], tiled[i], 1e-3f * Math.max(1f, Math.abs(whole[i])), "pixel " + i);
    }

    @Test
    void aFewAdamStepsLowerTheL1Loss() {
        EdsrAdder m = tiny(2, 7);
        Adam adam = new Adam(m.parameters(), Adam.options().lr(1e-3).build());
        Tensor hr = Tensor.rand(new Generator(8), 2, 3, 12, 12).mul(255f);
        Tensor lr = hr.reshape(2, 3, 6, 2, 6, 2).mean(new int[] {3, 5}, false);   // a 2x2 box-filter LR
        m.train();
        float first = 0, last = 0;
        for (int step = 0; step < 12; step++) {
            adam.zeroGrad();
            Tensor l = Losses.l1(m.call(lr), hr, Reduction.MEAN);
            if (step == 0) first = l.item();
            last = l.item();
            l.backward();
            adam.step();
        }
        assertTrue(last < first * 0.95, "L1 " + first + " -> " + last);
        float alpha = ((AdderSrConv) m.get("body.0.body.0")).activation().alpha().value().item();
        assertTrue(alpha != 1f, "the power activation's alpha is trained: " + alpha);
    }
}
