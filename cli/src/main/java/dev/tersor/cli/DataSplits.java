package dev.tersor.cli;

import dev.tersor.nn.data.Cifar;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.Datasets;
import dev.tersor.nn.data.ImageFolder;
import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.data.Normalize;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.data.Transform;
import dev.tersor.nn.zoo.ModelInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The data side of {@code train}, {@code eval} and {@code demo}: which data set ({@code --dataset},
 * default the model's), where it is read from ({@code --data D}, or the bundled MNIST sample
 * when no directory is given), and loaders that apply the model's preprocessing: pixels in
 * [0, 1] normalised with the model's mean and std, and the training split augmented as the
 * model's recipe says or as {@code --augment} chooses ({@link Augmentation}). {@code folder} is an image
 * folder: {@code D/train/<class>/*.png|jpg} and {@code D/test/<class>/...} with the same class
 * subfolders, each image resized (bilinear) to the model's input and turned grey or RGB as the
 * model takes it.
 */
final class DataSplits {
    /** The data sets {@code train} and {@code eval} read. */
    static final List<String> DATASETS = List.of("mnist", "fashion-mnist", "cifar10", "cifar100", "folder");
    /** The image folder data set's name. */
    static final String FOLDER = "folder";
    /** Batch size of evaluation loaders (eval-mode results do not depend on it). */
    static final int EVAL_BATCH = 256;

    private DataSplits() {
    }

    /**
     * The data set to use with {@code model}: {@code given} (validated, case-insensitive) or the
     * model's own; a data set whose images do not fit the model is a usage error.
     */
    static String dataset(CommandLine cl, ModelInfo model, String given) {
        if (!model.isClassifier()) {
            throw new ParameterException(cl, "--model " + model.name() + " is not a classifier (" + model.description()
                    + "); train and eval take one of: " + String.join(", ", classifiers()));
        }
        String name = given == null ? model.dataset() : given.trim().toLowerCase(Locale.ROOT);
        if (!DATASETS.contains(name)) {
            throw new ParameterException(cl, "--dataset: unknown data set '" + given + "'; valid names: " + String.join(", ", DATASETS));
        }
        int[] sample = name.equals(FOLDER) ? model.inputShape() : sampleShape(name);   // folder images are resized to the model
        if (!Arrays.equals(sample, model.inputShape())) {
            throw new ParameterException(cl, "--dataset " + name + " has " + Models.shape(sample) + " images but " + model.name()
                    + " takes " + Models.shape(model.inputShape()) + " inputs; use a model made for " + name);
        }
        return name;
    }

    /** The classifiers of the zoo. */
    static List<String> classifiers() {
        List<String> names = new ArrayList<>();
        for (String n : dev.tersor.nn.zoo.Zoo.names()) if (dev.tersor.nn.zoo.Zoo.info(n).isClassifier()) names.add(n);
        return names;
    }

    /** One sample's shape in data set {@code name}. */
    static int[] sampleShape(String name) {
        return name.startsWith("cifar") ? new int[] {3, 32, 32} : new int[] {1, Mnist.SIDE, Mnist.SIDE};
    }

    /**
     * The classes of {@code dataset}: 10, 100 for CIFAR-100, an image folder's class subfolders
     * (train and test must have the same ones). A model predicting another count is built with
     * that many outputs ({@link Models#create}).
     */
    static int classes(CommandLine cl, String dataset, Path dir) throws IOException {
        if (dataset.equals("cifar100")) return 100;
        if (!dataset.equals(FOLDER)) return dev.tersor.nn.zoo.Zoo.DEFAULT_CLASSES;
        if (dir == null) throw new ParameterException(cl, "--dataset folder needs --data DIR (with DIR/train/<class>/ and DIR/test/<class>/ image folders)");
        List<String> train = folderClasses(cl, dir, "train"), test = folderClasses(cl, dir, "test");
        if (!train.isEmpty() && !test.isEmpty() && !train.equals(test)) {
            throw new ParameterException(cl, "--data " + dir + ": train/ has classes " + train + " but test/ has " + test + "; they must be the same");
        }
        List<String> known = train.isEmpty() ? test : train;
        if (known.isEmpty()) throw new ParameterException(cl, "--data " + dir + ": no class subfolders in " + dir.resolve("train") + " or " + dir.resolve("test"));
        return known.size();
    }

    private static List<String> folderClasses(CommandLine cl, Path dir, String split) throws IOException {
        Path p = dir.resolve(split);
        return Files.isDirectory(p) ? ImageFolder.classNames(p) : List.of();
    }

    /** The files a split of {@code dataset} needs, for messages. */
    static List<String> expectedFiles(String dataset, boolean train) {
        if (dataset.equals("cifar10")) return Cifar.cifar10Files(train);
        if (dataset.equals("cifar100")) return List.of(train ? "train.bin" : "test.bin");
        if (dataset.equals(FOLDER)) return List.of((train ? "train" : "test") + "/<class>/<image>.png|jpg");
        List<String> names = new ArrayList<>();
        for (String n : Mnist.fileNames(train)) names.add(n + "[.gz]");
        return names;
    }

    /**
     * A split of {@code dataset} from {@code dir}, or from the bundled MNIST sample (8,000 train
     * / 2,000 test images) when {@code dir} is null; at most {@code limit} samples (0: all).
     * Missing files are named with the directory they were expected in.
     */
    static TensorDataset load(CommandLine cl, ModelInfo model, String dataset, Path dir, boolean train, int limit) throws IOException {
        TensorDataset ds;
        if (dir == null) {
            if (!dataset.equals("mnist")) {
                throw new ParameterException(cl, "--data is required for " + dataset + " (only an MNIST sample is bundled); "
                        + "get the files with 'tersor data fetch " + dataset + " --dir DIR', then pass --data DIR");
            }
            ds = Mnist.bundledSample(train);
        } else {
            if (!Files.isDirectory(dir)) {
                throw new NoSuchFileException(dir.toString(), null, (Files.exists(dir) ? "--data is not a directory" : "--data directory does not exist")
                        + "; expected the " + dataset + " " + (train ? "train" : "test") + " files "
                        + String.join(", ", expectedFiles(dataset, train)) + " in it (get them with 'tersor data fetch "
                        + dataset + " --dir " + dir + "')");
            }
            try {
                ds = dataset.equals(FOLDER) ? folder(cl, model, dir.resolve(train ? "train" : "test")) : Datasets.byName(dataset, dir, train);
            } catch (NoSuchFileException e) {
                throw new NoSuchFileException(e.getFile(), e.getOtherFile(), e.getReason()
                        + " (to download them: tersor data fetch " + dataset + " --dir " + dir + ")");
            }
        }
        return limit > 0 && limit < ds.size() ? ds.subset(0, limit) : ds;
    }

    /** An image folder split, resized to {@code model}'s input, grey for one input channel. */
    private static TensorDataset folder(CommandLine cl, ModelInfo model, Path split) throws IOException {
        if (!Files.isDirectory(split)) {
            throw new NoSuchFileException(split.toString(), null, "no such folder; --dataset folder expects "
                    + split.getParent().resolve("train") + " and " + split.getParent().resolve("test") + ", each with one subfolder per class");
        }
        int[] in = model.inputShape();
        ImageFolder.Channels ch = in[0] == 1 ? ImageFolder.Channels.GRAYSCALE : ImageFolder.Channels.RGB;
        return ImageFolder.load(split, ImageFolder.Options.resized(ch, in[1], in[2], ImageFolder.Resize.BILINEAR));
    }

    /** Shuffled (seeded), last partial batch dropped, augmented as the model's recipe says, normalised. */
    static DataLoader trainLoader(ModelInfo model, TensorDataset ds, int batch, long seed) {
        return trainLoader(model, ds, batch, seed, Augmentation.of(model));
    }

    /** Shuffled (seeded), last partial batch dropped, augmented by {@code augment}, normalised. */
    static DataLoader trainLoader(ModelInfo model, TensorDataset ds, int batch, long seed, Augmentation augment) {
        List<Transform> t = new ArrayList<>(augment.transforms(model));
        t.add(normalize(model));
        return DataLoader.builder(ds).setBatchSize(batch).optShuffle(true).optSeed(seed).optDropLast(true)
                .optTransform(t.toArray(Transform[]::new)).build();
    }

    /** In order, every sample, normalised. */
    static DataLoader testLoader(ModelInfo model, TensorDataset ds) {
        return DataLoader.builder(ds).setBatchSize(EVAL_BATCH).optTransform(normalize(model)).build();
    }

    /** The model's normalisation. */
    static Normalize normalize(ModelInfo model) {
        return new Normalize(model.mean(), model.std());
    }

    /** {@code "the bundled MNIST sample"} or the directory, for messages and JSON. */
    static String describe(Path dir) {
        return dir == null ? "bundled MNIST sample" : dir.toString();
    }
}
