package dev.tersor.compress.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.Rng;
import dev.tersor.nn.adder.AdderConv2d;
import dev.tersor.nn.zoo.AdderLeNet5;
import dev.tersor.nn.zoo.LeNet5;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class PkkdTest {
    /** Brute-force ‖x_patch − f‖^p over every output position of a convolution (zero padding). */
    private static float[] bruteDistance(Tensor x, Tensor w, Conv2dOptions o, int oh, int ow, boolean squared) {
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3), out = w.size(0), kh = w.size(2), kw = w.size(3);
        float[] xs = x.contiguous().toArray(), ws = w.contiguous().toArray(), r = new float[n * out * oh * ow];
        for (int b = 0; b < n; b++) for (int k = 0; k < out; k++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
            double s = 0;
            for (int ch = 0; ch < c; ch++) for (int u = 0; u < kh; u++) for (int v = 0; v < kw; v++) {
                int yy = i * o.strideH() - o.padH() + u, xx = j * o.strideW() - o.padW() + v;
                double xv = yy >= 0 && yy < h && xx >= 0 && xx < wd ? xs[((b * c + ch) * h + yy) * wd + xx] : 0;
                double d = xv - ws[((k * c + ch) * kh + u) * kw + v];
                s += squared ? d * d : Math.abs(d);
            }
            r[((b * out + k) * oh + i) * ow + j] = (float) s;
        }
        return r;
    }

    @Test
    void convSquaredDistanceMatchesBruteForce() {
        Tensor x = Tensor.randn(new Generator(1), 2, 3, 7, 6);
        Tensor w = Tensor.randn(new Generator(2), 4, 3, 3, 3), b = Tensor.randn(new Generator(3), 4);
        Conv2dOptions o = Conv2dOptions.of(2, 1);
        Tensor y = Functional.conv2d(x, w, b, o);
        Tensor d = KernelFeatures.convSquaredDistance(x, y, w, b, o);
        Fixtures.assertClose(bruteDistance(x, w, o, y.size(2), y.size(3), true), d.toArray(), 1e-4, 1e-4, "‖x − f‖²");
    }

    @Test
    void linearAndAdderDistancesMatchBruteForce() {
        Tensor x = Tensor.randn(new Generator(4), 3, 5), w = Tensor.randn(new Generator(5), 2, 5), b = Tensor.randn(new Generator(6), 2);
        Tensor d = KernelFeatures.linearSquaredDistance(x, Functional.linear(x, w, b), w, b);
        float[] xs = x.toArray(), ws = w.toArray(), expected = new float[6];
        for (int i = 0; i < 3; i++) for (int o = 0; o < 2; o++) {
            double s = 0;
            for (int k = 0; k < 5; k++) s += Math.pow(xs[i * 5 + k] - ws[o * 5 + k], 2);
            expected[i * 2 + o] = (float) s;
        }
        Fixtures.assertClose(expected, d.toArray(), 1e-4, 1e-4, "linear ‖x − w‖²");

        Rng.manualSeed(7);
        AdderConv2d adder = new AdderConv2d(2, 3, 3, 1, 1);
        Tensor xa = Tensor.randn(new Generator(8), 2, 2, 5, 5);
        Tensor da = KernelFeatures.adderDistance(adder.call(xa), null);
        Fixtures.assertClose(bruteDistance(xa, adder.weight().value(), Conv2dOptions.of(1, 1), 5, 5, false), da.toArray(), 1e-4, 1e-4, "adder ‖x − f‖₁");
    }

    /** exp(−D/mean D) for D = (1, 3): mean 2, so (e^−½, e^−3/2). */
    @Test
    void kernelIsScaleFreeExponential() {
        Fixtures.assertClose(new float[] {(float) Math.exp(-0.5), (float) Math.exp(-1.5)},
                KernelFeatures.kernel(Tensor.fromArray(new float[] {1, 3}, 1, 2)).toArray(), 1e-7, 1e-6, "kernel");
        Fixtures.assertClose(KernelFeatures.kernel(Tensor.fromArray(new float[] {1, 3}, 1, 2)).toArray(),
                KernelFeatures.kernel(Tensor.fromArray(new float[] {10, 30}, 1, 2)).toArray(), 1e-7, 1e-6, "scale-free");
    }

    /** Finite differences of the kernel loss mean((k(D_A) − g(k(D_C)))²) in the adder distances and in g's weight. */
    @Test
    void kernelLossGradientMatchesFiniteDifferences() {
        Tensor da = Tensor.rand(new Generator(11), 2, 3, 2, 2).mul(4).add(0.5f).detach().requiresGrad(true);
        Tensor kc = KernelFeatures.kernel(Tensor.rand(new Generator(12), 2, 3, 2, 2).mul(9).add(1));
        Tensor gw = Tensor.eye(3).add(Tensor.randn(new Generator(13), 3, 3).mul(0.1f)).reshape(3, 3, 1, 1).detach().requiresGrad(true);
        GradCheck.check(in -> {
            Module g = new Module() {
                @Override
                public Tensor forward(Tensor t) {
                    return Functional.conv2d(t, in[1], null);
                }
            };
            return PkkdLoss.kernelLoss(KernelFeatures.kernel(in[0]), kc, g);
        }, 1e-2, 1e-4, 2e-2, da, gw);
        // the Gaussian side is differentiable too (it runs without gradient in training): in x and the filters
        Tensor x = GradCheck.leaf(14, 1, 2, 4, 4), w = GradCheck.leaf(15, 3, 2, 3, 3);
        GradCheck.check(in -> KernelFeatures.kernel(KernelFeatures.convSquaredDistance(in[0], Functional.conv2d(in[0], in[1], null),
                in[1], null, Conv2dOptions.DEFAULT)), 1e-2, 2e-3, 2e-2, x, w);
    }

    @Test
    void pairsTheAdderLayersWithTheTeachersAndTrainsBoth() {
        Rng.manualSeed(21);
        AdderLeNet5 student = new AdderLeNet5();
        PkkdModel pair = new PkkdModel(student, new LeNet5(true), PkkdModel.adderLayers(student));
        assertEquals(List.of("conv2", "fc1", "fc2"), pair.layers());
        Tensor x = Tensor.randn(new Generator(22), 4, 1, 28, 28);
        pair.check(x.narrow(0, 0, 2));
        assertTrue(pair.stateDict().containsKey("transforms.conv2.weight") && pair.stateDict().containsKey("teacher.conv2.bias"));
        pair.train();
        IntTensor y = IntTensor.of(new int[] {1, 7, 3, 0}, 4);
        Tensor out = pair.call(x);
        PkkdLoss loss = new PkkdLoss(pair, new PkkdConfig(0.5, 2, 1));
        Tensor l = loss.apply(out, y);
        assertTrue(Float.isFinite(l.item()) && l.item() > 0);
        l.backward();
        for (String p : new String[] {"student.conv2.weight", "student.fc3.weight", "teacher.conv2.weight", "transforms.fc1.weight"}) {
            Parameter param = pair.namedParameters().get(p);
            assertNotNull(param.grad(), p + " gets a gradient");
            assertTrue(param.grad().abs().sum().item() > 0, p + " gets a non-zero gradient");
        }
        pair.eval();
        pair.call(x);
        assertThrows(IllegalStateException.class, () -> loss.apply(pair.call(x), y), "eval runs the student only");
    }

    @Test
    void kernelTermMatchesItsDefinition() {
        Rng.manualSeed(31);
        AdderLeNet5 student = new AdderLeNet5();
        LeNet5 teacher = new LeNet5(true);
        PkkdModel pair = new PkkdModel(student, teacher, List.of("conv2"));
        pair.train();
        Tensor x = Tensor.randn(new Generator(32), 2, 1, 28, 28);
        pair.call(x);
        float term = new PkkdLoss(pair, new PkkdConfig(0, 1, 1)).layerLoss("conv2").item();
        // recompute from the layers' own inputs: at the start g is the identity
        Tensor xs, xt;
        try (var g = Tensor.noGrad()) {
            student.eval();
            teacher.eval();
            pair.train();
            Module s1 = student.get("conv1"), t1 = teacher.get("conv1");
            xs = Functional.maxPool2d(student.get("bn1").call(s1.call(x)).relu(), 2);
            xt = Functional.maxPool2d(teacher.get("bn1").call(t1.call(x)).relu(), 2);
            AdderConv2d a = (AdderConv2d) student.get("conv2");
            Conv2d c = (Conv2d) teacher.get("conv2");
            Tensor ka = KernelFeatures.kernel(Tensor.fromArray(bruteDistance(xs, a.weight().value(), Conv2dOptions.DEFAULT, 10, 10, false), 2, 16, 10, 10));
            Tensor kc = KernelFeatures.kernel(Tensor.fromArray(bruteDistance(xt, c.weight().value(), Conv2dOptions.DEFAULT, 10, 10, true), 2, 16, 10, 10));
            Tensor d = ka.sub(kc);
            assertEquals(d.mul(d).mean().item(), term, 2e-5);
        }
    }

    @Test
    void mismatchedTeacherFailsBeforeTraining() {
        Rng.manualSeed(41);
        AdderLeNet5 student = new AdderLeNet5();
        var width = assertThrows(IllegalArgumentException.class, () -> new PkkdModel(student, new LeNet5(true, 0.5), PkkdModel.adderLayers(student)));
        assertTrue(width.getMessage().contains("conv2") && width.getMessage().contains("16"), width.getMessage());
        var kind = assertThrows(IllegalArgumentException.class, () -> new PkkdModel(new LeNet5(true), new LeNet5(true), List.of("conv2")));
        assertTrue(kind.getMessage().contains("not an adder layer"), kind.getMessage());
        var none = assertThrows(IllegalArgumentException.class, () -> new PkkdModel(new LeNet5(true), new LeNet5(true), List.of()));
        assertTrue(none.getMessage().contains("no adder layer") || none.getMessage().contains("at least one"), none.getMessage());
    }
}
