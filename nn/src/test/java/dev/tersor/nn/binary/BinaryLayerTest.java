package dev.tersor.nn.binary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Rng;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Tensor;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Forward formulas, the backward rules through whole layers, and finite differences where smooth. */
class BinaryLayerTest {

    /** sign(v) in the forward, {@code F'(v)} (detached) in the backward: the straight-through surrogate. */
    private static Tensor surrogate(Tensor v, SignGradient rule, float t, float k) {
        float[] x = v.contiguous().toArray(), d = new float[x.length];
        for (int i = 0; i < x.length; i++) d[i] = rule.derivative(x[i], t, k);
        Tensor dv = Tensor.fromArray(d, v.shape());
        return BinarySign.signs(v).detach().add(v.sub(v.detach()).mul(dv));
    }

    @Test
    void convForwardIsConvOfSignsScaledAndShifted() {
        Rng.manualSeed(1);
        BinaryConv2d conv = new BinaryConv2d(5, 4, 3, 3, Conv2dOptions.of(2, 1), true, BinaryOptions.xnor());
        Tensor x = Tensor.randn(new Generator(2), 2, 5, 7, 6);
        Tensor w = conv.weight().value();
        Tensor alpha = w.abs().mean(new int[] {1, 2, 3}, false).reshape(4, 1, 1);
        Tensor want = Functional.conv2d(BinarySign.signs(x), BinarySign.signs(w), null, Conv2dOptions.of(2, 1))
                .mul(alpha).add(conv.bias().value().reshape(4, 1, 1));
        assertArrayEquals(want.toArray(), conv.call(x).toArray(), 0f);
        assertArrayEquals(new int[] {2, 4, 4, 3}, conv.call(x).shape());
    }

    @Test
    void linearForwardIsLinearOfSigns() {
        Rng.manualSeed(3);
        BinaryLinear fc = new BinaryLinear(9, 4, true, BinaryOptions.biReal().withScale(WeightScale.NONE));
        Tensor x = Tensor.randn(new Generator(4), 3, 9);
        Tensor want = Functional.linear(BinarySign.signs(x), BinarySign.signs(fc.weight().value()), fc.bias().value());
        assertArrayEquals(want.toArray(), fc.call(x).toArray(), 1e-6f);
    }

    @Test
    void gradientsFollowTheSelectedRules() {
        for (SignGradient act : SignGradient.values()) {
            for (SignGradient wr : new SignGradient[] {SignGradient.STE, SignGradient.APPROX_SIGN}) {
                Rng.manualSeed(5);
                BinaryOptions o = new BinaryOptions(act, wr, WeightScale.NONE, false, 1e-2, 1e1);
                BinaryConv2d conv = new BinaryConv2d(3, 4, 3, 3, Conv2dOptions.of(1, 1), false, o);
                conv.setTrainingAware(0.5f, 2f);
                // latent weights spread over the kinks of the rules
                try (var g = Tensor.noGrad()) {
                    conv.weight().value().copyInPlace(Tensor.randn(new Generator(6), 4, 3, 3, 3).mul(0.8f));
                }
                Tensor x = Tensor.randn(new Generator(7), 2, 3, 5, 5).mul(1.5f).requiresGrad(true);
                Tensor r = Tensor.randn(new Generator(8), 2, 4, 5, 5);
                conv.call(x).mul(r).sum().backward();
                float[] gx = x.grad().toArray(), gw = conv.weight().grad().toArray();

                Tensor x2 = x.detach().requiresGrad(true);
                Tensor w2 = conv.weight().value().detach().requiresGrad(true);
                Functional.conv2d(surrogate(x2, act, 0.5f, 2f), surrogate(w2, wr, 0.5f, 2f), null, Conv2dOptions.of(1, 1))
                        .mul(r).sum().backward();
                assertArrayEquals(x2.grad().toArray(), gx, 1e-5f, "input gradient, " + act + "/" + wr);
                assertArrayEquals(w2.grad().toArray(), gw, 1e-5f, "weight gradient, " + act + "/" + wr);
            }
        }
    }

    @Test
    void steWeightGradientIsZeroOutsideTheUnitInterval() {
        Rng.manualSeed(9);
        BinaryLinear fc = new BinaryLinear(4, 2, false, BinaryOptions.xnor().withScale(WeightScale.NONE));
        try (var g = Tensor.noGrad()) {
            fc.weight().value().copyInPlace(Tensor.fromArray(new float[] {1.5f, -0.5f, 0.2f, -2f, 0.9f, 1f, -1.01f, 0f}, 2, 4));
        }
        fc.call(Tensor.ones(1, 4)).sum().backward();
        assertArrayEquals(new float[] {0, 1, 1, 0, 1, 1, 0, 1}, fc.weight().grad().toArray());
    }

    @Test
    void smoothPartsPassFiniteDifferences() {
        // alpha and bias are smooth in y once the signs are fixed: y = conv(s_x, s_w)·alpha + b
        Rng.manualSeed(10);
        BinaryConv2d conv = new BinaryConv2d(3, 4, 3, 3, Conv2dOptions.of(1, 1), true, BinaryOptions.rbnn().withRotation(false));
        Tensor x = Tensor.randn(new Generator(11), 1, 3, 4, 4);
        Tensor r = Tensor.randn(new Generator(12), 1, 4, 4, 4);
        conv.call(x).mul(r).sum().backward();
        for (dev.tersor.nn.Parameter p : new dev.tersor.nn.Parameter[] {conv.alpha(), conv.bias()}) {
            float[] analytic = p.grad().toArray();
            for (int i = 0; i < p.numel(); i++) {
                double[] l = new double[2];
                for (int side = 0; side < 2; side++) {
                    float[] v = p.value().toArray();
                    v[i] += side == 0 ? 1e-2f : -1e-2f;
                    try (var g = Tensor.noGrad()) {
                        p.value().copyInPlace(Tensor.fromArray(v, p.shape()));
                        l[side] = conv.call(x).mul(r).sum().item();
                        v[i] -= side == 0 ? 1e-2f : -1e-2f;
                        p.value().copyInPlace(Tensor.fromArray(v, p.shape()));
                    }
                }
                assertEquals((l[0] - l[1]) / 2e-2, analytic[i], 2e-2 * (1 + Math.abs(analytic[i])), "element " + i);
            }
        }
        // XNOR's alpha = mean|W| is smooth in W away from 0; binarize W through a fixed sign to isolate it
        GradCheck.check(in -> in[0].abs().mean(new int[] {1}, false), GradCheck.leaf(14, 4, 27));
        // RBNN's pieces before the sign: the standardisation and the |sin θ| blend
        GradCheck.check(in -> BinaryLayer.standardized(in[0], 3, 10), GradCheck.leaf(15, 3, 10));
        Tensor fixed = Tensor.randn(new Generator(16), 3, 10);
        GradCheck.check(in -> in[0].add(AbsSin.of(in[1]).mul(fixed.sub(in[0]))), GradCheck.leaf(17, 3, 10),
                Tensor.fromArray(new float[] {0.4f, 1.2f, 2.5f}, 3, 1).requiresGrad(true));
    }

    @Test
    void absSinGoldens() {
        Tensor th = Tensor.fromArray(new float[] {0f, (float) (Math.PI / 2), -0.5f}, 3).requiresGrad(true);
        Tensor y = AbsSin.of(th);
        assertArrayEquals(new float[] {0f, 1f, (float) Math.sin(0.5)}, y.toArray(), 1e-7f);
        y.sum().backward();
        assertArrayEquals(new float[] {0f, (float) Math.cos(Math.PI / 2), (float) -Math.cos(0.5)}, th.grad().toArray(), 1e-7f);
    }

    @Test
    void stateDictNamesFollowRbnn() {
        Rng.manualSeed(18);
        BinaryConv2d rb = new BinaryConv2d(4, 6, 3, 1, 1, BinaryOptions.rbnn());
        assertEquals(Set.of("weight", "alpha", "rotate", "R1", "R2"), rb.stateDict().keySet());
        assertArrayEquals(new int[] {6, 1, 1}, rb.alpha().shape());
        assertArrayEquals(new int[] {6, 1, 1, 1}, rb.rotate().shape());
        assertArrayEquals(new int[] {6, 6}, rb.rotation1().shape());       // 36 = 6 × 6
        BinaryLinear plain = new BinaryLinear(5, 3);
        assertEquals(Set.of("weight", "bias"), plain.stateDict().keySet());
        assertNull(plain.alpha());
        assertNull(plain.rotation1());
    }

    @Test
    void rotationUpdateKeepsOrthogonalMatricesAndFlipsAboutHalf() {
        Rng.manualSeed(19);
        BinaryConv2d conv = new BinaryConv2d(16, 32, 3, 1, 1, BinaryOptions.rbnn());
        for (int e = 0; e < 3; e++) {
            conv.startEpoch(e, 3);
            BiRotationTest.assertOrthogonal(conv.rotation1(), 1e-5);
            BiRotationTest.assertOrthogonal(conv.rotation2(), 1e-5);
            double f = conv.flipFraction();
            assertTrue(f > 0.25 && f < 0.75, "flip fraction " + f);
        }
        assertEquals((float) SignGradient.t(2, 3, 1e-2, 1e1), conv.t(), 1e-6f);
        assertEquals((float) SignGradient.k(SignGradient.t(2, 3, 1e-2, 1e1)), conv.k(), 1e-5f);
        // the forward binarizes the rotated, blended weight: each filter still has a valid ±1 pattern
        float[] b = conv.binarizedWeight().toArray();
        for (float v : b) assertTrue(v == 1f || v == -1f);
    }

    @Test
    void rbnnTrainsThroughBlendAndScale() {
        Rng.manualSeed(20);
        BinaryConv2d conv = new BinaryConv2d(4, 3, 3, 1, 1, BinaryOptions.rbnn());
        conv.startEpoch(0, 5);
        conv.call(Tensor.randn(new Generator(21), 2, 4, 5, 5)).sum().backward();
        assertNotNull(conv.weight().grad());
        assertNotNull(conv.rotate().grad());
        assertNotNull(conv.alpha().grad());
    }

    @Test
    void validatesArguments() {
        assertThrows(IllegalArgumentException.class, () -> new BinaryConv2d(0, 4, 3, 1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new BinaryConv2d(4, 4, 3, 3, Conv2dOptions.DEFAULT.withGroups(2), false, BinaryOptions.xnor()));
        assertThrows(IllegalArgumentException.class, () -> new BinaryLinear(3, 0));
        assertThrows(IllegalArgumentException.class, () -> new BinaryOptions(null, SignGradient.STE, WeightScale.NONE, false, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new BinaryOptions(SignGradient.STE, SignGradient.STE, WeightScale.NONE, false, 0, 1));
        assertThrows(IllegalStateException.class, () -> new BinaryLinear(3, 2).updateRotation(1));
    }
}
