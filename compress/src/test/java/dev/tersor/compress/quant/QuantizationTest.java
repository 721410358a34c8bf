package dev.tersor.compress.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Identity;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QuantizationTest {

    static Tensor mnistInputs(int n) {
        Tensor x = Mnist.bundledSample(false).inputs().narrow(0, 0, n);
        return x.sub(0.1307f).div(0.3081f);
    }

    static double maxAbs(Tensor t) {
        double m = 0;
        for (float v : t.toArray()) m = Math.max(m, Math.abs(v));
        return m;
    }

    static double maxAbsDiff(Tensor a, Tensor b) {
        float[] x = a.toArray(), y = b.toArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
        return m;
    }

    @Test
    void lenetSwapsTheMiddleLayersAndLoadsAFloatCheckpoint() {
        Rng.manualSeed(1);
        Module floatModel = Zoo.create("lenet5");
        Module model = Zoo.create("lenet5");
        QuantReport r = Quantization.prepare(model, QuantConfig.builder(QuantMethod.LSQ).bits(4, 4).build());
        assertEquals(List.of("conv2", "fc1", "fc2"), r.quantizedPaths());
        assertEquals(List.of("conv1", "fc3"), r.floatPaths());
        assertEquals(new QuantReport.Entry("fc1", "Linear", 4, 4), r.layers().get(2));
        assertInstanceOf(QuantConv2d.class, model.get("conv2"));
        assertInstanceOf(QuantLinear.class, model.get("fc2"));
        assertInstanceOf(Conv2d.class, model.get("conv1"));
        Set<String> keys = model.stateDict().keySet();
        for (String k : List.of("conv1.weight", "conv2.weight", "conv2.bias", "conv2.weight_quant.step", "conv2.input_quant.step",
                "conv2.input_quant.signed", "fc1.weight_quant.initialized", "fc3.bias")) {
            assertTrue(keys.contains(k), k + " in " + keys);
        }
        model.loadStateDict(floatModel.stateDict(), true);
        assertEquals(floatModel.get("conv2") instanceof Conv2d c ? c.weight().value().toArray()[7] : 0f,
                ((QuantConv2d) model.get("conv2")).weight().toArray()[7]);
        // the learned steps and nothing else go to the quantizer group
        List<Parameter> q = Quantization.quantizerParameters(model), w = Quantization.weightParameters(model);
        assertEquals(6, q.size());
        assertEquals(model.parameters().size(), q.size() + w.size());
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.addAll(w);
        for (Parameter p : q) assertTrue(seen.add(p));
    }

    /** At 8 bits (uniform, per-channel weights) LeNet-5's logits on MNIST stay within 3% of the float model's range. */
    @Test
    void eightBitLenetTracksTheFloatModel() {
        Rng.manualSeed(2);
        Module floatModel = Zoo.create("lenet5");
        Module model = Zoo.create("lenet5");
        model.loadStateDict(floatModel.stateDict(), true);
        Quantization.prepare(model, QuantConfig.builder(QuantMethod.UNIFORM).bits(8, 8).quantizeFirst(true).quantizeLast(true).build());
        Tensor x = mnistInputs(256);
        floatModel.eval();
        model.eval();
        try (var g = Tensor.noGrad()) {
            Tensor f = floatModel.call(x), y = model.call(x);
            double err = maxAbsDiff(f, y) / maxAbs(f);
            assertTrue(err < 0.03, "relative max error " + err);
            assertTrue(err > 0, "quantization changed something");
        }
    }

    /** ResNet-20: 18 of its 20 conv/linear layers swapped; at 8 bits its outputs stay close to the float model's. */
    @Test
    void resnet20PreparesAndTracksTheFloatModel() {
        Rng.manualSeed(3);
        Module floatModel = Zoo.create("resnet20");
        Module model = Zoo.create("resnet20");
        model.loadStateDict(floatModel.stateDict(), true);
        QuantReport r = Quantization.prepare(model, QuantConfig.builder(QuantMethod.UNIFORM).bits(8, 8).build());
        assertEquals(18, r.quantizedPaths().size());
        assertEquals(List.of("conv1", "linear"), r.floatPaths());
        assertEquals("layer1.0.conv1", r.quantizedPaths().get(0));
        assertTrue(model.stateDict().containsKey("layer3.2.conv2.weight_quant.min_val"));
        assertTrue(model.stateDict().containsKey("layer3.2.conv2.input_quant.max_val"));
        assertTrue(model.stateDict().containsKey("layer3.2.bn2.running_var"));
        Tensor x = Tensor.randn(new Generator(4), 4, 3, 32, 32);
        floatModel.eval();
        model.eval();
        try (var g = Tensor.noGrad()) {
            Tensor f = floatModel.call(x), y = model.call(x);
            double err = maxAbsDiff(f, y) / maxAbs(f);
            assertTrue(err < 0.05, "relative max error " + err);
        }
    }

    @Test
    void mixedPrecisionAndBadPaths() {
        Module model = Zoo.create("lenet5-bn");
        QuantReport r = Quantization.prepare(model, QuantConfig.builder(QuantMethod.PACT).bits(4, 4)
                .layer("conv1", 8, 8).layer("fc1", 2, 3).quantizeActivations(true).build());
        assertEquals(List.of("conv1", "conv2", "fc1", "fc2"), r.quantizedPaths());
        assertEquals(new QuantReport.Entry("fc1", "Linear", 2, 3), r.layers().get(2));
        QuantLinear fc1 = (QuantLinear) model.get("fc1");
        assertEquals(2, fc1.weightQuantizer().bits());
        assertEquals(3, fc1.inputQuantizer().bits());
        assertInstanceOf(PactQuantizer.class, fc1.inputQuantizer());

        Module fresh = Zoo.create("lenet5-bn");
        var bad = assertThrows(IllegalArgumentException.class,
                () -> Quantization.prepare(fresh, QuantConfig.builder(QuantMethod.LSQ).layer("conv9", 4, 4).build()));
        assertTrue(bad.getMessage().contains("'conv9'"), bad.getMessage());
        var notConv = assertThrows(IllegalArgumentException.class,
                () -> Quantization.prepare(fresh, QuantConfig.builder(QuantMethod.LSQ).layer("bn1", 4, 4).build()));
        assertTrue(notConv.getMessage().contains("'bn1'") && notConv.getMessage().contains("BatchNorm2d"), notConv.getMessage());
        assertInstanceOf(Conv2d.class, fresh.get("conv2"));                 // nothing changed
        var bits = assertThrows(IllegalArgumentException.class, () -> QuantConfig.builder(QuantMethod.LSQ).bits(9, 4).build());
        assertTrue(bits.getMessage().contains("weightBits"), bits.getMessage());
        var act = assertThrows(IllegalArgumentException.class, () -> QuantConfig.builder(QuantMethod.LSQ).bits(4, 1).build());
        assertTrue(act.getMessage().contains("activationBits"), act.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QuantConfig.builder(QuantMethod.LSQ).layer("fc1", 4, 0).build());
    }

    /** Folding lenet5-bn's batch norms after QAT preparation: the BNs become identities and the outputs barely move. */
    @Test
    void foldBatchNormInAPreparedModel() {
        Rng.manualSeed(4);
        Module model = Zoo.create("lenet5-bn");
        Quantization.prepare(model, QuantConfig.builder(QuantMethod.UNIFORM).bits(8, 8).quantizeActivations(false).build());
        Tensor x = mnistInputs(64);
        model.train();
        try (var g = Tensor.noGrad()) {
            for (int i = 0; i < 5; i++) model.call(x);                      // running statistics and weight ranges
        }
        model.eval();
        Tensor before, after;
        try (var g = Tensor.noGrad()) {
            before = model.call(x);
            Quantization.foldBatchNorm(model, List.of(new Quantization.Fold("conv2", "bn2"), new Quantization.Fold("fc1", "bn3"),
                    new Quantization.Fold("fc2", "bn4")));
            after = model.call(x);
        }
        assertInstanceOf(Identity.class, model.get("bn2"));
        assertInstanceOf(BatchNorm2d.class, model.get("bn1"));
        double err = maxAbsDiff(before, after) / maxAbs(before);
        assertTrue(err < 0.03, "relative change " + err);
        var wrong = assertThrows(IllegalArgumentException.class,
                () -> Quantization.foldBatchNorm(model, List.of(new Quantization.Fold("conv1", "bn1"))));
        assertTrue(wrong.getMessage().contains("'conv1'"), wrong.getMessage());
    }
}
