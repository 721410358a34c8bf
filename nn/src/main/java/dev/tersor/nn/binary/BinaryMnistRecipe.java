package dev.tersor.nn.binary;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.data.Normalize;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Adam;
import dev.tersor.nn.optim.CosineLr;
import dev.tersor.nn.train.EpochMetrics;
import dev.tersor.nn.train.Evaluation;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.zoo.BinaryLeNet5;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.nn.zoo.Recipe;
import dev.tersor.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Trains {@code lenet5-binary} on full MNIST with its default recipe and reports the test
 * accuracy of the trained model and of its packed (XNOR-popcount) inference form, which must
 * agree prediction for prediction.
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... dev.tersor.nn.binary.BinaryMnistRecipe DATA_DIR [EPOCHS [SEED]]
 * </pre>
 * DATA_DIR holds the four MNIST IDX files (raw or .gz). Prints one line per epoch on stderr and a
 * summary on stdout.
 */
public final class BinaryMnistRecipe {
    private BinaryMnistRecipe() {
    }

    /** The result of one run. */
    public record Result(List<EpochMetrics> history, double testAccuracy, double packedTestAccuracy, double secondsPerEpoch,
                         double imagesPerSecond, double packedImagesPerSecond) {
    }

    /** Entry point: {@code DATA_DIR [EPOCHS [SEED]]}. */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: BinaryMnistRecipe DATA_DIR [EPOCHS [SEED]]");
            System.exit(2);
        }
        ModelInfo info = BinaryLeNet5.info();
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : info.recipe().epochs();
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        Result r = run(Path.of(args[0]), epochs, seed);
        System.out.printf(Locale.ROOT, "lenet5-binary: %d epochs, recipe %s%n", epochs, info.recipe());
        System.out.printf(Locale.ROOT, "test accuracy %.2f%% (packed inference %.2f%%), %.1f s per epoch%n",
                100 * r.testAccuracy(), 100 * r.packedTestAccuracy(), r.secondsPerEpoch());
        System.out.printf(Locale.ROOT, "inference: %.0f images/s float forward, %.0f images/s packed%n",
                r.imagesPerSecond(), r.packedImagesPerSecond());
    }

    /** Trains for {@code epochs} epochs from seed {@code seed} on the MNIST files in {@code dir}. */
    public static Result run(Path dir, int epochs, long seed) throws Exception {
        ModelInfo info = BinaryLeNet5.info();
        Recipe recipe = info.recipe();
        Rng.manualSeed(seed);
        TensorDataset train = Mnist.load(dir, true), test = Mnist.load(dir, false);
        Normalize normalize = new Normalize(info.mean(), info.std());
        try (DataLoader trainLoader = DataLoader.builder(train).setBatchSize(recipe.batch()).optShuffle(true).optSeed(seed)
                .optDropLast(true).optTransform(normalize).build();
             DataLoader testLoader = DataLoader.builder(test).setBatchSize(1000).optTransform(normalize).build()) {
            Module model = info.create();
            Adam adam = new Adam(model.parameters(), Adam.options().lr(recipe.lr()).weightDecay(recipe.weightDecay()).build());
            CosineLr cosine = new CosineLr(adam, epochs * trainLoader.size(), 0.0);
            List<EpochMetrics> history = new Trainer(model, adam, cosine, Losses::crossEntropy).fit(trainLoader, testLoader,
                    Trainer.Options.epochs(epochs).log(System.err).onEpochStart(BinaryTraining.epochStart(model)));
            double seconds = history.stream().mapToDouble(EpochMetrics::epochSeconds).average().orElse(Double.NaN);
            model.eval();
            long t0 = System.nanoTime();
            double acc = Evaluation.of(model, testLoader).accuracy();
            double floatRate = test.size() / ((System.nanoTime() - t0) / 1e9);
            Module packed = BinaryInference.convert(model);
            Evaluation.of(packed, testLoader);                                      // warm-up
            t0 = System.nanoTime();
            double packedAcc = Evaluation.of(packed, testLoader).accuracy();
            double packedRate = test.size() / ((System.nanoTime() - t0) / 1e9);
            return new Result(history, acc, packedAcc, seconds, floatRate, packedRate);
        }
    }
}
