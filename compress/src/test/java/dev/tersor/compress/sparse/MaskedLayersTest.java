package dev.tersor.compress.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.optim.Adam;
import dev.tersor.nn.optim.Optimizer;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Masked layers: forward with weight ⊙ mask, zero gradients and exactly-zero weights through optimizer steps. */
class MaskedLayersTest {
    static boolean[] randomKeep(Random rnd, int n, double p) {
        boolean[] k = new boolean[n];
        for (int i = 0; i < n; i++) k[i] = rnd.nextDouble() < p;
        return k;
    }

    static Tensor randn(Random rnd, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return Tensor.fromArray(v, shape);
    }

    @Test
    void forwardUsesTheMaskedWeight() {
        Rng.manualSeed(5);
        Random rnd = new Random(5);
        Conv2d conv = new Conv2d(3, 4, 3, 3, new Conv2dOptions(2, 2, 1, 1, 1, 1, 1), true);
        MaskedConv2d m = new MaskedConv2d(conv);
        boolean[] keep = randomKeep(rnd, conv.weight().numel(), 0.3);
        m.setMask(keep);
        float[] w = conv.weight().value().toArray();
        for (int i = 0; i < w.length; i++) if (!keep[i]) w[i] = 0;
        Tensor x = randn(rnd, 2, 3, 9, 8);
        Tensor want = Functional.conv2d(x, Tensor.fromArray(w, conv.weight().shape()), conv.bias().value(), conv.options());
        assertArrayEquals(want.toArray(), m.call(x).toArray(), 1e-6f);
        assertArrayEquals(want.toArray(), m.toDense().call(x).toArray(), 1e-6f);
        assertArrayEquals(w, m.weight().value().toArray(), "setMask zeroes the stored pruned weights");
    }

    @Test
    void prunedWeightsStayExactlyZeroThroughSgdWithMomentumAndAdam() {
        for (int which = 0; which < 2; which++) {
            Rng.manualSeed(6);
            Random rnd = new Random(6);
            MaskedLinear m = new MaskedLinear(new Linear(13, 7));
            boolean[] keep = randomKeep(rnd, 13 * 7, 0.25);
            m.setMask(keep);
            Optimizer<?> opt = which == 0
                    ? new Sgd(m.parameters(), Sgd.options(0.1).momentum(0.9).weightDecay(1e-2).build())
                    : new Adam(m.parameters(), Adam.options().lr(0.05).build());
            float[] before = m.weight().value().toArray();
            for (int step = 0; step < 5; step++) {
                m.train();
                opt.zeroGrad();
                Tensor loss = m.call(randn(rnd, 4, 13)).pow(2f).sum();
                loss.backward();
                float[] g = m.weight().grad().toArray();
                for (int i = 0; i < g.length; i++) if (!keep[i]) assertEquals(0f, g[i], 0f, "gradient of pruned weight " + i);
                opt.step();
                float[] w = m.weight().value().toArray();
                for (int i = 0; i < w.length; i++) if (!keep[i]) assertEquals(0f, w[i], 0f, (which == 0 ? "sgd" : "adam") + " step " + step + ", weight " + i);
            }
            float[] after = m.weight().value().toArray();
            int moved = 0;
            for (int i = 0; i < after.length; i++) if (keep[i] && after[i] != before[i]) moved++;
            assertNotEquals(0, moved, "the kept weights trained");
        }
    }

    @Test
    void theMaskTravelsInTheStateDict() {
        Rng.manualSeed(7);
        MaskedLinear a = new MaskedLinear(new Linear(5, 3));
        boolean[] keep = randomKeep(new Random(7), 15, 0.5);
        a.setMask(keep);
        MaskedLinear b = new MaskedLinear(new Linear(5, 3));
        b.loadStateDict(a.stateDict(), true);
        assertArrayEquals(keep, b.keep());
        assertArrayEquals(a.weight().value().toArray(), b.weight().value().toArray());
        assertEquals(java.util.Set.of("weight", "bias", "mask"), ((Module) b).stateDict().keySet());
    }
}
