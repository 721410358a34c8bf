package dev.tersor.nn.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Rng;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.loss.Reduction;
import dev.tersor.nn.optim.Adam;
import dev.tersor.nn.sr.Bicubic;
import dev.tersor.nn.sr.Image;
import dev.tersor.nn.sr.Upscaler;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Meta-EDSR: official keys, any scale in (1, 4] from one set of weights, tiles at integer scales, one training run over scales. */
class MetaEdsrTest {

    private static MetaEdsr tiny(double scale, long seed) {
        Rng.manualSeed(seed);
        return new MetaEdsr(scale, 1, 8, 1f, 255f);
    }

    @Test
    void keysAreTheOfficialOnes() {
        MetaEdsr m = tiny(2, 1);
        Map<String, Tensor> sd = m.stateDict();
        assertArrayEquals(new int[] {256, 3}, sd.get("P2W.meta_block.0.weight").shape());
        assertArrayEquals(new int[] {8 * 9 * 3, 256}, sd.get("P2W.meta_block.2.weight").shape());
        assertArrayEquals(new int[] {8, 3, 3, 3}, sd.get("head.0.weight").shape());
        assertArrayEquals(new int[] {8, 8, 3, 3}, sd.get("body.0.body.2.weight").shape());
        assertArrayEquals(new int[] {8, 8, 3, 3}, sd.get("body.1.weight").shape());
        assertTrue(sd.containsKey("sub_mean.bias") && sd.containsKey("add_mean.weight"));
        assertFalse(sd.keySet().stream().anyMatch(k -> k.startsWith("tail")), "no EDSR tail: the meta-upscale replaces it");
        assertEquals(java.util.Set.copyOf(new MetaEdsr(3, 1, 8, 1f, 255f).stateDict().keySet()), sd.keySet(), "the same keys at any scale");
    }

    @Test
    void oneModelUpscalesByAnyScaleToTheFlooredSize() {
        MetaEdsr m = tiny(2, 2);
        m.eval();
        Tensor x = Tensor.rand(new Generator(3), 2, 3, 5, 7).mul(255f);
        try (var g = Tensor.noGrad()) {
            for (double s : new double[] {1.1, 1.5, 2, 2.5, 3, 3.3, 4}) {
                int[] shape = m.forward(x, s).shape();
                assertArrayEquals(new int[] {2, 3, (int) Math.floor(5 * s), (int) Math.floor(7 * s)}, shape, "scale " + s);
            }
            m.setScale(2.5);
            assertEquals(2.5, m.scale());
            assertArrayEquals(m.forward(x, 2.5).toArray(), m.call(x).toArray(), "call uses the scale field");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(x, 4.5));
        assertTrue(e.getMessage().contains("4.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(1, 1, 4, 4), 2));
    }

    /** At an integer scale Meta-EDSR is a fixed-factor model: Upscaler tiles it (margin 1 + 3 + 1 for the meta 3×3 read). */
    @Test
    void upscalerTilesItAtIntegerScales() {
        for (int s : new int[] {2, 3}) {
            MetaEdsr m = tiny(s, 4);
            assertEquals(1 + 3 + 1, Upscaler.receptiveRadius(m));
            m.eval();
            Tensor x = Tensor.rand(new Generator(5), 1, 3, 11, 9).mul(255f);
            float[] whole;
            try (var g = Tensor.noGrad()) {
                whole = m.call(x).toArray();
            }
            float[] tiled = new Upscaler(m, s, 4, Upscaler.receptiveRadius(m)).forward(x, null).toArray();
            assertEquals(whole.length, tiled.length);
            for (int i = 0; i < whole.length; i++) assertEquals(whole[i], tiled[i], 1e-3f * Math.max(1f, Math.abs(whole[i])), "x" + s + " pixel " + i);
        }
    }

    /** Batches at ×2 and ×1.5 (HR 12×12, LR by MATLAB's bicubic) alternate; Adam lowers the L1 loss at both. */
    @Test
    void trainingOverScalesLowersTheLoss() {
        MetaEdsr m = tiny(2, 6);
        Adam adam = new Adam(m.parameters(), Adam.options().lr(1e-3).build());
        Image hr = Image.fromTensor(Tensor.rand(new Generator(7), 3, 12, 12));
        double[] scales = {2, 1.5};
        Tensor[] lr = new Tensor[2], target = new Tensor[2];
        for (int k = 0; k < 2; k++) {
            Image low = Bicubic.downscale(hr, scales[k]);                  // 6×6, 8×8
            int oh = (int) (scales[k] * low.height()), ow = (int) (scales[k] * low.width());
            lr[k] = low.toTensor().mul(255f).unsqueeze(0);
            target[k] = hr.crop(0, 0, oh, ow).toTensor().mul(255f).unsqueeze(0);
        }
        float[] first = new float[2], last = new float[2];
        m.train();
        for (int step = 0; step < 20; step++) {
            int k = step % 2;
            adam.zeroGrad();
            Tensor l = Losses.l1(m.forward(lr[k], scales[k]), target[k], Reduction.MEAN);
            if (step < 2) first[k] = l.item();
            last[k] = l.item();
            l.backward();
            adam.step();
        }
        for (int k = 0; k < 2; k++) assertTrue(last[k] < 0.9 * first[k], "x" + scales[k] + ": " + first[k] + " -> " + last[k]);
    }
}
