package dev.tersor.nn.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.Summary;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.BackwardProfile;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerProfileTest {
    private static Tensor input(int batch, int... sample) {
        int[] s = new int[sample.length + 1];
        s[0] = batch;
        System.arraycopy(sample, 0, s, 1, sample.length);
        return Tensor.randn(new Generator(1), s);
    }

    @Test
    void lenet5RowsCarryEachLayersMacsAndAddUpToTheForward() {
        Rng.manualSeed(1);
        Module m = Zoo.create("lenet5");
        LayerProfile.Result r = LayerProfile.measure(m, input(4, 1, 28, 28), new LayerProfile.Options(2, 3, true));
        List<String> paths = r.rows().stream().map(LayerProfile.Row::path).toList();
        assertEquals(List.of("", "conv1", "conv2", "fc1", "fc2", "fc3"), paths, "the model's own ops (pooling, ReLU) and its layers, in call order");
        Map<String, Long> expected = new LinkedHashMap<>();
        for (Summary.Row row : Summary.of(m, 1, 28, 28).rows()) expected.merge(row.name(), 4 * row.macs(), Long::sum);
        for (LayerProfile.Row row : r.rows()) {
            assertEquals(expected.getOrDefault(row.path(), 0L), row.macs(), row.path() + ": the batch of 4's MACs");
            assertTrue(row.forwardMs() >= 0 && row.backwardMs() >= 0, row.toString());
            if (!row.path().isEmpty()) assertTrue(row.backwardMs() > 0, "every layer's ops ran backward: " + row);
        }
        assertEquals(4 * Summary.of(m, 1, 28, 28).totalMacs(), r.macs());
        double forward = r.rows().stream().mapToDouble(LayerProfile.Row::forwardMs).sum();
        assertTrue(forward <= r.forwardMs() * (1 + 1e-9) && forward > 0.5 * r.forwardMs(),
                "own times add up to the forward (less the hooks outside the model): " + forward + " of " + r.forwardMs());
        double backward = r.rows().stream().mapToDouble(LayerProfile.Row::backwardMs).sum();
        assertEquals(r.backwardMs(), backward, 1e-9, "every backward op is some module's");
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {4, 6, 28, 28}, r.rows().get(1).outputShape(), "conv1's output (padding 2)");
        assertTrue(!m.isTraining(), "left in eval mode");
        for (var p : m.parameters()) assertTrue(p.grad() == null || p.grad().abs().max().item() == 0, "gradients cleared");
    }

    @Test
    void aResidualBlockOwnsItsAddAndForwardOnlyHasNoBackward() {
        Rng.manualSeed(2);
        Module m = Zoo.create("resnet20");
        LayerProfile.Result r = LayerProfile.measure(m, input(1, 3, 32, 32), new LayerProfile.Options(1, 2, false));
        assertTrue(Double.isNaN(r.backwardMs()));
        assertTrue(r.rows().stream().anyMatch(row -> row.path().equals("layer1.0") && row.type().equals("BasicBlock") && row.macs() == 0),
                "the block's own row (its residual add and ReLU)");
        assertTrue(r.rows().stream().allMatch(row -> Double.isNaN(row.backwardMs())));
        assertEquals(Summary.of(m, 3, 32, 32).totalMacs(), r.macs());
        assertThrows(IllegalArgumentException.class, () -> new LayerProfile.Options(0, 0, false));
    }

    @Test
    void scopesWithoutAnOpenProfileCostNothingAndRecordNothing() {
        Tensor w = Tensor.randn(new Generator(3), 3, 3).requiresGrad(true);
        try (var s = BackwardProfile.scope("x")) {
            w.mul(w).sum().backward();
        }
        try (BackwardProfile p = BackwardProfile.start()) {
            try (var s = BackwardProfile.scope("square")) {
                Tensor y = w.mul(w);
                try (var inner = BackwardProfile.scope("sum")) {
                    y = y.sum();
                }
                y.backward();
            }
            assertEquals(java.util.Set.of("square", "sum"), p.nanos().keySet());
        }
    }

    @Test
    void onlyTheChosenModulesAreProfiledAndTheRestCountsOnTheirAncestor() {
        Rng.manualSeed(3);
        Module m = Zoo.create("resnet20");
        LayerProfile.Result r = LayerProfile.measure(m, input(1, 3, 32, 32), new LayerProfile.Options(1, 3, false, true),
                path -> path.equals("layer1") || path.equals("layer2.0"));
        List<String> paths = r.rows().stream().map(LayerProfile.Row::path).toList();
        assertEquals(List.of("", "layer1", "layer2.0"), paths, "the model itself and the two profiled modules");
        for (LayerProfile.Row row : r.rows()) {
            assertTrue(row.forwardMs() > 0, row.toString());
            assertEquals(0, row.macs(), "containers count no multiply-accumulates of their own: " + row);
        }
        assertTrue(r.options().median());
    }

    @Test
    void summaryIsTheMeanOrTheMedian() {
        assertEquals(4.0, LayerProfile.summary(new long[] {1, 2, 9}, false));
        assertEquals(2.0, LayerProfile.summary(new long[] {9, 1, 2}, true), "the middle of three");
        assertEquals(3.5, LayerProfile.summary(new long[] {100, 4, 3, 1}, true), "the mean of the middle two");
        assertEquals(7.0, LayerProfile.summary(new long[] {7}, true));
    }

    @Test
    void theWarmUpLastsAtLeastItsSecondsAndItsIterations() {
        int[] calls = {0};
        Module counting = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                calls[0]++;
                return x.mul(2f);
            }
        };
        long start = System.nanoTime();
        LayerProfile.measure(counting, input(1, 4), new LayerProfile.Options(0, 3, false, false, 0.2));
        assertTrue(System.nanoTime() - start >= 200_000_000L, "at least the 0.2 s of warm-up");
        assertTrue(calls[0] > 3 + 1, "warm-up calls ran before the 3 timed ones: " + calls[0]);
        calls[0] = 0;
        LayerProfile.measure(counting, input(1, 4), new LayerProfile.Options(5, 3, false, false, 0));
        assertEquals(5 + 3, calls[0], "no seconds: exactly the warm-up iterations, then the timed ones");
        for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LayerProfile.Options(1, 1, false, false, bad));
            assertTrue(e.getMessage().contains("warmupSeconds"), e.getMessage());
        }
    }
}
