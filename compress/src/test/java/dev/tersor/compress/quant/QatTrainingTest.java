package dev.tersor.compress.quant;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.data.Normalize;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.train.Evaluation;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.zoo.Zoo;
import org.junit.jupiter.api.Test;

/**
 * A short LSQ W4A4 fine-tuning of LeNet-5 on the bundled MNIST sample (first and last layers
 * float, as in the LSQ paper's setting of keeping them at higher precision): starting from a
 * float model trained for 250 steps, 250 QAT steps bring the 4-bit model back close to the
 * float accuracy.
 */
class QatTrainingTest {
    private static final Normalize NORM = new Normalize(new float[] {0.1307f}, new float[] {0.3081f});

    private static DataLoader train(long seed) {
        return DataLoader.builder(Mnist.bundledSample(true)).setBatchSize(64).optShuffle(true).optSeed(seed).optDropLast(true)
                .optTransform(NORM).build();
    }

    private static double accuracy(Module m) {
        return Evaluation.of(m, DataLoader.builder(Mnist.bundledSample(false).subset(0, 1000)).setBatchSize(500).optTransform(NORM).build())
                .accuracy();
    }

    @Test
    void lsqW4A4FineTuningStaysCloseToFloat() {
        Rng.manualSeed(7);
        Module floatModel = Zoo.create("lenet5");
        DataLoader data = train(1);
        new Trainer(floatModel, new Sgd(floatModel.parameters(), Sgd.options(0.05).momentum(0.9).build()), null, Losses::crossEntropy)
                .fit(data, null, Trainer.Options.epochs(2).log(null));
        double floatAcc = accuracy(floatModel);

        Module model = Zoo.create("lenet5");
        model.loadStateDict(floatModel.stateDict(), true);
        Quantization.prepare(model, QuantConfig.builder(QuantMethod.LSQ).bits(4, 4).build());
        Module untrained = Zoo.create("lenet5");                         // the same W4A4 model without QAT, for the log
        untrained.loadStateDict(floatModel.stateDict(), true);
        Quantization.prepare(untrained, QuantConfig.builder(QuantMethod.LSQ).bits(4, 4).build());
        double before = accuracy(untrained);
        new Trainer(model, new Sgd(model.parameters(), Sgd.options(0.01).momentum(0.9).build()), null, Losses::crossEntropy)
                .fit(train(2), null, Trainer.Options.epochs(2).log(null));
        double qatAcc = accuracy(model);
        System.out.printf("LeNet-5 on 1000 bundled MNIST test digits: float %.3f, LSQ W4A4 before QAT %.3f, after %.3f%n",
                floatAcc, before, qatAcc);
        assertTrue(floatAcc > 0.9, "float accuracy " + floatAcc);
        assertTrue(qatAcc > floatAcc - 0.03, "QAT accuracy " + qatAcc + " vs float " + floatAcc);
    }
}
