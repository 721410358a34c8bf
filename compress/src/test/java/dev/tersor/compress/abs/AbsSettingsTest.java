package dev.tersor.compress.abs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.compress.quant.FakeQuantize;
import dev.tersor.compress.quant.QParams;
import dev.tersor.compress.quant.QuantConfig;
import dev.tersor.compress.quant.QuantMethod;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.ReLU;
import dev.tersor.nn.Sequential;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Config validation naming the setting, the facade's errors, the warm-up hook, the fixed-grid quantizer and the QuantConfig hand-off. */
class AbsSettingsTest {

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void badSettingsNameTheSetting() {
        assertTrue(message(() -> AbsConfig.builder(1, 28, 28).budget(0).build()).contains("budget"));
        assertTrue(message(() -> AbsConfig.builder(1, 28, 28).budget(1.5).build()).contains("budget"));
        assertTrue(message(() -> AbsConfig.builder(1, 28, 28).weightBits(4, 2).build()).contains("weightBits must increase"));
        assertTrue(message(() -> AbsConfig.builder(1, 28, 28).weightBits(1, 4).build()).contains("weightBits must be between"));
        assertTrue(message(() -> AbsConfig.builder(1, 28, 28).inputBits().build()).contains("inputBits"));
        assertTrue(message(() -> AbsConfig.builder(1, 28, 28).inputBits(2, 9).build()).contains("inputBits"));
        assertTrue(message(() -> AbsConfig.builder(1, 28, 28).penaltyWeight(0).build()).contains("penaltyWeight"));
        assertTrue(message(() -> AbsConfig.builder().build()).contains("inputShape"));
        assertTrue(message(() -> AbsConfig.builder(1, -28, 28).build()).contains("inputShape"));
        AbsConfig c = AbsConfig.builder(1, 28, 28).inputBits(8).build();
        assertEquals(List.of(2, 4, 8), c.weightBits());
        assertEquals(List.of(8), c.inputBits());
        assertArrayEquals(new int[] {1, 28, 28}, c.inputShapeArray());
    }

    @Test
    void facadeErrorsLeaveTheModelAlone() {
        Module single = new Sequential(new Linear(4, 3));
        assertTrue(message(() -> Abs.prepare(single, AbsConfig.builder(4).build())).contains("no Conv2d/Linear to search"));
        Module wrongShape = Zoo.create("lenet5");
        assertTrue(message(() -> Abs.prepare(wrongShape, AbsConfig.builder(3, 32, 32).build())).contains("inputShape"));
        assertTrue(wrongShape.get("conv2") instanceof dev.tersor.nn.Conv2d);
        assertTrue(message(() -> Abs.penalty(wrongShape)).contains("Abs.prepare"));
        assertTrue(message(() -> Abs.finish(wrongShape)).contains("Abs.prepare"));
        Module m = Zoo.create("lenet5");
        Abs.prepare(m, AbsConfig.builder(1, 28, 28).build());
        assertTrue(message(() -> Abs.prepare(m, AbsConfig.builder(1, 28, 28).build())).contains("already"));
        assertTrue(message(() -> Abs.finish(m)).contains("has not seen an input"));
    }

    @Test
    void firstAndLastAreSearchedWhenAsked() {
        Module mlp = new Sequential(new Linear(6, 5), new ReLU(), new Linear(5, 4), new ReLU(), new Linear(4, 2));
        AbsReport r = Abs.prepare(mlp, AbsConfig.builder(6).quantizeFirst(true).quantizeLast(true).weightBits(4, 8).inputBits(8).build());
        assertEquals(List.of("0", "2", "4"), r.layers().stream().map(AbsReport.Layer::path).toList());
        assertEquals(List.of(30L, 20L, 8L), r.layers().stream().map(AbsReport.Layer::macs).toList());
        assertNull(Abs.layers(mlp).get("0").inputQuantizer().theta());            // one input candidate: not searched
        Tensor x = GradCheck.leaf(2, 3, 6).detach();                                 // negative inputs: the first layer's grid is signed
        mlp.call(x);
        assertTrue(Abs.layers(mlp).get("0").inputQuantizer().grid().signed());
        assertFalse(Abs.layers(mlp).get("2").inputQuantizer().grid().signed());
    }

    @Test
    void warmUpFreezesTheGatesThenLearnsThem() {
        Module m = Zoo.create("lenet5");
        Abs.prepare(m, AbsConfig.builder(1, 28, 28).build());
        Trainer.EpochStart hook = Abs.epochStart(m, 2);
        assertEquals("ABS: gates frozen for 2 warm-up epochs", hook.starting(1, 5));
        for (Parameter p : Abs.gateParameters(m)) assertFalse(p.requiresGrad());
        assertNull(hook.starting(2, 5));
        assertEquals("ABS: learning the gates", hook.starting(3, 5));
        for (Parameter p : Abs.gateParameters(m)) assertTrue(p.requiresGrad());
        for (Parameter p : Abs.weightParameters(m)) assertTrue(p.requiresGrad());
        assertThrows(IllegalArgumentException.class, () -> Abs.epochStart(m, -1));
    }

    @Test
    void gridQuantizerIsAFixedFakeQuantizer() {
        QParams p = new QParams(new float[] {0.5f, 0.25f}, new int[2], -7, 7);
        GridQuantizer q = new GridQuantizer(p, 4);
        Tensor x = Tensor.fromArray(new float[] {0.6f, -9f, 0.3f, 1.9f}, 2, 2);
        assertArrayEquals(FakeQuantize.fixed(x, p).toArray(), q.call(x).toArray());
        assertArrayEquals(new float[] {0.5f, -3.5f, 0.25f, 1.75f}, q.call(x).toArray());
        assertEquals(p, q.qparams());
        assertTrue(q.scheme().perChannel());
        assertEquals(List.of("scale"), List.copyOf(q.stateDict().keySet()));
        assertThrows(IllegalArgumentException.class, () -> new GridQuantizer(p, 3));                        // [−7, 7] needs 4 bits
        assertThrows(IllegalArgumentException.class, () -> new GridQuantizer(QParams.perTensor(1f, 1, 0, 15), 4));
    }

    @Test
    void chosenBitsHandOverToAQuantConfig() {
        AbsReport r = new AbsReport(List.of(new AbsReport.Layer("conv2", "Conv2d", 2, 8, 16, List.of(3), 100, 1),
                new AbsReport.Layer("fc1", "Linear", 4, 4, 120, List.of(), 10, 1)), 5, 10, 0);
        QuantConfig c = r.toQuantConfig(QuantMethod.LSQ);
        assertEquals(new QuantConfig.LayerBits(2, 8), c.bitsFor("conv2"));
        assertEquals(new QuantConfig.LayerBits(4, 4), c.bitsFor("fc1"));
        assertEquals(QuantMethod.LSQ, c.method());
        assertTrue(r.meetsBudget());
        assertThrows(IllegalArgumentException.class, () -> r.layer("fc2"));
    }
}
