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
     * The zoo entry for {@code --model}, which may be left out when {@code --weights} is a compressed
     * model file (it names its architecture); given both, they must agree.
     */
    static ModelInfo info(CommandLine cl, String name, Path weights) {
        String stored = null;
        if (weights != null && Files.isRegularFile(weights)) {
            try (SafetensorsFile f = Safetensors.read(weights)) {
                if (CompressedModel.isCompressed(f)) stored = CompressedModel.architecture(f);
            } catch (IOException | IllegalArgumentException e) {
                stored = null;   // reported when the weights are loaded
            }
        }
        if (name == null && stored == null) {
            throw new ParameterException(cl, "--model is required (the weights file does not name its model); available: "
                    + String.join(", ", Zoo.names()));
        }
        if (name != null && stored != null && !name.equals(stored)) {
            throw new ParameterException(cl, "--model " + name + " does not match the weights file, a compressed " + stored + " model");
        }
        return info(cl, name != null ? name : stored);
    }

    /** Checks that {@code path}, given to {@code option}, is a readable regular file. */
    static Path existingFile(CommandLine cl, String option, Path path) {
        if (!Files.exists(path)) throw new ParameterException(cl, option + ": no such file: " + path);
        if (!Files.isRegularFile(path)) throw new ParameterException(cl, option + ": not a regular file: " + path);
        if (!Files.isReadable(path)) throw new ParameterException(cl, option + ": cannot read " + path);
        return path;
    }

    /** Checks that the directory an output file goes to exists (or can be made) and returns the path. */
    static Path outputFile(CommandLine cl, String option, Path path) {
        Path parent = path.toAbsolutePath().getParent();
        if (Files.isDirectory(path)) throw new ParameterException(cl, option + ": " + path + " is a directory; give a file name");
        try {
            if (parent != null) Files.createDirectories(parent);
        } catch (IOException e) {
            throw new ParameterException(cl, option + ": cannot create the directory " + parent + " (" + e.getMessage() + ")");
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
        try (SafetensorsFile f = Safetensors.read(weights)) {
            if (CompressedModel.isCompressed(f)) {
                String arch = CompressedModel.architecture(f);
                if (!arch.equals(info.name())) {
                    throw new IllegalArgumentException(weights + " holds a compressed " + arch + " model, not " + info.name());
                }
                return CompressedModel.load(f);
            }
            checkpoint = f.metadata().containsKey("epoch")
                    && f.names().stream().anyMatch(n -> n.startsWith(CHECKPOINT_MODEL_PREFIX));
            for (String name : f.names()) {
                if (!checkpoint) state.put(name, f.tensor(name));
                else if (name.startsWith(CHECKPOINT_MODEL_PREFIX)) state.put(name.substring(CHECKPOINT_MODEL_PREFIX.length()), f.tensor(name));
            }
        }
        Module model = info.create();
        try {
            model.loadStateDict(state, true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(weights + " does not hold " + info.name() + " weights"
                    + (checkpoint ? " (read as a training checkpoint)" : "") + ": " + e.getMessage(), e);
        }
        model.eval();
        return model;
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
