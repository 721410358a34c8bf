package dev.tersor.compress.ptq;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Module;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.data.Normalize;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.train.Evaluation;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LeNet-5 trained briefly on the bundled MNIST sample, then calibrated on 4 batches: simulated
 * int8 (per-channel weights, per-tensor affine activations) keeps accuracy on the bundled test
 * split within 1 point of float.
 */
class LeNetPtqTest {
    private static final Normalize MNIST = new Normalize(new float[] {0.1307f}, new float[] {0.3081f});
    private static Module model;
    private static DataLoader test;
    private static List<Tensor> calibration;
    private static double floatAccuracy;

    @BeforeAll
    static void train() {
        model = Zoo.create("lenet5");
        DataLoader train = DataLoader.builder(Mnist.bundledSample(true)).setBatchSize(64).optShuffle(true).optSeed(1)
                .optDropLast(true).optTransform(MNIST).build();
        Sgd sgd = new Sgd(model.parameters(), Sgd.options(0.05).momentum(0.9).build());
        int steps = 0;
        calibration = new ArrayList<>();
        model.train();
        while (steps < 400) {
            for (Batch b : train) {
                if (calibration.size() < 4) calibration.add(b.inputs());
                Tensor loss = Losses.crossEntropy(model.call(b.inputs()), b.labels());
                sgd.zeroGrad();
                loss.backward();
                sgd.step();
                if (++steps == 400) break;
            }
        }
        test = DataLoader.builder(Mnist.bundledSample(false)).setBatchSize(500).optTransform(MNIST).build();
        floatAccuracy = Evaluation.of(model, test).accuracy();
        assertTrue(floatAccuracy > 0.9, "trained float accuracy " + floatAccuracy);
    }

    private static void assertWithinOnePoint(ObserverKind kind) {
        PtqResult r = Calibration.run(model, calibration, PtqConfig.defaults().withObserver(kind));
        Ptq.simulate(model, r);
        double int8;
        try {
            int8 = Evaluation.of(model, test).accuracy();
        } finally {
            Ptq.restore(model);
        }
        System.out.printf("lenet5 PTQ %s: float %.4f, simulated int8 %.4f%n", kind, floatAccuracy, int8);
        assertTrue(int8 > floatAccuracy - 0.01, kind + ": simulated int8 " + int8 + " vs float " + floatAccuracy);
    }

    @Test
    void minMaxKeepsAccuracy() {
        assertWithinOnePoint(ObserverKind.MINMAX);
    }

    @Test
    void histogramKeepsAccuracy() {
        assertWithinOnePoint(ObserverKind.HISTOGRAM);
    }
}
