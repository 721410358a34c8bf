package dev.tersor.nn.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.binary.BinaryConv2d;
import dev.tersor.nn.binary.BinaryInference;
import dev.tersor.nn.binary.BinaryOptions;
import dev.tersor.nn.binary.BinaryTraining;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Adam;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BinaryZooTest {

    /** Fills batch-norm running statistics with one training-mode batch, then compares eval and packed outputs. */
    private static void assertPackedEqualsEval(Module model, Tensor x) {
        model.train();
        try (var g = Tensor.noGrad()) {
            model.call(x);
        }
        model.eval();
        Tensor want;
        try (var g = Tensor.noGrad()) {
            want = model.call(x);
        }
        Module packed = BinaryInference.convert(model);
        assertEquals(0, BinaryInference.countBinaryLayers(packed));
        try (var g = Tensor.noGrad()) {
            // Each packed layer equals its float forward exactly (BinaryInferenceTest); through a whole
            // network the float layers between them may round differently by JIT (seen on JDK 25: 1 ulp).
            assertArrayEquals(want.toArray(), packed.call(x).toArray(), 1e-5f);
        }
    }

    @Test
    void entriesDescribeThemselves() {
        assertEquals("lenet5-binary", BinaryLeNet5.info().name());
        assertEquals("resnet20-binary", BinaryResNet20.info().name());
        assertEquals("vgg-small-binary", BinaryVggSmall.info().name());
        Recipe r = BinaryLeNet5.info().recipe();
        assertEquals("adam", r.optimizer());
        assertEquals(5e-3, r.lr());
        assertEquals("cosine", r.schedule());
        assertEquals(10, r.epochs());
        assertEquals("mnist", BinaryLeNet5.info().dataset());
        assertEquals("cifar10", BinaryResNet20.info().dataset());
        assertTrue(BinaryVggSmall.info().augment());
    }

    @Test
    void lenet5BinaryHasLenet5BnNamesAndThreeBinaryLayers() {
        Rng.manualSeed(1);
        Module m = BinaryLeNet5.info().create();
        assertEquals(new LeNet5(true).stateDict().keySet(), m.stateDict().keySet());
        assertEquals(3, BinaryInference.countBinaryLayers(m));
        Tensor y = m.call(Tensor.randn(new Generator(2), 3, 1, 28, 28));
        assertArrayEquals(new int[] {3, 10}, y.shape());
        assertThrows(IllegalArgumentException.class, () -> m.call(Tensor.zeros(1, 1, 32, 32)));
    }

    @Test
    void lenet5BinaryLearnsAFixedBatch() {
        Rng.manualSeed(3);
        Module m = new BinaryLeNet5();
        Tensor x = Tensor.randn(new Generator(4), 16, 1, 28, 28);
        IntTensor labels = IntTensor.of(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5}, 16);
        Adam adam = new Adam(m.parameters(), Adam.options().lr(1e-2).build());
        float first = 0, last = 0;
        for (int step = 0; step < 15; step++) {
            adam.zeroGrad();
            Tensor loss = Losses.crossEntropy(m.call(x), labels);
            if (step == 0) first = loss.item();
            last = loss.item();
            loss.backward();
            adam.step();
        }
        assertTrue(last < 0.7f * first, "loss " + first + " -> " + last);
    }

    @Test
    void lenet5BinaryPacksExactly() {
        Rng.manualSeed(5);
        assertPackedEqualsEval(new BinaryLeNet5(), Tensor.randn(new Generator(6), 4, 1, 28, 28));
    }

    @Test
    void resnet20BinaryShapesRotationAndPacking() {
        Rng.manualSeed(7);
        Module m = BinaryResNet20.info().create();
        assertEquals(18, BinaryInference.countBinaryLayers(m));
        assertTrue(m.stateDict().containsKey("layer2.0.conv1.R1"));
        assertTrue(m.stateDict().containsKey("bn2.running_mean"));
        var flips = BinaryTraining.startEpoch(m, 0, 10);
        assertEquals(18, flips.size());
        Tensor x = Tensor.randn(new Generator(8), 2, 3, 16, 16);
        assertArrayEquals(new int[] {2, 10}, m.call(x).shape());
        assertPackedEqualsEval(m, x);
    }

    @Test
    void theTrainerHookUpdatesRbnnLayersAndReportsTheirFlipsAndIsSilentForOtherModels() {
        Rng.manualSeed(11);
        Module m = new dev.tersor.nn.Sequential(new BinaryConv2d(3, 8, 3, 1, 1, BinaryOptions.rbnn()));
        String line = BinaryTraining.epochStart(m).starting(1, 4);
        assertTrue(line != null && line.startsWith("flipped weight signs 0 ") && line.endsWith("%"), line);
        assertEquals(null, BinaryTraining.epochStart(new BinaryLeNet5()).starting(1, 4), "no RBNN layers, nothing to report");
        assertEquals(null, BinaryTraining.epochStart(new LeNet5(true)).starting(1, 4));
    }

    @Test
    void vggSmallBinaryShapesAndPacking() {
        Rng.manualSeed(9);
        Module m = new BinaryVggSmall(10, BinaryOptions.biReal());
        assertEquals(5, BinaryInference.countBinaryLayers(m));
        assertEquals(new VggSmall(10).stateDict().keySet().size(), m.stateDict().keySet().size());
        Tensor x = Tensor.randn(new Generator(10), 2, 3, 32, 32);
        assertArrayEquals(new int[] {2, 10}, m.call(x).shape());
        assertPackedEqualsEval(m, x);
        assertEquals(5, BinaryInference.countBinaryLayers(BinaryVggSmall.info().create()));
    }
}
