package dev.tersor.nn.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DRN: official keys and sizes, the multi-scale outputs, the dual loss term by term, training and the unpaired adaptation. */
class DrnTest {

    private static Drn tiny(int scale, long seed) {
        Rng.manualSeed(seed);
        return new Drn(scale, 1, scale == 2 ? 8 : 4, Drn.DUAL_WEIGHT);
    }

    private static long primalParameters(Drn m) {
        long n = 0;
        for (var e : m.stateDict().entrySet()) {
            String k = e.getKey();
            if (k.startsWith("dual_models.") || k.startsWith("sub_mean.") || k.startsWith("add_mean.")) continue;
            n += e.getValue().numel();
        }
        return n;
    }

    @Test
    void keysAndShapesAreTheOfficialOnes() {
        Map<String, Tensor> sd = tiny(4, 1).stateDict();   // F = 4, phases 2, one RCAB per phase
        Object[][] expected = {
                {"head.weight", new int[] {4, 3, 3, 3}},
                {"down.0.dual_module.0.0.weight", new int[] {4, 4, 3, 3}},
                {"down.0.dual_module.1.weight", new int[] {8, 4, 3, 3}},
                {"down.1.dual_module.0.0.weight", new int[] {8, 8, 3, 3}},
                {"down.1.dual_module.1.weight", new int[] {16, 8, 3, 3}},
                {"up_blocks.0.0.body.0.weight", new int[] {16, 16, 3, 3}},
                {"up_blocks.0.0.body.3.conv_du.0.weight", new int[] {1, 16, 1, 1}},
                {"up_blocks.0.0.body.3.conv_du.2.bias", new int[] {16}},
                {"up_blocks.0.1.0.weight", new int[] {64, 16, 3, 3}},
                {"up_blocks.0.2.weight", new int[] {8, 16, 1, 1}},
                {"up_blocks.1.0.body.2.weight", new int[] {16, 16, 3, 3}},
                {"up_blocks.1.2.weight", new int[] {4, 16, 1, 1}},
                {"tail.0.weight", new int[] {3, 16, 3, 3}},
                {"tail.1.weight", new int[] {3, 16, 3, 3}},
                {"tail.2.weight", new int[] {3, 8, 3, 3}},
                {"dual_models.0.dual_module.0.0.weight", new int[] {4, 3, 3, 3}},
                {"dual_models.1.dual_module.1.weight", new int[] {3, 4, 3, 3}},
        };
        for (Object[] e : expected) {
            assertTrue(sd.containsKey((String) e[0]), e[0] + " in " + sd.keySet());
            assertArrayEquals((int[]) e[1], sd.get((String) e[0]).shape(), (String) e[0]);
        }
        assertTrue(!sd.containsKey("down.0.dual_module.0.0.bias") && !sd.containsKey("dual_models.0.dual_module.1.bias"), "no bias in DownBlocks");
    }

    /** The paper's Table: DRN-S ×4 4.8M and ×8 5.4M parameters, DRN-L ×4 9.8M (the primal model, as the official count). */
    @Test
    void drnSHasThePapersSize() {
        assertEquals(4_804_000, primalParameters(Drn.small(4)), 10_000);
        assertEquals(5_400_000, primalParameters(Drn.small(8)), 50_000);
        assertEquals(9_800_000, primalParameters(Drn.large(4)), 50_000);
    }

    @Test
    void outputsEveryScaleAndDualsComeBackDown() {
        Drn m = tiny(4, 2);
        m.eval();
        Tensor x = Tensor.rand(new Generator(3), 2, 3, 5, 6).mul(255f);
        try (var g = Tensor.noGrad()) {
            List<Tensor> sr = m.forwardAll(x);
            assertEquals(3, sr.size());
            assertArrayEquals(new int[] {2, 3, 5, 6}, sr.get(0).shape());
            assertArrayEquals(new int[] {2, 3, 10, 12}, sr.get(1).shape());
            assertArrayEquals(new int[] {2, 3, 20, 24}, sr.get(2).shape());
            assertArrayEquals(sr.get(2).toArray(), m.call(x).toArray(), "forward is the last output");
            assertArrayEquals(new int[] {2, 3, 10, 12}, m.dual(1).call(sr.get(2)).shape());
            assertArrayEquals(new int[] {2, 3, 5, 6}, m.dual(0).call(sr.get(1)).shape());
        }
    }

    /** L = Σ L1(sr_p, y_p) + 0.1·Σ L1(dual_i(sr_{i+1}), y_i), y_1 the HR downscaled by 2 with MATLAB's bicubic. */
    @Test
    void trainingLossIsPrimalPlusTenthOfDual() {
        Drn m = tiny(4, 4);
        m.eval();   // no batch norm or dropout: the same values, recorded or not
        Image hrImg = Image.fromTensor(Tensor.rand(new Generator(5), 3, 16, 16));
        Tensor hr = hrImg.toTensor().mul(255f).unsqueeze(0);
        Tensor lr = Bicubic.downscale(hrImg, 4).toTensor().mul(255f).unsqueeze(0);
        Tensor mid = Bicubic.downscale(hrImg, 2).toTensor().mul(255f).unsqueeze(0);
        double expected;
        try (var g = Tensor.noGrad()) {
            List<Tensor> sr = m.forwardAll(lr);
            double primal = l1(sr.get(0), lr) + l1(sr.get(1), mid) + l1(sr.get(2), hr);
            double dual = l1(m.dual(0).call(sr.get(1)), lr) + l1(m.dual(1).call(sr.get(2)), mid);
            expected = primal + 0.1 * dual;
            assertTrue(dual > 0 && primal > 0);
        }
        assertEquals(expected, m.trainingLoss(lr, hr).item(), 1e-4 * expected);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.trainingLoss(lr, mid));
        assertTrue(e.getMessage().contains("x4"), e.getMessage());
    }

    private static double l1(Tensor a, Tensor b) {
        return Losses.l1(a, b, Reduction.MEAN).item();
    }

    @Test
    void adamStepsOnTheDualLossLowerIt() {
        Drn m = tiny(2, 6);
        Adam adam = new Adam(m.parameters(), Adam.options().lr(3e-3).build());
        Image hrImg = Image.fromTensor(Tensor.rand(new Generator(7), 3, 12, 12));
        Tensor hr = hrImg.toTensor().mul(255f).unsqueeze(0), lr = Bicubic.downscale(hrImg, 2).toTensor().mul(255f).unsqueeze(0);
        m.train();
        float first = 0, last = 0;
        for (int step = 0; step < 10; step++) {
            adam.zeroGrad();
            Tensor l = m.trainingLoss(lr, hr);
            if (step == 0) first = l.item();
            last = l.item();
            l.backward();
            adam.step();
        }
        assertTrue(last < 0.9 * first, first + " -> " + last);
        assertTrue(m.dual(0).parameters().stream().allMatch(p -> p.grad() != null), "the dual model is trained too");
    }

    /** Unpaired LR images alone: L1(dual(SR(x)), x) goes down with adaptation steps. */
    @Test
    void unpairedAdaptationLowersTheDualLoss() {
        Drn m = tiny(4, 8);
        Adam adam = new Adam(m.parameters(), Adam.options().lr(1e-3).build());
        Tensor lr = Tensor.rand(new Generator(9), 2, 3, 6, 6).mul(255f);
        adam.groups().get(0).setLr(3e-3);
        float first = m.adaptationStep(adam, lr), last = first;
        for (int step = 0; step < 9; step++) last = m.adaptationStep(adam, lr);
        assertTrue(last < 0.9 * first, first + " -> " + last);
        float after;
        try (var g = Tensor.noGrad()) {
            after = m.unpairedLoss(lr).item();
        }
        assertTrue(after < first, "the loss after the steps, " + after + ", is below the first, " + first);
    }

    /**
     * Shared by 8 threads in eval mode, each output equals the serial call's bit for bit (on the
     * scalar backend: on the vector backend the same sigmoid input can give values differing in the
     * last bits between calls, see {@code SharedInferenceTest}).
     */
    @Test
    void eightThreadsGetTheSerialOutputsOnTheScalarBackend() throws Exception {
        Drn m = tiny(4, 10);
        m.eval();
        java.util.List<Tensor> inputs = new java.util.ArrayList<>();
        Generator g = new Generator(11);
        for (int t = 0; t < 8; t++) inputs.add(Tensor.rand(g, 1 + t % 3, 3, 6, 5).mul(255f));
        dev.tersor.tensor.backend.Backend before = dev.tersor.tensor.backend.Backends.current();
        try {
            dev.tersor.tensor.backend.Backends.use(new dev.tersor.tensor.backend.ScalarBackend());
            dev.tersor.tensor.ConcurrentCalls.assertSameAsSerial("drn", m::call, inputs, 3);
        } finally {
            dev.tersor.tensor.backend.Backends.use(before);
        }
    }

    @Test
    void tileMarginIsTheConvolutionRadiusAndBadInputIsNamed() {
        Drn s = Drn.small(4);
        assertEquals(s.tileMargin(), Upscaler.receptiveRadius(s));
        assertEquals(98, s.tileMargin());   // 2 bicubic + 0.25 head + 2.25 down + 61 + 30.5 up + 1.75 tails = 97.75
        assertThrows(IllegalArgumentException.class, () -> new Drn(3, 1, 16, 0.1f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Drn(4, 1, 2, 0.1f));
        assertTrue(e.getMessage().contains("feats >= 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Drn(4, 1, 4, -1f));
        assertThrows(IllegalArgumentException.class, () -> tiny(4, 1).call(Tensor.zeros(1, 1, 4, 4)));
    }
}
