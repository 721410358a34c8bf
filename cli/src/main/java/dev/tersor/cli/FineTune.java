package dev.tersor.cli;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.optim.LrScheduler;
import dev.tersor.nn.optim.Optimizer;
import dev.tersor.nn.train.EpochMetrics;
import dev.tersor.nn.train.LossFunction;
import dev.tersor.nn.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The training part of {@code compress qat} and {@code compress cluster}: the trainer with its
 * progress bar, a checkpoint after every epoch ({@code <out>.ckpt}) and {@code --resume} from
 * one, on the training split with the model's preprocessing (evaluating on the test split).
 */
final class FineTune {
    private FineTune() {
    }

    /** {@code --seed} and {@code --resume}, shared by the compress commands that train (a picocli mixin). */
    static final class RunOptions {
        @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--resume", paramLabel = "CKPT", description = "Continue an interrupted run from its checkpoint (<out>.ckpt).")
        Path resume;

        /** Checks that a checkpoint to resume from is a readable file. */
        void validate(CommandLine cl) {
            if (resume != null) Models.existingFile(cl, "--resume", resume);
        }
    }

    /** A training run's settings. */
    record Run(Optimizer<?> optimizer, LrScheduler scheduler, LossFunction loss, int epochs, Trainer.EpochStart hook,
               Map<String, String> settings) {
    }

    /** The training loader of {@code setup}'s data with batch {@code batch} and seed {@code seed}, seeding {@link Rng} first. */
    static DataLoader loader(CommandLine cl, CompressOptions.Setup setup, int batch, long seed) {
        if (setup.train().size() < batch) {
            throw new ParameterException(cl, "--batch " + batch + " is larger than the " + setup.train().size()
                    + " training samples (the last partial batch is dropped, so no step would run)");
        }
        Rng.manualSeed(seed);
        return DataSplits.trainLoader(setup.info(), setup.train(), batch, seed);
    }

    /** Trains {@code model}, checkpointing to {@code checkpoint}, resuming from {@code resume} when not null. */
    static List<EpochMetrics> fit(CommandLine cl, CompressOptions.Setup setup, Module model, DataLoader train, Run run, Path checkpoint,
                                  Path resume) {
        PrintWriter err = cl.getErr();
        Trainer.Options options = Trainer.Options.epochs(run.epochs()).checkpoint(checkpoint).resumeFrom(resume)
                .log(WriterStream.of(err)).onEpochStart(run.hook()).runInfo(run.settings());
        DataLoader test = DataSplits.testLoader(setup.info(), setup.test());
        return new Trainer(model, run.optimizer(), run.scheduler(), run.loss()).fit(train, test, options);
    }
}
