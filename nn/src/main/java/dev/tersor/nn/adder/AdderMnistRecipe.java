package dev.tersor.nn.adder;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.data.Normalize;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.CosineLr;
import dev.tersor.nn.optim.LrScheduler;
import dev.tersor.nn.optim.MultiStepLr;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.train.EpochMetrics;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.zoo.AdderLeNet5;
import dev.tersor.nn.zoo.AdderResNet20;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.nn.zoo.Recipe;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.Parallel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Trains an MNIST zoo model with a zoo recipe on the full MNIST IDX files and prints the test
 * accuracy after each epoch and the mean seconds per epoch: the {@code lenet5-adder} target
 * (≥ 99.0% in 5 epochs, within 0.3 points of {@code lenet5-bn} trained the same way).
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... dev.tersor.nn.adder.AdderMnistRecipe DIR [EPOCHS] [MODEL] [RECIPE_OF] [SEED]
 *   DIR        the folder of train-images-idx3-ubyte ... t10k-labels-idx1-ubyte (raw or .gz)
 *   EPOCHS     default: the recipe's
 *   MODEL      lenet5-adder (default), lenet5-bn, lenet5 or any MNIST zoo model
 *   RECIPE_OF  the model whose default recipe to use (default: MODEL's own), e.g.
 *              "... 5 lenet5-bn lenet5-adder" trains LeNet-5-BN with lenet5-adder's recipe
 *   SEED       initialisation and shuffling seed (default 1)
 * </pre>
 * The optimizer is the recipe's over all parameters with one group, as {@code tersor train}
 * builds it (the adder layers rescale their own weight gradients in backward); the schedule is
 * stepped every iteration; the last partial batch is dropped; inputs are normalised with the
 * model's mean and std. The last line is machine-readable:
 * {@code RESULT model=... recipe=... epochs=... test_acc=... sec_per_epoch=...}.
 */
public final class AdderMnistRecipe {
    private AdderMnistRecipe() {
    }

    /** The zoo entry for {@code name}, including the adder models not (yet) registered in {@link Zoo}. */
    public static ModelInfo model(String name) {
        return switch (name) {
            case "lenet5-adder" -> AdderLeNet5.info();
            case "resnet20-adder" -> AdderResNet20.info();
            default -> Zoo.info(name);
        };
    }

    /** Trains {@code info}'s model with {@code recipe} for {@code epochs}; returns the per-epoch metrics. */
    public static List<EpochMetrics> run(ModelInfo info, Recipe recipe, int epochs, TensorDataset train, TensorDataset test, long seed) {
        Rng.manualSeed(seed);
        Module model = info.create();
        Normalize norm = new Normalize(info.mean(), info.std());
        DataLoader trainLoader = DataLoader.builder(train).setBatchSize(recipe.batch()).optShuffle(true).optSeed(seed)
                .optDropLast(true).optTransform(norm).build();
        DataLoader testLoader = DataLoader.builder(test).setBatchSize(1000).optTransform(norm).build();
        if (!recipe.optimizer().equals("sgd")) {
            throw new IllegalArgumentException("AdderMnistRecipe builds SGD recipes only, got " + recipe.optimizer());
        }
        Sgd sgd = new Sgd(model.parameters(), Sgd.options(recipe.lr()).momentum(recipe.momentum())
                .weightDecay(recipe.weightDecay()).build());
        int total = epochs * trainLoader.size();
        LrScheduler schedule = switch (recipe.schedule()) {
            case "cosine" -> new CosineLr(sgd, total, 0.0);
            case "step" -> new MultiStepLr(sgd, new int[] {Math.max(1, total / 2), Math.max(1, total * 3 / 4)}, 0.1);
            default -> null;
        };
        return new Trainer(model, sgd, schedule, Losses::crossEntropy).fit(trainLoader, testLoader, Trainer.Options.epochs(epochs));
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: AdderMnistRecipe DIR [EPOCHS] [MODEL] [RECIPE_OF] [SEED]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        String name = args.length > 2 ? args[2] : "lenet5-adder";
        String recipeOf = args.length > 3 ? args[3] : name;
        long seed = args.length > 4 ? Long.parseLong(args[4]) : 1;
        ModelInfo info = model(name);
        Recipe recipe = model(recipeOf).recipe();
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : recipe.epochs();
        if (!info.dataset().equals("mnist")) throw new IllegalArgumentException(name + " trains on " + info.dataset() + ", not MNIST");
        TensorDataset train = Mnist.load(dir, true), test = Mnist.load(dir, false);
        System.err.printf(Locale.ROOT, "%s with %s's recipe (%s), %d epochs, seed %d, %d threads, %s backend%n",
                name, recipeOf, recipe, epochs, seed, Parallel.threads(), Backends.current().name());
        List<EpochMetrics> history = run(info, recipe, epochs, train, test, seed);
        double seconds = history.stream().mapToDouble(EpochMetrics::epochSeconds).average().orElse(Double.NaN);
        EpochMetrics last = history.get(history.size() - 1);
        System.out.printf(Locale.ROOT, "RESULT model=%s recipe=%s epochs=%d test_acc=%.4f sec_per_epoch=%.1f%n",
                name, recipeOf, epochs, last.testAccuracy(), seconds);
    }
}
