package dev.tersor.cli;

import dev.tersor.compress.io.CompressedModel;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.Cifar;
import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * What the commands share about zoo models: resolving {@code --model}, loading {@code --weights}
 * (a safetensors state dict, or a training checkpoint whose {@code model.*} tensors are used),
 * checking files named on the command line, and class names by data set.
 */
final class Models {
    private static final String CHECKPOINT_MODEL_PREFIX = "model.";
    /** Metadata naming the zoo model plain weights files are for (written by {@link #save}). */
    static final String ZOO_KEY = "tersor.zoo";
    /** Metadata {@link Module#save} writes: the class of the model that saved the weights. */
    private static final String CLASS_KEY = "tersor.model";
    /** Metadata of a {@code tersor train} checkpoint: the zoo model of the run. */
    private static final String RUN_MODEL_KEY = "run.model";
    /** Metadata of weights (and {@code run.classes} of checkpoints) predicting another count than ten classes. */
    static final String CLASSES_KEY = "tersor.classes", RUN_CLASSES_KEY = "run.classes";
    /**
     * Metadata of weights trained with a validation split ({@code train --val-split F --seed S}):
     * its share and seed, so that a later {@code compress} run holds out the same images by default.
     */
    static final String VAL_SPLIT_KEY = "tersor.val_split", SPLIT_SEED_KEY = "tersor.split_seed";
    /** Metadata of weights trained with a validation split: how many training images it was drawn from. */
    static final String SPLIT_FROM_KEY = "tersor.split_from";

    private Models() {
    }

    /** The zoo entry for {@code --model}; an unknown name is a usage error listing the valid ones. */
    static ModelInfo info(CommandLine cl, String name) {
        if (!Zoo.names().contains(name)) {
            throw new ParameterException(cl, "--model: unknown model '" + name + "'; available: " + String.join(", ", Zoo.names()));
        }
        return Zoo.info(name);
    }

    /**
     * The zoo entry for {@code --model}, which may be left out when {@code --weights} names its
     * model (a compressed model file, weights saved by {@code tersor train}, a training
     * checkpoint); given both, they must agree.
     */
    static ModelInfo info(CommandLine cl, String name, Path weights) {
        String stored = null, kind = null;
        ModelInfo searched = null;
        if (weights != null && Files.isRegularFile(weights)) {
            try (SafetensorsFile f = Safetensors.read(weights)) {
                if (f.metadata().containsKey(ArchModels.ARCH_KEY)) {
                    searched = ArchModels.ofJson(f.metadata().get(ArchModels.ARCH_KEY), weights + " (" + ArchModels.ARCH_KEY + ")");
                    stored = searched.name();
                    kind = "a searched architecture (" + stored + ")";
                } else if (CompressedModel.isCompressed(f)) {
                    stored = CompressedModel.architecture(f);
                    kind = "a compressed " + stored + " model";
                } else {
                    stored = storedZooName(f);
                    kind = stored + " weights";
                }
            } catch (IOException | IllegalArgumentException e) {
                stored = null;   // reported when the weights are loaded
            }
        }
        if (name == null && stored == null) {
            throw new ParameterException(cl, "--model is required (the weights file does not name its model); available: "
                    + String.join(", ", Zoo.names()));
        }
        if (name != null && stored != null && !name.equals(stored)) {
            throw new ParameterException(cl, "--model " + name + " does not match the weights file, which holds " + kind);
        }
        return searched != null ? searched : info(cl, name != null ? name : stored);
    }

    /**
     * The validation split weights were trained with: its share and seed ({@link #VAL_SPLIT_KEY},
     * {@link #SPLIT_SEED_KEY}) and the count of training images it was drawn from
     * ({@link #SPLIT_FROM_KEY}; null in files written before it was recorded).
     */
    record RecordedSplit(double fraction, long seed, Integer from) {
    }

    /**
     * The validation split the weights at {@code weights} were trained with, or null when they
     * record none (no validation split, another tool's file, a checkpoint) or the file cannot be
     * read (its loading reports that).
     */
    static RecordedSplit recordedSplit(Path weights) {
        if (weights == null) return null;
        try (SafetensorsFile f = Safetensors.read(weights)) {
            String fraction = f.metadata().get(VAL_SPLIT_KEY), seed = f.metadata().get(SPLIT_SEED_KEY), from = f.metadata().get(SPLIT_FROM_KEY);
            return fraction == null || seed == null ? null : new RecordedSplit(Double.parseDouble(fraction.trim()), Long.parseLong(seed.trim()),
                    from == null ? null : Integer.valueOf(from.trim()));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The zoo model a plain weights file or checkpoint says it holds ({@code tersor.zoo} or {@code run.model}), or null. */
    private static String storedZooName(SafetensorsFile f) {
        Map<String, String> m = f.metadata();
        String zoo = m.containsKey(ZOO_KEY) ? m.get(ZOO_KEY) : isCheckpoint(f) ? m.get(RUN_MODEL_KEY) : null;
        return zoo != null && Zoo.names().contains(zoo) ? zoo : null;
    }

    private static boolean isCheckpoint(SafetensorsFile f) {
        return f.metadata().containsKey("epoch") && f.names().stream().anyMatch(n -> n.startsWith(CHECKPOINT_MODEL_PREFIX));
    }

    /** Saves {@code model}'s weights to {@code path}, naming the zoo model they are for ({@code tersor.zoo}). */
    static void save(ModelInfo info, Module model, Path path) throws IOException {
        save(info, model, path, Zoo.DEFAULT_CLASSES);
    }

    /** The same for a model built with {@code classes} outputs (recorded as {@code tersor.classes} when not ten). */
    static void save(ModelInfo info, Module model, Path path, int classes) throws IOException {
        save(info, model, path, classes, Map.of());
    }

    /** The same with {@code extra} metadata entries (e.g. {@link #VAL_SPLIT_KEY}, {@link #SPLIT_SEED_KEY}). */
    static void save(ModelInfo info, Module model, Path path, int classes, Map<String, String> extra) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(extra);
        String arch = ArchModels.json(info);
        if (arch != null) meta.put(ArchModels.ARCH_KEY, arch);   // a searched architecture: rebuilt from this
        else meta.put(ZOO_KEY, info.name());
        if (classes != Zoo.DEFAULT_CLASSES) meta.put(CLASSES_KEY, Integer.toString(classes));
        model.save(path, meta);
    }

    /** Fails (a usage error) unless {@code info} can be built with {@code classes} outputs; builds nothing. */
    static void requireClasses(CommandLine cl, ModelInfo info, int classes) {
        if (classes != Zoo.DEFAULT_CLASSES && !Zoo.takesClasses(info.name())) {
            throw new ParameterException(cl, "--model " + info.name() + " is built with " + Zoo.DEFAULT_CLASSES + " classes only (not " + classes
                    + "); models that take other counts: " + String.join(", ", Zoo.names().stream().filter(Zoo::takesClasses).toList()));
        }
    }

    /** A fresh {@code info} model predicting {@code classes} classes; a model with a fixed ten-class head is a usage error. */
    static Module create(CommandLine cl, ModelInfo info, int classes) {
        if (classes == Zoo.DEFAULT_CLASSES) return info.create();   // zoo models and searched architectures alike
        try {
            return Zoo.create(info.name(), classes);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, "--model " + info.name() + ": " + e.getMessage());
        }
    }

    /** The classes the weights in {@code weights} predict: their recorded count, else ten. */
    static int storedClasses(Path weights) throws IOException {
        try (SafetensorsFile f = Safetensors.read(weights)) {
            return classes(f, weights);
        }
    }

    private static int classes(SafetensorsFile f, Path weights) {
        String v = f.metadata().getOrDefault(CLASSES_KEY, isCheckpoint(f) ? f.metadata().get(RUN_CLASSES_KEY) : null);
        if (v == null) return Zoo.DEFAULT_CLASSES;
        try {
            int c = Integer.parseInt(v);
            if (c >= 1) return c;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(weights + ": bad class count '" + v + "' in its metadata");
    }

    /** Checks that {@code path}, given to {@code option}, is a readable regular file. */
    static Path existingFile(CommandLine cl, String option, Path path) {
        if (!Files.exists(path)) throw new ParameterException(cl, option + ": no such file: " + path);
        if (!Files.isRegularFile(path)) throw new ParameterException(cl, option + ": not a regular file: " + path);
        if (!Files.isReadable(path)) throw new ParameterException(cl, option + ": cannot read " + path);
        return path;
    }

    /**
     * Checks, before any work starts, that an output file can be written: its directory exists
     * (or is made) and takes a new file (a probe file is created there and deleted), and an
     * existing file is writable. Returns the path.
     */
    static Path outputFile(CommandLine cl, String option, Path path) {
        Path parent = path.toAbsolutePath().getParent();
        if (Files.isDirectory(path)) throw new ParameterException(cl, option + ": " + path + " is a directory; give a file name");
        try {
            if (parent != null) Files.createDirectories(parent);
        } catch (IOException e) {
            throw new ParameterException(cl, option + ": cannot create the directory " + parent + " (" + e.getMessage() + ")");
        }
        if (Files.exists(path) && !Files.isWritable(path)) throw new ParameterException(cl, option + ": cannot write " + path + " (not writable)");
        if (parent != null) try {
            Files.delete(Files.createTempFile(parent, ".tersor-probe-", ".tmp"));   // the outputs are written through a temporary file there
        } catch (IOException | UnsupportedOperationException e) {
            throw new ParameterException(cl, option + ": cannot write in the directory " + parent + " (" + e + ")");
        }
        return path;
    }

    /**
     * A fresh {@code info} model with the weights of {@code weights} (strictly: every missing,
     * unexpected or mis-shaped key is listed), in eval mode. A training checkpoint written by
     * {@code tersor train} works too: its {@code model.*} tensors are the weights, and so does a
     * compressed model file ({@link CompressedModel}), which rebuilds its packed layers.
     */
    static Module load(ModelInfo info, Path weights) throws IOException {
        Map<String, Tensor> state = new LinkedHashMap<>();
        boolean checkpoint;
        Module model;
        try (SafetensorsFile f = Safetensors.read(weights)) {
            if (CompressedModel.isCompressed(f)) {
                String arch = CompressedModel.architecture(f);
                if (!arch.equals(info.name())) {
                    throw new IllegalArgumentException(weights + " holds a compressed " + arch + " model, not " + info.name());
                }
                return CompressedModel.load(f);
            }
            checkpoint = isCheckpoint(f);
            int classes = classes(f, weights);
            model = classes == Zoo.DEFAULT_CLASSES ? info.create() : Zoo.create(info.name(), classes);
            requireSameModel(f, info, model, weights);
            for (String name : f.names()) {
                if (!checkpoint) state.put(name, f.tensor(name));
                else if (name.startsWith(CHECKPOINT_MODEL_PREFIX)) state.put(name.substring(CHECKPOINT_MODEL_PREFIX.length()), f.tensor(name));
            }
        }
        try {
            model.loadStateDict(state, true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(weights + " does not hold " + info.name() + " weights"
                    + (checkpoint ? " (read as a training checkpoint)" : "") + ": " + e.getMessage(), e);
        }
        model.eval();
        return model;
    }

    /**
     * Fails when {@code f}'s metadata names another model than {@code info}: another zoo model
     * ({@code tersor.zoo}, a checkpoint's {@code run.model}) or another class ({@code tersor.model},
     * written by {@link Module#save}); files without such metadata (e.g. from PyTorch) pass.
     */
    private static void requireSameModel(SafetensorsFile f, ModelInfo info, Module model, Path weights) {
        String zoo = storedZooName(f);
        if (zoo != null && !zoo.equals(info.name())) {
            throw new IllegalArgumentException(weights + " holds " + zoo + " weights (its metadata says so), not " + info.name());
        }
        String cls = f.metadata().get(CLASS_KEY), expected = model.getClass().getSimpleName();
        if (cls != null && !Zoo.names().contains(cls) && !cls.equals(expected)) {
            throw new IllegalArgumentException(weights + " holds the weights of a " + cls + " (its metadata '" + CLASS_KEY + "'), not of "
                    + info.name() + ", a " + expected);
        }
    }

    /** The class names of a data set's labels, or an empty list when it has none (SR models). */
    static List<String> classNames(String dataset) {
        return switch (dataset) {
            case "mnist" -> Mnist.DIGITS;
            case "fashion-mnist" -> Mnist.FASHION;
            case "cifar10" -> Cifar.CIFAR10_CLASSES;
            default -> List.of();
        };
    }

    /** {@code [1, 28, 28]} as {@code 1×28×28}. */
    static String shape(int[] shape) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : "×").append(shape[i]);
        return sb.toString();
    }

    /** {@code [N, ...shape]} in words, for error messages. */
    static String batched(int[] shape) {
        String s = Arrays.toString(shape);
        return "[N, " + s.substring(1);
    }
}
