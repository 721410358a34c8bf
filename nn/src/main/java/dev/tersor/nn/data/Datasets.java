package dev.tersor.nn.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The standard data sets by name, read from a directory of their usual files (see {@link Mnist}
 * and {@link Cifar} for the file names; {@link DataFetcher} downloads them).
 * <pre>{@code
 * TensorDataset test = Datasets.byName("fashion-mnist", Path.of("data/fashion"), false);
 * }</pre>
 */
public final class Datasets {
    /** The names {@link #byName} knows. */
    public static final List<String> NAMES = List.of("mnist", "fashion-mnist", "cifar10", "cifar100");

    private Datasets() {}

    /**
     * The train or test split of data set {@code name} (one of {@link #NAMES}, case-insensitive)
     * from {@code dir}.
     */
    public static TensorDataset byName(String name, Path dir, boolean train) throws IOException {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "mnist" -> Mnist.load(dir, train);
            case "fashion-mnist" -> Mnist.loadFashion(dir, train);
            case "cifar10" -> Cifar.cifar10(dir, train);
            case "cifar100" -> Cifar.cifar100(dir, train);
            default -> throw new IllegalArgumentException("unknown data set '" + name + "'; valid names: " + String.join(", ", NAMES));
        };
    }
}
