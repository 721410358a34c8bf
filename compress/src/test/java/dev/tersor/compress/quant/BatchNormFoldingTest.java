package dev.tersor.compress.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.compress.quant.BatchNormFolding.Pair;
import dev.tersor.nn.BatchNorm1d;
import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Identity;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pairs found by tracing, and folded models that compute what the originals did. */
class BatchNormFoldingTest {

    /** Random γ, β, running mean and variance (var in [0.2, 2.2]) so that no batch norm is an identity. */
    static void randomizeBatchNorms(Module model, long seed) {
        Generator g = new Generator(seed);
        for (Module m : model.namedModules().values()) {
            Parameter w, b;
            Tensor mean, var;
            if (m instanceof BatchNorm2d bn) {
                w = bn.weight(); b = bn.bias(); mean = bn.runningMean(); var = bn.runningVar();
            } else if (m instanceof BatchNorm1d bn) {
                w = bn.weight(); b = bn.bias(); mean = bn.runningMean(); var = bn.runningVar();
            } else {
                continue;
            }
            int c = mean.numel();
            w.set(Tensor.rand(g, c).mul(1.5f).add(0.25f));
            b.set(Tensor.randn(g, c).mul(0.3f));
            try (var ng = Tensor.noGrad()) {
                mean.copyInPlace(Tensor.randn(g, c).mul(0.5f));
                var.copyInPlace(Tensor.rand(g, c).mul(2f).add(0.2f));
            }
        }
    }

    private static void assertFoldedMatches(Module model, Tensor x, List<Pair> expected) {
        randomizeBatchNorms(model, 3);
        model.eval();
        Tensor before;
        try (var g = Tensor.noGrad()) {
            before = model.call(x);
        }
        List<Pair> folded = BatchNormFolding.fold(model, x);
        assertEquals(expected, folded);
        for (Pair p : folded) {
            assertInstanceOf(Identity.class, model.get(p.batchNorm()), p.batchNorm());
            Module layer = model.get(p.layer());
            assertTrue(layer instanceof Conv2d c ? c.bias() != null : ((Linear) layer).bias() != null, "folded layer has a bias");
        }
        assertFalse(model.isTraining());
        assertTrue(BatchNormFolding.pairs(model, x).isEmpty(), "nothing left to fold");
        Tensor after;
        try (var g = Tensor.noGrad()) {
            after = model.call(x);
        }
        float[] a = before.toArray(), b = after.toArray();
        double scale = 0;
        for (float v : a) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5 * scale, "output " + i);
    }

    @Test
    void lenet5BnFoldsFourPairsAndKeepsItsOutputs() {
        Tensor x = Tensor.randn(new Generator(1), 4, 1, 28, 28);
        assertFoldedMatches(Zoo.create("lenet5-bn"), x,
                List.of(new Pair("conv1", "bn1"), new Pair("conv2", "bn2"), new Pair("fc1", "bn3"), new Pair("fc2", "bn4")));
    }

    @Test
    void resnet20FoldsEveryConvWithItsBatchNorm() {
        List<Pair> expected = new ArrayList<>();
        expected.add(new Pair("conv1", "bn1"));
        for (int stage = 1; stage <= 3; stage++) {
            for (int block = 0; block < 3; block++) {
                String p = "layer" + stage + "." + block + ".";
                expected.add(new Pair(p + "conv1", p + "bn1"));
                expected.add(new Pair(p + "conv2", p + "bn2"));
            }
        }
        assertFoldedMatches(Zoo.create("resnet20"), Tensor.randn(new Generator(2), 2, 3, 32, 32), expected);
    }

    @Test
    void handComputedFoldOfOneChannel() {
        // y = 2x + 1; BN with γ = 3, β = 0.5, μ = 4, σ² = 3.99999 (eps 1e-5, so √(σ² + eps) = 2):
        // W' = 2·3/2 = 3, b' = 0.5 + (1 − 4)·3/2 = −4.
        Linear fc = new Linear(1, 1);
        fc.weight().set(Tensor.fromArray(new float[] {2f}, 1, 1));
        fc.bias().set(Tensor.fromArray(new float[] {1f}, 1));
        BatchNorm1d bn = new BatchNorm1d(1);
        bn.weight().set(Tensor.fromArray(new float[] {3f}, 1));
        bn.bias().set(Tensor.fromArray(new float[] {0.5f}, 1));
        try (var g = Tensor.noGrad()) {
            bn.runningMean().copyInPlace(Tensor.fromArray(new float[] {4f}, 1));
            bn.runningVar().copyInPlace(Tensor.fromArray(new float[] {4f - 1e-5f}, 1));
        }
        Linear f = (Linear) BatchNormFolding.folded(fc, bn);
        assertEquals(3f, f.weight().value().item(), 1e-6);
        assertEquals(-4f, f.bias().value().item(), 1e-6);
    }

    /** conv → bn (foldable); conv → relu → bn; conv feeding a bn and a second module; a bn without running stats. */
    static final class Branches extends Module {
        Branches() {
            register("a", new Conv2d(2, 3, 1));
            register("bnA", new BatchNorm2d(3));
            register("b", new Conv2d(3, 3, 1));
            register("bnB", new BatchNorm2d(3));
            register("c", new Conv2d(3, 3, 1));
            register("bnC", new BatchNorm2d(3));
            register("side", new Conv2d(3, 3, 1));
            register("d", new Conv2d(3, 3, 1));
            register("bnD", new BatchNorm2d(3, 1e-5f, 0.1f, true, false));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = child("bnA").call(child("a").call(x));
            y = child("bnB").call(child("b").call(y).relu());
            Tensor c = child("c").call(y);
            y = child("bnC").call(c).add(child("side").call(c));
            return child("bnD").call(child("d").call(y));
        }
    }

    @Test
    void onlyDirectSoleConsumersWithRunningStatisticsArePaired() {
        Module m = new Branches();
        assertEquals(List.of(new Pair("a", "bnA")), BatchNormFolding.pairs(m, Tensor.randn(new Generator(4), 2, 2, 3, 3)));
        assertTrue(m.isTraining(), "tracing restores training mode");
    }
}
