package dev.tersor.nn.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reader of MNIST and Fashion-MNIST: the four canonical IDX files
 * {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each raw or gzip-compressed
 * ({@code .gz} added to the name; the raw file wins when both are there). A directory holding
 * only the two {@code t10k-*} files is enough for the test split.
 * <pre>{@code
 * TensorDataset test = Mnist.load(Path.of("data/mnist"), false);   // [10000, 1, 28, 28] in [0, 1]
 * TensorDataset demo = Mnist.bundledSample(true);                  // 8000 images inside the jar
 * }</pre>
 * Files are validated strictly (magic numbers, 28x28 images, counts, labels 0..9, truncation);
 * an error names the file, the offset and what was expected.
 */
public final class Mnist {
    /** Image side in pixels. */
    public static final int SIDE = 28;
    /** Class names of MNIST: the digits. */
    public static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    /** Class names of Fashion-MNIST, by label. */
    public static final List<String> FASHION = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final String SAMPLE = "/dev/tersor/nn/data/mnist-sample/";

    private Mnist() {}

    /** The canonical (uncompressed) names of a split's image and label files. */
    public static List<String> fileNames(boolean train) {
        String p = train ? "train" : "t10k";
        return List.of(p + "-images-idx3-ubyte", p + "-labels-idx1-ubyte");
    }

    /** MNIST's train (60,000) or test (10,000) split from {@code dir}: inputs {@code [N, 1, 28, 28]} in [0, 1]. */
    public static TensorDataset load(Path dir, boolean train) throws IOException {
        return load(dir, train, "MNIST", DIGITS);
    }

    /** Fashion-MNIST's train or test split from {@code dir} (same files and format as MNIST). */
    public static TensorDataset loadFashion(Path dir, boolean train) throws IOException {
        return load(dir, train, "Fashion-MNIST", FASHION);
    }

    /** One pair of IDX files (each raw, or gzip when the name ends in {@code .gz}); digit class names. */
    public static TensorDataset read(Path images, Path labels) throws IOException {
        return read(images, labels, DIGITS);
    }

    /**
     * The MNIST sample inside this jar: the first 10,000 MNIST training images, split (seeded) into
     * 8,000 train and 2,000 test images, as made by {@code nn/tools/make_mnist_sample.py}.
     */
    public static TensorDataset bundledSample(boolean train) {
        List<String> names = fileNames(train);
        try (InputStream images = resource(names.get(0) + ".gz"); InputStream labels = resource(names.get(1) + ".gz")) {
            return build("bundled " + names.get(0) + ".gz", Idx.readImages("bundled " + names.get(0) + ".gz", images, SIDE, SIDE),
                    "bundled " + names.get(1) + ".gz", Idx.readLabels("bundled " + names.get(1) + ".gz", labels, 10), DIGITS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled MNIST sample", e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = Mnist.class.getResourceAsStream(SAMPLE + name);
        if (in == null) throw new IOException("resource " + SAMPLE + name + " is missing from the class path");
        return new GZIPInputStream(in, 1 << 16);
    }

    private static TensorDataset load(Path dir, boolean train, String what, List<String> classes) throws IOException {
        List<String> names = fileNames(train);
        List<Path> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            Path raw = dir.resolve(name);
            Path gz = dir.resolve(name + ".gz");
            if (Files.isRegularFile(raw)) found.add(raw);
            else if (Files.isRegularFile(gz)) found.add(gz);
            else missing.add(name + "[.gz]");
        }
        if (!missing.isEmpty()) {
            throw new NoSuchFileException(dir.toAbsolutePath().toString(), null, what + " " + (train ? "train" : "test")
                    + " split: missing " + String.join(" and ", missing) + " in this directory. Expected the canonical IDX files "
                    + "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each raw or .gz "
                    + "(the two t10k files suffice for the test split); DataFetcher can download them");
        }
        return read(found.get(0), found.get(1), classes);
    }

    private static TensorDataset read(Path images, Path labels, List<String> classes) throws IOException {
        Idx.Images im;
        try (InputStream in = Idx.open(images)) {
            im = Idx.readImages(images.toString(), in, SIDE, SIDE);
        }
        int[] lab;
        try (InputStream in = Idx.open(labels)) {
            lab = Idx.readLabels(labels.toString(), in, classes.size());
        }
        return build(images.toString(), im, labels.toString(), lab, classes);
    }

    private static TensorDataset build(String imagesName, Idx.Images im, String labelsName, int[] labels, List<String> classes)
            throws IOException {
        if (im.count() != labels.length) {
            throw new IOException("count mismatch: " + imagesName + " holds " + im.count() + " images but "
                    + labelsName + " holds " + labels.length + " labels");
        }
        return TensorDataset.wrap(im.pixels(), labels, new int[] {1, SIDE, SIDE}, classes);
    }
}
