package dev.tersor.compress.prune;

import static org.junit.jupiter.api.Assertions.*;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.Batch;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CoGD's step against hand-computed values, its plain-descent case, mask folding, and its ranking of a dead channel. */
class CogdTest {

    @Test
    void theMaskTakesAProximalL1Step() {
        // m − η1·g = [0.95, 0.005, -0.4]; the threshold η1·λ = 0.01 shrinks each toward zero, the second to exactly 0
        float[] m = CogdStep.mask(new float[] {1f, 0.005f, -0.5f}, new float[] {0.5f, 0f, -1f}, 0.1, 0.1);
        assertArrayEquals(new float[] {0.94f, 0f, -0.39f}, m, 1e-6f);
    }

    @Test
    void asynchronyIsASmallMaskOnALargeFilter() {
        // τ·C = 2: masks 0 and 3 are the two nearest zero; filters 1 and 3 are the two smallest
        boolean[] b = CogdStep.asynchronous(new float[] {0.1f, 0.9f, -0.5f, 0.2f}, new double[] {5, 1, 4, 2}, 0.5);
        assertArrayEquals(new boolean[] {true, false, false, false}, b);
        assertArrayEquals(new int[] {1, 0, 2, 3}, CogdStep.ranks(new double[] {3, 1, 3, 7}), "ties by index");
        assertArrayEquals(new boolean[4], CogdStep.asynchronous(new float[] {0.1f, 0.9f, -0.5f, 0.2f}, new double[] {5, 1, 4, 2}, 0));
    }

    /** A linear layer 2 → 2 with a mask on its outputs; W = [[3, 4], [1, 0]], m = [0.5, 0.9]. */
    private static CogdPair pair(Linear fc) {
        try (var g = Tensor.noGrad()) {
            fc.weight().value().copyInPlace(Tensor.fromArray(new float[] {3, 4, 1, 0}, 2, 2));
        }
        Module host = new Module() {
            {
                register("fc", fc);
            }

            @Override
            public Tensor forward(Tensor x) {
                return child("fc").call(x);
            }
        };
        SoftMask mask = SoftMask.attach(host, "fc", null, 2);
        try (var g = Tensor.noGrad()) {
            mask.mask().value().copyInPlace(Tensor.fromArray(new float[] {0.5f, 0.9f}, 2));
        }
        return new CogdPair(mask, new ChannelSlices(List.of(fc.weight()), 2));
    }

    /** Sets ∂L/∂m and ∂L/∂W by hand through a loss linear in both: L = Σ gm·m + Σ gw·W. */
    private static void gradients(CogdPair p, Linear fc, float[] gm, float[] gw) {
        Tensor l = p.mask().mask().value().mul(Tensor.fromArray(gm, 2)).sum()
                .add(fc.weight().value().mul(Tensor.fromArray(gw, 2, 2)).sum());
        l.backward();
    }

    @Test
    void theCogradientStepOnAHandComputedPair() {
        Linear fc = new Linear(2, 2, false);
        CogdPair p = pair(fc);
        gradients(p, fc, new float[] {2.9f, 0f}, new float[] {0, 5, 0, 0});
        p.before();
        new dev.tersor.nn.optim.Sgd(List.of(fc.weight()), dev.tersor.nn.optim.Sgd.options(0.1).build()).step();   // W⁺ = [[3, 3.5], [1, 0]]
        int n = p.after(0.1, 0.1, 0.1, 0.5);
        // m: 0.5 − 0.29 = 0.21 → 0.20; 0.9 → 0.89. Channel 0: smallest mask, larger filter (‖[3, 3.5]‖ > ‖[1, 0]‖): asynchronous.
        assertArrayEquals(new float[] {0.2f, 0.89f}, p.mask().mask().value().toArray(), 1e-6f);
        assertEquals(1, n);
        double g = 2.9 + 0.1;                          // ∂L/∂m₀ + λ·sign(m₀)
        double pk = Math.min(0.3 / (0.5 + 1e-5), 1);   // |Δm₀| / (‖ΔW₀‖ + ε)
        double s = 0.1 * g * pk;
        assertArrayEquals(new float[] {(float) (3 - s * 3), (float) (3.5 - s * 4), 1, 0}, fc.weight().value().toArray(), 1e-6f);
        assertEquals(2.4600108, 3 - s * 3, 1e-6);
    }

    @Test
    void withoutAsynchronyTheStepIsPlainGradientDescent() {
        for (double tau : new double[] {0, 0.5}) {
            Linear fc = new Linear(2, 2, false);
            CogdPair p = pair(fc);
            // with τ = 0.5 the mask nearest zero (channel 1 this time) also has the smaller filter: nothing is asynchronous
            float[] gm = tau == 0 ? new float[] {2.9f, 0f} : new float[] {0f, 8.5f};
            gradients(p, fc, gm, new float[] {0, 5, 0, 0});
            p.before();
            new dev.tersor.nn.optim.Sgd(List.of(fc.weight()), dev.tersor.nn.optim.Sgd.options(0.1).build()).step();
            assertEquals(0, p.after(0.1, 0.1, 0.1, tau));
            assertArrayEquals(new float[] {3, 3.5f, 1, 0}, fc.weight().value().toArray(), "τ = " + tau + ": W − η2·∂L/∂W only");
        }
    }

    @Test
    void foldingTheMasksKeepsTheFunction() {
        Rng.manualSeed(3);
        for (boolean bn : new boolean[] {false, true}) {
            Module m = bn ? new CriteriaTest.ConvBn() : new ConvHead();
            m.eval();
            Tensor x = Tensor.randn(new Generator(4), 5, 1, 2, 2);
            SoftMask mask = SoftMask.attach(m, "conv", bn ? "bn" : null, 3);
            try (var g = Tensor.noGrad()) {
                mask.mask().value().copyInPlace(Tensor.fromArray(new float[] {0.5f, 0f, 2f}, 3));
            }
            float[] masked = m.call(x).toArray();
            mask.fold();
            assertArrayEquals(masked, m.call(x).toArray(), 1e-5f, bn ? "into the batch norm" : "into the convolution");
        }
    }

    @Test
    void aChannelWithZeroedFiltersScoresLowestAndTheModelKeepsItsTraining() {
        Rng.manualSeed(5);
        ConvHead m = new ConvHead();
        try (var ng = Tensor.noGrad()) {   // relu(x) − relu(−x) = x: channels 0 and 2 classify the sign of the mean; channel 1 computes nothing
            ((Conv2d) m.get("conv")).weight().value().copyInPlace(Tensor.fromArray(new float[] {1, 0, -1}, 3, 1, 1, 1));
            ((Linear) m.get("fc")).weight().value().copyInPlace(Tensor.fromArray(new float[] {-1, 0.3f, 1, 1, -0.3f, -1}, 2, 3));
            ((Linear) m.get("fc")).bias().value().zeroInPlace();
        }
        List<Batch> batches = batches();
        ChannelGraph graph = ChannelTrace.trace(m, Tensor.zeros(1, 1, 2, 2));
        List<String> lines = new ArrayList<>();
        double[] s = new Cogd(batches, new Cogd.Settings(3, 0.05, 0.05, 0.05, 0.5), lines::add).scores(m, graph);
        int c0 = graph.groupOf("conv", 0), c1 = graph.groupOf("conv", 1), c2 = graph.groupOf("conv", 2);
        assertTrue(s[c1] < s[c0] && s[c1] < s[c2], java.util.Arrays.toString(s));
        assertTrue(lines.get(2).startsWith("CoGD epoch 3/3 done, 8 steps"), lines.toString());
        assertEquals(0f, ((Conv2d) m.get("conv")).weight().value().toArray()[1], "a dead channel's filter gets no gradient");
        assertTrue(m.parameters().stream().allMatch(Parameter::requiresGrad));
    }

    @Test
    void badSettingsAndUnmaskableModelsAreClearErrors() {
        assertThrows(IllegalArgumentException.class, () -> new Cogd.Settings(0, 0.01, 0.01, 0.01, 0.5), "epochs");
        var e = assertThrows(IllegalArgumentException.class, () -> new Cogd.Settings(1, 0.01, 0.01, -1, 0.5));
        assertTrue(e.getMessage().contains("lambda must be finite and >= 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Cogd.Settings(1, 0, 0.01, 0.01, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new Cogd.Settings(1, 0.01, Double.NaN, 0.01, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new Cogd.Settings(1, 0.01, 0.01, 0.01, 1.5));
        Module single = new Module() {   // a lone classifier: its outputs are the model's, so pinned
            {
                register("fc", new Linear(4, 2));
            }

            @Override
            public Tensor forward(Tensor x) {
                return child("fc").call(x.flatten(1, 3));
            }
        };
        ChannelGraph g = ChannelTrace.trace(single, Tensor.zeros(1, 1, 2, 2));
        e = assertThrows(IllegalArgumentException.class,
                () -> new Cogd(batches(), Cogd.Settings.defaults(), null).scores(single, g));
        assertTrue(e.getMessage().startsWith("CoGD masks"), e.getMessage());
    }

    /** 8 batches of 32 2×2 images; class = sign of the image mean. */
    private static List<Batch> batches() {
        Generator g = new Generator(6);
        List<Batch> out = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            Tensor x = Tensor.randn(g, 32, 1, 2, 2);
            float[] v = x.toArray();
            int[] labels = new int[32];
            for (int i = 0; i < 32; i++) labels[i] = v[4 * i] + v[4 * i + 1] + v[4 * i + 2] + v[4 * i + 3] > 0 ? 1 : 0;
            out.add(new Batch(x, IntTensor.of(labels, 32)));
        }
        return out;
    }

    /** conv 1 → 3 (1×1, no bias), ReLU, global mean, linear 3 → 2. */
    static final class ConvHead extends Module {
        ConvHead() {
            register("conv", new Conv2d(1, 3, 1, 1, 0, false));
            register("fc", new Linear(3, 2));
        }

        @Override
        public Tensor forward(Tensor x) {
            return child("fc").call(child("conv").call(x).relu().mean(new int[] {2, 3}, false));
        }
    }
}
