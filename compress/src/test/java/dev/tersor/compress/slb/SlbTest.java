package dev.tersor.compress.slb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** prepare, the temperature schedule and hook, state batch norm and discretize. */
class SlbTest {

    /** conv (2 → 3, 3×3, padding 1) → bn. */
    static final class ConvBn extends Module {
        ConvBn() {
            register("conv", new Conv2d(2, 3, 3, 1, 1));
            register("bn", new BatchNorm2d(3));
        }

        @Override
        public Tensor forward(Tensor x) {
            return child("bn").call(child("conv").call(x));
        }
    }

    @Test
    void prepareKeepsFirstAndLastFloatUnlessAsked() {
        Rng.manualSeed(1);
        Module m = Slb.prepare(Zoo.create("lenet5"), SlbConfig.bits(2));
        assertInstanceOf(Conv2d.class, m.get("conv1"));
        assertInstanceOf(SlbConv2d.class, m.get("conv2"));
        assertInstanceOf(SlbLinear.class, m.get("fc1"));
        assertInstanceOf(SlbLinear.class, m.get("fc2"));
        assertInstanceOf(Linear.class, m.get("fc3"));
        assertEquals(List.of("conv2", "fc1", "fc2"), List.copyOf(Slb.layers(m).keySet()));
        assertArrayEquals(new int[] {16, 6, 5, 5, 4}, ((SlbConv2d) m.get("conv2")).logits().shape());
        assertTrue(m.stateDict().containsKey("fc1.logits") && m.stateDict().containsKey("fc1.grid"));
        Module all = Slb.prepare(Zoo.create("lenet5"), SlbConfig.bits(1).withFirstAndLast(true));
        assertEquals(5, Slb.layers(all).size());
        var e = assertThrows(IllegalArgumentException.class, () -> Slb.prepare(new ConvBn(), SlbConfig.bits(1)));
        assertTrue(e.getMessage().contains("quantizeFirstAndLast"), e.getMessage());
    }

    /** E = 10: s = 2, e = 6; T = 1, 1, 1.2, 1.44, 1.728, then 1.2⁴ (discrete) from epoch 6. */
    @Test
    void temperatureRisesBy1Point2PerEpochFrom20To60Percent() {
        SlbSchedule s = SlbSchedule.DEFAULT;
        double[] expected = {1, 1, 1.2, 1.44, 1.728, 2.0736, 2.0736, 2.0736, 2.0736, 2.0736};
        for (int epoch = 1; epoch <= 10; epoch++) {
            assertEquals(expected[epoch - 1], s.temperature(epoch, 10), 1e-12, "epoch " + epoch);
            assertEquals(epoch >= 6, s.discrete(epoch, 10), "epoch " + epoch);
        }
        assertEquals(1.0, s.temperature(20, 100));
        assertEquals(1.2, s.temperature(21, 100), 1e-12);
        assertEquals(Math.pow(1.2, 40), s.temperature(60, 100), 1e-6);
        assertEquals(Math.pow(1.2, 40), s.temperature(100, 100), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> s.temperature(11, 10));

        Rng.manualSeed(2);
        Module m = Slb.prepare(Zoo.create("lenet5"), SlbConfig.bits(2));
        Trainer.EpochStart hook = Slb.temperatureHook(m, 10);
        assertEquals("SLB temperature 1.440", hook.starting(4, 10));
        for (SlbLayer l : Slb.layers(m).values()) {
            assertEquals(1.44, l.temperature(), 1e-12);
            assertFalse(l.isDiscrete());
        }
        hook.starting(6, 10);
        for (SlbLayer l : Slb.layers(m).values()) assertTrue(l.isDiscrete());
    }

    /** Running statistics after state BN = the average over batches of each batch's mean and unbiased variance of conv(x, W_discrete). */
    @Test
    void stateBatchNormAveragesTheDiscreteModelsBatchStatistics() {
        Rng.manualSeed(3);
        ConvBn m = new ConvBn();
        Slb.prepare(m, SlbConfig.bits(2).withFirstAndLast(true));
        SlbConv2d conv = (SlbConv2d) m.get("conv");
        BatchNorm2d bn = (BatchNorm2d) m.get("bn");
        Generator gen = new Generator(9);
        List<Batch> batches = new ArrayList<>();
        for (int k = 0; k < 4; k++) batches.add(new Batch(Tensor.randn(gen, 5, 2, 4, 4), IntTensor.of(new int[5], 5)));
        m.eval();
        try (var g = Tensor.noGrad()) {
            bn.runningMean().fillInPlace(7f);   // stale values: must be forgotten
        }
        assertEquals(3, Slb.recalibrateBatchNorm(m, batches, 3));

        double[] mean = new double[3], var = new double[3];
        for (int k = 0; k < 3; k++) {
            float[] y;
            try (var g = Tensor.noGrad()) {
                y = Functional.conv2d(batches.get(k).inputs(), conv.discreteWeight(), conv.bias().value(), conv.options()).toArray();
            }
            for (int c = 0; c < 3; c++) {
                double s = 0, ss = 0;
                int n = 0;
                for (int i = 0; i < 5; i++) for (int p = 0; p < 16; p++) s += y[(i * 3 + c) * 16 + p];
                double mu = s / 80;
                for (int i = 0; i < 5; i++) for (int p = 0; p < 16; p++) {
                    double d = y[(i * 3 + c) * 16 + p] - mu;
                    ss += d * d;
                    n++;
                }
                mean[c] += mu / 3;
                var[c] += ss / (n - 1) / 3;
            }
        }
        float[] rm = bn.runningMean().toArray(), rv = bn.runningVar().toArray();
        for (int c = 0; c < 3; c++) {
            assertEquals(mean[c], rm[c], 1e-5, "mean " + c);
            assertEquals(var[c], rv[c], 1e-5 * var[c], "var " + c);
        }
        assertFalse(m.isTraining(), "mode restored");
        assertFalse(conv.isDiscrete(), "discrete flag restored");
    }

    @Test
    void discretizeGivesAnOrdinaryModelWithTheSameOutputsAndItsCodes() {
        Rng.manualSeed(4);
        Module m = Slb.prepare(Zoo.create("lenet5-bn"), SlbConfig.bits(2));
        Tensor x = Tensor.randn(new Generator(3), 3, 1, 28, 28);
        Map<String, float[]> discrete = new java.util.LinkedHashMap<>();
        Slb.layers(m).forEach((k, l) -> discrete.put(k, l.discreteWeight().toArray()));
        float[] before;
        try (var g = Tensor.noGrad()) {
            before = m.eval().call(x).toArray();
        }
        Map<String, SlbCodebook> codes = Slb.discretize(m);
        assertEquals(List.of("conv2", "fc1", "fc2"), List.copyOf(codes.keySet()));
        assertTrue(Slb.layers(m).isEmpty());
        assertInstanceOf(Conv2d.class, m.get("conv2"));
        assertInstanceOf(Linear.class, m.get("fc1"));
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(before, m.call(x).toArray());
        }
        for (var e : codes.entrySet()) {
            assertEquals(4, e.getValue().values().length);
            assertArrayEquals(discrete.get(e.getKey()), e.getValue().weight().toArray());
            assertArrayEquals(discrete.get(e.getKey()), m.stateDict().get(e.getKey() + ".weight").toArray());
        }
        assertTrue(m.stateDict().keySet().stream().noneMatch(k -> k.endsWith("logits")));
    }
}
