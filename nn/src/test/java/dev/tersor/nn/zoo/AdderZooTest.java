package dev.tersor.nn.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.BatchNorm1d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.adder.AdderConv2d;
import dev.tersor.nn.adder.AdderLinear;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.data.Normalize;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** lenet5-adder and resnet20-adder: layout, keys, counts, shapes, and that LeNet learns. */
class AdderZooTest {

    @Test
    void adderLeNetIsLeNetBnWithThreeAdderLayers() {
        Module m = AdderLeNet5.info().create();
        assertInstanceOf(Conv2d.class, m.get("conv1"));
        assertInstanceOf(AdderConv2d.class, m.get("conv2"));
        assertInstanceOf(AdderLinear.class, m.get("fc1"));
        assertInstanceOf(AdderLinear.class, m.get("fc2"));
        assertInstanceOf(Linear.class, m.get("fc3"));
        assertInstanceOf(BatchNorm1d.class, m.get("bn3"));
        Set<String> bn = new HashSet<>(new LeNet5(true).stateDict().keySet());
        bn.removeAll(Set.of("conv2.bias", "fc1.bias", "fc2.bias"));   // the adder layers have none: BN follows
        assertEquals(bn, m.stateDict().keySet());
        assertEquals(62158 - 16 - 120 - 84, m.parameterCount());
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(new int[] {2, 10}, m.eval().call(Tensor.zeros(2, 1, 28, 28)).shape());
        }
        ModelInfo info = AdderLeNet5.info();
        assertEquals("lenet5-adder", info.name());
        assertEquals(new Recipe("sgd", 0.05, 0.9, 5e-4, "cosine", 5, 64), info.recipe());
    }

    @Test
    void adderResNet20FollowsTheOfficialDefinition() {
        Module m = AdderResNet20.info().create();
        var keys = m.stateDict().keySet();
        assertTrue(keys.contains("conv1.weight") && keys.contains("fc.weight") && keys.contains("bn2.running_mean"));
        assertTrue(keys.contains("layer2.0.downsample.0.weight") && keys.contains("layer3.0.downsample.1.running_var"));
        assertTrue(!keys.contains("layer1.0.downsample.0.weight") && !keys.contains("fc.bias"));
        long adder3x3 = m.namedModules().values().stream()
                .filter(x -> x instanceof AdderConv2d a && a.weight().shape()[2] == 3).count();
        assertEquals(18, adder3x3);
        assertInstanceOf(Conv2d.class, m.get("conv1"));
        // resnet20 (269722) + adder 1×1 shortcuts with BN (16·32 + 64 + 32·64 + 128) − fc bias (10) + bn2 (20)
        assertEquals(269722 + 512 + 64 + 2048 + 128 - 10 + 20, m.parameterCount());
        Tensor x = Tensor.randn(new Generator(1), 2, 3, 32, 32);
        Tensor y = m.train().call(x);
        assertArrayEquals(new int[] {2, 10}, y.shape());
        y.sum().backward();
        assertTrue(((AdderConv2d) m.get("layer3.2.conv2")).weight().grad() != null);
        assertEquals("resnet20-adder", AdderResNet20.info().name());
        assertEquals(400, AdderResNet20.info().recipe().epochs());
    }

    /**
     * Fifty SGD steps on the bundled sample take LeNet-5-adder well past chance: the training
     * loss falls and, with batch statistics (the running ones lag this early: the adder
     * responses move fast), most held-out digits are right.
     */
    @Test
    void adderLeNetLearnsDigits() {
        Rng.manualSeed(3);
        Module m = AdderLeNet5.info().create();
        var norm = new Normalize(new float[] {0.1307f}, new float[] {0.3081f});
        DataLoader train = DataLoader.builder(Mnist.bundledSample(true).subset(0, 3200)).setBatchSize(64).optShuffle(true)
                .optSeed(1).optTransform(norm).build();
        Sgd sgd = new Sgd(m.parameters(), Sgd.options(0.05).momentum(0.9).weightDecay(5e-4).build());
        m.train();
        double first = 0, last = 0;
        int step = 0;
        for (Batch b : train) {
            sgd.zeroGrad();
            Tensor loss = Losses.crossEntropy(m.call(b.inputs()), b.labels());
            loss.backward();
            sgd.step();
            if (step < 10) first += loss.item() / 10;
            if (step >= train.size() - 10) last += loss.item() / 10;
            step++;
        }
        assertTrue(last < 0.5 * first, "mean loss of the first and last 10 steps: " + first + ", " + last);
        long correct = 0;
        try (var g = Tensor.noGrad()) {
            for (Batch b : DataLoader.builder(Mnist.bundledSample(false).subset(0, 1000)).setBatchSize(500).optTransform(norm).build()) {
                correct += m.call(b.inputs()).argmax(1, false).countEqual(b.labels());
            }
        }
        assertTrue(correct > 600, "held-out accuracy after one pass over 3,200 digits: " + correct / 1000.0);
    }
}
