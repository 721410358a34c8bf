package dev.tersor.cli;

import dev.tersor.compress.prune.PruningTarget;
import dev.tersor.compress.prune.meta.Cacp;
import dev.tersor.compress.prune.meta.EvolutionSettings;
import dev.tersor.compress.prune.meta.MetaPruning;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.tensor.Tensor;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The searched methods of {@code compress prune} (a picocli mixin): MetaPruning's PruningNet and
 * evolutionary search, and CACP's rate-conditioned policy. Both train on the training part and
 * score candidates on the validation part ({@code --val-split}, held out of training; never the
 * test split). The older {@code --validation N} still works: it holds out about N training images
 * (the fraction N / training size, stratified, where it used to take the last N, which also
 * trained the PruningNet or policy).
 */
final class PruneSearch {
    @Option(names = "--meta-steps", paramLabel = "S", defaultValue = "1000", description = "metapruning: PruningNet training steps (default: ${DEFAULT-VALUE}).")
    int metaSteps;

    @Option(names = "--meta-lr", paramLabel = "LR", description = "metapruning: PruningNet SGD learning rate (default: a tenth of the model's recipe).")
    Double metaLr;

    @Option(names = "--meta-population", paramLabel = "P", defaultValue = "50", description = "metapruning: population (default: ${DEFAULT-VALUE}, as the paper).")
    int population;

    @Option(names = "--meta-generations", paramLabel = "G", defaultValue = "20", description = "metapruning: generations (default: ${DEFAULT-VALUE}, as the paper).")
    int generations;

    @Option(names = "--cacp-rates", paramLabel = "R", split = ",", defaultValue = "0.3,0.5,0.7",
            description = "cacp: the FLOPs reductions one policy is trained for; a file is written for each (default: ${DEFAULT-VALUE}).")
    double[] cacpRates;

    @Option(names = "--cacp-episodes", paramLabel = "H,T", split = ",", defaultValue = "100,800",
            description = "cacp: warm-up and training episodes (default: ${DEFAULT-VALUE}, as the official code).")
    int[] cacpEpisodes;

    @Option(names = "--validation", paramLabel = "N",
            description = "Older form of --val-split: hold out about N training images (the share N / training size) as the validation split "
                    + "(default: --val-split).")
    Integer validation;

    /** Checks the settings of {@code method} before anything loads. */
    void validate(CommandLine cl, String method, Double flops) {
        if (!method.equals("metapruning") && !method.equals("cacp")) return;
        if (flops == null) throw new ParameterException(cl, "--method " + method + " needs --flops");
        if (method.equals("metapruning") && (metaSteps < 0 || population < 2 || generations < 1)) {
            throw new ParameterException(cl, "--meta-steps must be >= 0, --meta-population >= 2 and --meta-generations >= 1");
        }
        if (method.equals("cacp")) {
            if (cacpEpisodes.length != 2 || cacpEpisodes[0] < 0 || cacpEpisodes[1] < 0 || cacpEpisodes[0] + cacpEpisodes[1] < 1) {
                throw new ParameterException(cl, "--cacp-episodes must be two counts >= 0, at least one episode in all, got "
                        + Arrays.toString(cacpEpisodes));
            }
            for (double r : cacpRates) if (!(r > 0 && r < 1)) throw new ParameterException(cl, "--cacp-rates must be in (0, 1), got " + r);
        }
    }

    /** The rates CACP trains for: {@code --cacp-rates} with {@code --flops} added if missing. */
    double[] rates(double flops) {
        if (Arrays.stream(cacpRates).anyMatch(r -> Math.abs(r - flops) < 1e-9)) return cacpRates.clone();
        double[] out = Arrays.copyOf(cacpRates, cacpRates.length + 1);
        out[cacpRates.length] = flops;
        return out;
    }

    /** A search needs a validation part to score its candidates on: a usage error for {@code --val-split 0}. */
    void requireValidation(CommandLine cl, String method, CompressOptions.Setup s) {
        if ((method.equals("metapruning") || method.equals("cacp")) && s.validation() == null) {
            throw new ParameterException(cl, "--method " + method + " scores its candidates on the validation split: give --val-split F > 0 "
                    + "(e.g. 0.1), not 0");
        }
    }

    /** Batches of the validation part, in order. */
    DataLoader validationLoader(CompressOptions.Setup s, int batch) {
        return DataLoader.builder(s.validation()).setBatchSize(batch).optTransform(DataSplits.normalize(s.info())).build();
    }

    /** MetaPruning on {@code model} (pruned in place). */
    MetaPruning.Result metaPruning(CommandLine cl, CompressOptions.Setup s, Module model, Tensor sample, DataLoader train, int batch,
                                   double flops, PruningTarget.Scope scope, long seed) {
        double lr = metaLr != null ? metaLr : s.info().recipe().lr() / 10;
        MetaPruning.Options o = MetaPruning.Options.of(flops, MetaPruning.Training.of(metaSteps, lr))
                .with(population == 50 && generations == 20 ? EvolutionSettings.OFFICIAL : EvolutionSettings.scaled(population, generations))
                .with(scope).withSeed(seed);
        try {
            return MetaPruning.search(model, sample, train, validationLoader(s, batch), o, log(cl.getErr()));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        }
    }

    /** A CACP policy for {@link #rates}, trained on the unpruned {@code model} (left unchanged). */
    Cacp.Policy cacp(CommandLine cl, CompressOptions.Setup s, Module model, Tensor sample, DataLoader train, int batch, double flops,
                     PruningTarget.Scope scope, long seed) {
        Cacp.Options o = Cacp.Options.of(rates(flops)).withEpisodes(cacpEpisodes[0], cacpEpisodes[1]).with(scope).withBatches(10, 0, seed);
        try {
            return Cacp.train(model, sample, train, validationLoader(s, batch), o, log(cl.getErr()));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        }
    }

    private static Consumer<String> log(PrintWriter err) {
        return line -> {
            err.println("tersor compress prune: " + line);
            err.flush();
        };
    }

    /** The file for rate {@code r} beside {@code out}: {@code name-f30.safetensors}. */
    static java.nio.file.Path fileFor(java.nio.file.Path out, double r) {
        String n = out.getFileName().toString();
        int dot = n.lastIndexOf('.');
        String stem = dot < 0 ? n : n.substring(0, dot), ext = dot < 0 ? "" : n.substring(dot);
        return out.resolveSibling(String.format(Locale.ROOT, "%s-f%02d%s", stem, Math.round(r * 100), ext));
    }
}
