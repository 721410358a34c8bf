package dev.tersor.cli;

import dev.tersor.nn.Module;
import dev.tersor.nn.zoo.Edsr;
import dev.tersor.nn.zoo.EdsrGhost;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.tensor.Generator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * {@code train --task sr --init W}: the weights a super-resolution run starts from. The same
 * model's weights load as they are; trained {@code edsr} weights for an {@code edsr-ghost} run are
 * turned into ghost modules first, GhostSR's way ({@link EdsrGhost#convert}: k-means clustering of
 * each residual-block convolution's filters, half of them kept as intrinsic, seeded by
 * {@code --seed}), so the run fine-tunes the converted model.
 */
final class SrInit {
    private SrInit() {
    }

    /** Loads {@code init} into {@code net} ({@code info} at {@code scale}); returns a line for the log. */
    static String apply(CommandLine cl, ModelInfo info, int scale, Module net, Path init, long seed) throws IOException {
        Models.existingFile(cl, "--init", init);
        ModelInfo held = heldModel(cl, init);
        if (info.name().equals("edsr-ghost") && held != null && held.name().equals("edsr")) {
            Edsr trained = (Edsr) load(cl, held, scale, init);
            List<String> converted = EdsrGhost.convert(trained, EdsrGhost.RATIO, new Generator(seed));
            copy(cl, net, trained, init);
            return "converted " + converted.size() + " residual-block convolutions of " + init + " (edsr x" + scale
                    + ") into ghost modules by filter clustering";
        }
        if (held != null && !held.name().equals(info.name())) {
            throw new ParameterException(cl, "--init " + init + " holds " + held.name() + " weights, not " + info.name()
                    + (info.name().equals("edsr-ghost") ? "" : " (only edsr weights are converted, for edsr-ghost)"));
        }
        copy(cl, net, load(cl, info, scale, init), init);
        return "started from " + init;
    }

    /** The model {@code file} names (tersor.zoo), or null when it names none. */
    private static ModelInfo heldModel(CommandLine cl, Path file) {
        try {
            return SrModels.info(cl, null, file);
        } catch (ParameterException e) {
            return null;
        }
    }

    private static Module load(CommandLine cl, ModelInfo info, int scale, Path init) throws IOException {
        try {
            return SrModels.load(cl, info, scale, init);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, "--init: " + e.getMessage());
        }
    }

    private static void copy(CommandLine cl, Module net, Module from, Path init) {
        try {
            net.loadStateDict(from.stateDict(), true);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, "--init " + init + ": " + e.getMessage());
        }
    }
}
