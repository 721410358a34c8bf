package dev.tersor.compress.abs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.compress.convert.Conversion;
import dev.tersor.compress.io.CompressedModel;
import dev.tersor.compress.io.SizeReport;
import dev.tersor.compress.quant.QuantConfig;
import dev.tersor.compress.quant.QuantMethod;
import dev.tersor.compress.quant.Quantization;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.data.Normalize;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Adam;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.train.Evaluation;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ABS recipe on LeNet-5 with the bundled MNIST sample: a float model trained for 250 steps,
 * then 250 steps of search under half the W8A8 BOPs (conv1 and fc3 stay float), finished into
 * mixed-precision QuantConv2d/QuantLinear layers, converted to integer layers and saved. The
 * result meets the budget by itself and stays close to W8A8 (the same float model with 8-bit
 * uniform quantization calibrated on 10 batches).
 */
class AbsRecipeTest {
    private static final double GATE_LR = Double.parseDouble(System.getProperty("abs.gateLr", "0.02"));
    private static final int EPOCHS = Integer.getInteger("abs.epochs", 2);
    private static final double BUDGET = Double.parseDouble(System.getProperty("abs.budget", "0.5"));
    private static final Normalize NORM = new Normalize(new float[] {0.1307f}, new float[] {0.3081f});

    private static DataLoader train(long seed) {
        return DataLoader.builder(Mnist.bundledSample(true)).setBatchSize(64).optShuffle(true).optSeed(seed).optDropLast(true)
                .optTransform(NORM).build();
    }

    private static double accuracy(Module m) {
        return Evaluation.of(m, DataLoader.builder(Mnist.bundledSample(false).subset(0, 1000)).setBatchSize(500).optTransform(NORM).build())
                .accuracy();
    }

    private static Module copy(Module source) {
        Module m = Zoo.create("lenet5");
        m.loadStateDict(source.stateDict(), true);
        return m;
    }

    /** {@link #EPOCHS} epochs of {@code weights} (and {@code gates}) steps on cross entropy, plus the ABS penalty when {@code abs}. */
    private static void fit(Module model, Adam weights, Sgd gates, boolean abs) {
        model.train();
        for (int epoch = 0; epoch < EPOCHS; epoch++) {
            for (Batch b : train(2 + epoch)) {
                Tensor loss = Losses.crossEntropy(model.call(b.inputs()), b.labels());
                if (abs) loss = loss.add(Abs.penalty(model));
                weights.zeroGrad();
                if (gates != null) gates.zeroGrad();
                loss.backward();
                weights.step();
                if (gates != null) gates.step();
            }
        }
    }

    @Test
    void halfTheW8A8BopsStaysCloseToW8A8(@TempDir Path dir) throws Exception {
        Rng.manualSeed(7);
        Module floatModel = Zoo.create("lenet5");
        new Trainer(floatModel, new Sgd(floatModel.parameters(), Sgd.options(0.05).momentum(0.9).build()), null, Losses::crossEntropy)
                .fit(train(1), null, Trainer.Options.epochs(2).log(null));
        double floatAcc = accuracy(floatModel);

        Module w8a8 = copy(floatModel);                       // the same steps of W8A8 QAT: uniform 8-bit weights and inputs
        Quantization.prepare(w8a8, QuantConfig.builder(QuantMethod.UNIFORM).bits(8, 8).build());
        Adam qat = new Adam(w8a8.parameters(), Adam.options().lr(1e-3).build());
        fit(w8a8, qat, null, false);
        double w8a8Acc = accuracy(w8a8);

        Module model = copy(floatModel);
        Abs.prepare(model, AbsConfig.builder(1, 28, 28).budget(BUDGET).build());
        Adam opt = new Adam(Abs.weightParameters(model), Adam.options().lr(1e-3).build());
        Sgd gates = new Sgd(Abs.gateParameters(model), Sgd.options(GATE_LR).build());      // plain SGD: steps follow what each gate saves
        long t0 = System.nanoTime();
        fit(model, opt, gates, true);
        double searchSeconds = (System.nanoTime() - t0) / 1e9;
        AbsReport searched = Abs.report(model);
        Abs.Result r = Abs.finish(model);
        double absAcc = accuracy(r.model());
        System.out.printf(Locale.ROOT, "LeNet-5, 1000 bundled test digits: float %.3f, W8A8 %.3f, ABS at %.2f of the W8A8 BOPs %.3f "
                + "(search %.1f s)%n%s%n", floatAcc, w8a8Acc, BUDGET, absAcc, searchSeconds, r.report());
        assertTrue(searched.meetsBudget(), "the search itself ends within the budget:\n" + searched);
        assertTrue(r.report().meetsBudget(), r.report().toString());
        assertTrue(w8a8Acc > 0.9, "W8A8 accuracy " + w8a8Acc);
        assertTrue(absAcc > w8a8Acc - 0.02, "ABS accuracy " + absAcc + " vs W8A8 " + w8a8Acc);

        Tensor x = AbsModelTest.digits(32);
        float[] finished;
        try (var g = Tensor.noGrad()) {
            finished = r.model().call(x).toArray();
        }
        Module integer = Conversion.convert(r.model());
        System.out.println(SizeReport.of(integer, 1, 28, 28));
        Path file = dir.resolve("lenet5-abs.safetensors");
        CompressedModel.save(integer, "lenet5", "abs budget=0.5 bits=2,4,8", file);
        Module loaded = CompressedModel.load(file);
        try (var g = Tensor.noGrad()) {
            float[] converted = integer.call(x).toArray();
            assertArrayEquals(converted, loaded.call(x).toArray());
            assertArrayEquals(finished, converted, 0.05f);
        }
    }
}
