package dev.tersor.search;

import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.data.Normalize;
import dev.tersor.nn.data.StratifiedSplit;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.data.Transform;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The fixed splits a search and its ground truth share: {@code train} (supernet weights,
 * stand-alone training), {@code validation} (supernet fitness, architecture parameters of
 * DARTS use their own half of {@code train}), {@code test} (the ground truth's score, never
 * seen by a search), and the input transform.
 *
 * @param train      training samples
 * @param validation held-out training samples
 * @param test       the test split, or null where only a search runs
 * @param transform  applied to every batch (e.g. normalisation), or null
 */
public record SearchData(TensorDataset train, TensorDataset validation, TensorDataset test, Transform transform) {
    public SearchData {
        if (train == null || validation == null) throw new IllegalArgumentException("SearchData: train and validation are required");
        if (train.size() == 0 || validation.size() == 0 || (test != null && test.size() == 0)) {
            throw new IllegalArgumentException("SearchData: empty split (train " + train.size() + ", validation " + validation.size() + ", test "
                    + (test == null ? "none" : test.size()) + ")");
        }
    }

    /** Fashion-MNIST's normalisation (mean 0.2860, std 0.3530). */
    public static Normalize fashionNormalize() {
        return new Normalize(new float[] {0.2860f}, new float[] {0.3530f});
    }

    /**
     * The Fashion-MNIST split of the benchmark: a stratified hold-out of 10,000 of the 60,000
     * training images (split seed 42) is the validation part; the first {@code trainImages} of
     * the remaining 50,000 (in file order) are the training part; the 10,000 test images are the
     * test part.
     */
    public static SearchData fashion(Path dir, int trainImages) throws IOException {
        TensorDataset full = Mnist.loadFashion(dir, true), test = Mnist.loadFashion(dir, false);
        StratifiedSplit split = StratifiedSplit.of(full.labels().toArray(), 10_000 / 60_000.0, 42);
        if (trainImages < 1 || trainImages > split.train().length) {
            throw new IllegalArgumentException("SearchData.fashion: trainImages must be in [1, " + split.train().length + "], got " + trainImages);
        }
        int[] fit = java.util.Arrays.copyOf(split.train(), trainImages);
        return new SearchData(full.subset(fit), full.subset(split.validation()), test, fashionNormalize());
    }

    /** Shuffled training batches in the order {@code seed} gives. */
    public DataLoader trainLoader(int batch, long seed) {
        return loader(DataLoader.builder(train).setBatchSize(batch).optShuffle(true).optSeed(seed));
    }

    /** Validation batches in order. */
    public DataLoader validationLoader(int batch) {
        return loader(DataLoader.builder(validation).setBatchSize(batch));
    }

    /** Test batches in order (there must be a test part). */
    public DataLoader testLoader(int batch) {
        if (test == null) throw new IllegalStateException("SearchData: there is no test part");
        return loader(DataLoader.builder(test).setBatchSize(batch));
    }

    private DataLoader loader(DataLoader.Builder b) {
        return (transform == null ? b : b.optTransform(transform)).build();
    }
}
