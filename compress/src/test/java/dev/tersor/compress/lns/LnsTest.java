package dev.tersor.compress.lns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.binary.BinaryConv2d;
import dev.tersor.nn.binary.BinaryInference;
import dev.tersor.nn.binary.BinaryLinear;
import dev.tersor.nn.binary.BinaryOptions;
import dev.tersor.nn.binary.PackedBinaryConv2d;
import dev.tersor.nn.binary.WeightScale;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The mapping network, the noisy-supervision loss, and the LNS layers against plain and packed binary layers. */
class LnsTest {

    private static void set(Tensor t, float... v) {
        try (var g = Tensor.noGrad()) {
            t.copyInPlace(Tensor.fromArray(v, t.shape()));
        }
    }

    /**
     * w = (1, −3): mean|w| = 2, w̃ = (0.5, −1.5); fc1 (0.2, 0.4) + 0.1 → tanh(−0.4) = −0.379949;
     * fc2 (1, −2) + (0, 0.5) → (−0.379949, 1.259898); f = (0.120051, −0.240102).
     */
    @Test
    void mappingForwardMatchesHandValues() {
        FilterMapping f = new FilterMapping(2, 1);
        Linear fc1 = (Linear) f.get("fc1"), fc2 = (Linear) f.get("fc2");
        assertArrayEquals(new float[] {1f, -3f}, f.call(Tensor.fromArray(new float[] {1f, -3f}, 1, 2)).mul(2f).toArray(), 1e-6f,
                "fc2 starts at zero: f(w) = w/mean|w|");
        set(fc1.weight().value(), 0.2f, 0.4f);
        set(fc1.bias().value(), 0.1f);
        set(fc2.weight().value(), 1f, -2f);
        set(fc2.bias().value(), 0f, 0.5f);
        float[] y = f.call(Tensor.fromArray(new float[] {1f, -3f}, 1, 2)).toArray();
        assertEquals(0.5 + Math.tanh(-0.4), y[0], 1e-6);
        assertEquals(-1.5 - 2 * Math.tanh(-0.4) + 0.5, y[1], 1e-6);
        assertEquals(0.120051f, y[0], 1e-6f);
    }

    @Test
    void mappingGradientsMatchFiniteDifferences() {
        Rng.manualSeed(3);
        FilterMapping f = new FilterMapping(6, 4);
        Linear fc2 = (Linear) f.get("fc2");
        set(fc2.weight().value(), Tensor.randn(new Generator(4), 6, 4).mul(0.5f).toArray());
        Tensor w = GradCheck.leaf(5, 3, 6);
        GradCheck.check(in -> f.call(in[0]), w, ((Linear) f.get("fc1")).weight().value(), fc2.weight().value(), fc2.bias().value());
    }

    /**
     * ρ₊ = 0.2, ρ₋ = 0.1, squared loss: (t, y) = (0.5, +1) → (0.9·0.25 − 0.2·2.25)/0.7 = −0.321429;
     * (−2, +1) → (0.9·9 − 0.2·1)/0.7 = 11.285714; (0.3, −1) → (0.8·1.69 − 0.1·0.49)/0.7 = 1.861429;
     * mean 4.275238.
     */
    @Test
    void noisySupervisionLossMatchesHandValues() {
        Tensor t = Tensor.fromArray(new float[] {0.5f, -2f, 0.3f}, 3), y = Tensor.fromArray(new float[] {1f, 1f, -1f}, 3);
        assertEquals(4.275238f, NoisySupervision.loss(t, y, 0.2, 0.1, SupervisionLoss.SQUARED).item(), 1e-5f);
        // logistic, first element: (0.9·log(1 + e^−0.5) − 0.2·log(1 + e^0.5))/0.7 = 0.331220
        assertEquals(0.331220f, NoisySupervision.loss(t.narrow(0, 0, 1), y.narrow(0, 0, 1), 0.2, 0.1, SupervisionLoss.LOGISTIC).item(), 1e-5f);
        // no noise: the plain mean loss
        assertEquals((0.25 + 9 + 1.69) / 3, NoisySupervision.loss(t, y, 0, 0, SupervisionLoss.SQUARED).item(), 1e-5);
    }

    /** E over the label flips of ℓ̃ equals the clean loss: (1 − ρ₊)·ℓ̃(t, +1) + ρ₊·ℓ̃(t, −1) = ℓ(t, +1), and likewise for −1. */
    @Test
    void noisySupervisionLossIsUnbiased() {
        double rp = 0.3, rn = 0.15;
        for (SupervisionLoss kind : SupervisionLoss.values()) {
            for (float tv : new float[] {-1.7f, 0.2f, 2.5f}) {
                Tensor t = Tensor.scalar(tv).reshape(1), plus = Tensor.ones(1), minus = plus.neg();
                double lp = NoisySupervision.loss(t, plus, rp, rn, kind).item(), lm = NoisySupervision.loss(t, minus, rp, rn, kind).item();
                double cleanPlus = NoisySupervision.loss(t, plus, 0, 0, kind).item(), cleanMinus = NoisySupervision.loss(t, minus, 0, 0, kind).item();
                assertEquals(cleanPlus, (1 - rp) * lp + rp * lm, 1e-5, kind + " t=" + tv + " clean +1");
                assertEquals(cleanMinus, (1 - rn) * lm + rn * lp, 1e-5, kind + " t=" + tv + " clean −1");
            }
        }
        var e = assertThrows(IllegalArgumentException.class, () -> LnsConfig.defaults().withNoise(0.6, 0.5));
        assertTrue(e.getMessage().contains("rhoPositive"), e.getMessage());
    }

    @Test
    void supervisionLossGradientMatchesFiniteDifferences() {
        Rng.manualSeed(8);
        BinaryLinear src = new BinaryLinear(5, 3);
        float[] w = Tensor.randn(new Generator(2), 3, 5).toArray();
        for (int i = 0; i < w.length; i++) if (Math.abs(w[i]) < 0.05f) w[i] = 0.1f;   // labels sign(W) stay put under ±eps
        set(src.weight().value(), w);
        LnsLinear l = new LnsLinear(src, LnsConfig.defaults().withHidden(4).withNoise(0.2, 0.1));
        Linear fc2 = (Linear) l.mapping().get("fc2");
        set(fc2.weight().value(), Tensor.randn(new Generator(4), 5, 4).mul(0.5f).toArray());
        GradCheck.check(in -> l.supervisionLoss(), l.weight().value(), ((Linear) l.mapping().get("fc1")).weight().value(), fc2.weight().value());
    }

    @Test
    void lnsLayersStartAsTheBinaryLayerAndPackAndFixExactly() {
        Rng.manualSeed(9);
        Module model = Zoo.create("lenet5-binary");
        Tensor x = Tensor.randn(new Generator(6), 4, 1, 28, 28);
        model.eval();
        float[] before;
        try (var g = Tensor.noGrad()) {
            before = model.call(x).toArray();
        }
        Lns.prepare(model, LnsConfig.defaults());
        assertInstanceOf(LnsConv2d.class, model.get("conv2"));
        assertInstanceOf(LnsLinear.class, model.get("fc1"));
        assertEquals(3, Lns.layers(model).size());
        assertEquals(0.0, Lns.flipFraction(model));
        model.eval();
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(before, model.call(x).toArray(), "fc2 of the mapping starts at zero: signs are sign(W)");
        }
        // learn something: perturb the mappings so that signs differ from sign(W)
        for (LnsLayer l : Lns.layers(model).values()) {
            Linear fc2 = (Linear) l.mapping().get("fc2");
            set(fc2.weight().value(), Tensor.randn(new Generator(1), fc2.weight().shape()).mul(2f).toArray());
        }
        assertTrue(Lns.flipFraction(model) > 0.05, "flips " + Lns.flipFraction(model));
        float[] lns;
        try (var g = Tensor.noGrad()) {
            lns = model.call(x).toArray();
        }
        Module fixed = Lns.fix(model);
        assertInstanceOf(BinaryConv2d.class, fixed.get("conv2"));
        assertTrue(Lns.layers(fixed).isEmpty());
        assertEquals(WeightScale.LEARNED, ((BinaryConv2d) fixed.get("conv2")).binaryOptions().scale());
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(lns, fixed.call(x).toArray(), "fixed signs and scales");
        }
        BinaryInference.convert(fixed);
        assertInstanceOf(PackedBinaryConv2d.class, fixed.get("conv2"));
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(lns, fixed.call(x).toArray(), "packed XNOR-popcount");
        }
    }

    @Test
    void lnsModelPacksDirectlyToo() {
        Rng.manualSeed(10);
        Module model = Lns.prepare(Zoo.create("lenet5-binary"), LnsConfig.defaults());
        for (LnsLayer l : Lns.layers(model).values()) {
            Linear fc2 = (Linear) l.mapping().get("fc2");
            set(fc2.weight().value(), Tensor.randn(new Generator(3), fc2.weight().shape()).toArray());
        }
        Tensor x = Tensor.randn(new Generator(7), 3, 1, 28, 28);
        float[] expected;
        try (var g = Tensor.noGrad()) {
            expected = model.eval().call(x).toArray();
            BinaryInference.convert(model);
            assertArrayEquals(expected, model.call(x).toArray());
        }
        var e = assertThrows(IllegalArgumentException.class,
                () -> new LnsLinear(new BinaryLinear(4, 4, true, BinaryOptions.rbnn()), LnsConfig.defaults()));
        assertTrue(e.getMessage().contains("rotation"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Lns.prepare(Zoo.create("lenet5"), LnsConfig.defaults()));
    }
}
