package dev.tersor.nn.zoo;

import dev.tersor.nn.Module;
import java.util.function.Supplier;

/**
 * A zoo entry: how to build the model, what one input sample looks like, and how the data
 * pipeline prepares it.
 *
 * @param name        the zoo name, e.g. {@code "resnet20"}
 * @param description one line
 * @param inputShape  one sample's shape, e.g. {@code [1, 28, 28]}
 * @param dataset     the dataset its recipe trains on ("mnist", "cifar10"; "div2k" for SR models)
 * @param mean        per-channel mean subtracted after scaling pixels to [0, 1]
 * @param std         per-channel standard deviation divided by
 * @param augment     whether training uses random crop (padding 4) and horizontal flip
 * @param recipe      the default recipe
 * @param factory     builds a freshly initialised model
 */
public record ModelInfo(String name, String description, int[] inputShape, String dataset, float[] mean, float[] std,
                        boolean augment, Recipe recipe, Supplier<Module> factory) {

    /** A new model with fresh weights. */
    public Module create() {
        return factory.get();
    }

    /** True for the models {@code tersor train} can train on a classification dataset. */
    public boolean isClassifier() {
        return !dataset.equals("div2k");
    }

    /** The preprocessing, in words, for documentation and {@code info}. */
    public String preprocessing() {
        if (!isClassifier()) return "RGB values in [0, 255] (the model subtracts the DIV2K mean itself)";
        return "pixels scaled to [0, 1], normalised with mean " + java.util.Arrays.toString(mean) + " and std "
                + java.util.Arrays.toString(std) + (augment ? "; training adds random crop (pad 4) and horizontal flip" : "");
    }
}
