package dev.tersor.cli;

import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.nn.zoo.Recipe;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.search.Architecture;
import dev.tersor.search.SearchSpace;
import dev.tersor.search.Spaces;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Searched architectures as models the commands take ({@code --arch arch.json}): a model entry
 * named {@code arch:<space>:<ops>} that builds the architecture, with the space's data set's
 * preprocessing and a short SGD recipe. Weights trained from it record the architecture
 * ({@code tersor.arch}), so {@code eval}, {@code predict} and {@code info} rebuild it from the
 * weights alone.
 */
final class ArchModels {
    /** Metadata holding the architecture JSON of weights trained with {@code --arch}. */
    static final String ARCH_KEY = "tersor.arch";
    private static final Recipe RECIPE = new Recipe("sgd", 0.05, 0.9, 4e-5, "cosine", 10, 64);

    private ArchModels() {
    }

    /** The model of the architecture in {@code file}; a file that does not fit its space is a usage error naming why. */
    static ModelInfo of(CommandLine cl, Path file) throws IOException {
        Models.existingFile(cl, "--arch", file);
        try {
            return of(Spaces.readArchitecture(file));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, "--arch: " + e.getMessage());
        }
    }

    /** The model of an architecture JSON (as stored in weights' metadata); {@code what} names its source in errors. */
    static ModelInfo ofJson(String json, String what) {
        return of(Spaces.architectureFromJson(json, what));
    }

    /** The JSON to store beside weights of {@code info} when it is an architecture, else null. */
    static String json(ModelInfo info) {
        if (!info.name().startsWith("arch:")) return null;
        String[] parts = info.name().split(":");
        java.util.List<Integer> ops = new java.util.ArrayList<>();
        for (String o : parts[2].split("-")) ops.add(Integer.parseInt(o));
        return new Architecture(parts[1], ops).toJson(Spaces.named(parts[1]));
    }

    private static ModelInfo of(Architecture a) {
        SearchSpace space = Spaces.named(a.space());
        ModelInfo fashion = Zoo.info("resnet20-fashion");
        return new ModelInfo("arch:" + space.name() + ":" + a.key(), "searched " + space.name() + " network " + space.opNames(a),
                space.inputShape(), "fashion-mnist", fashion.mean(), fashion.std(), false, RECIPE, () -> space.build(a));
    }
}
