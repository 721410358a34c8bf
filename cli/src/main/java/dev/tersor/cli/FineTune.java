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

        @Option(names = "--checkpoint-every", paramLabel = "STEPS", defaultValue = "0",
                description = "Also checkpoint every STEPS steps inside an epoch, so a killed run loses at most that many (default: ${DEFAULT-VALUE}: after each epoch only).")
        int checkpointEvery;

        /** Checks that a checkpoint to resume from is a readable file, and the step interval. */
        void validate(CommandLine cl) {
            if (resume != null) Models.existingFile(cl, "--resume", resume);
            if (checkpointEvery < 0) throw new ParameterException(cl, "--checkpoint-every must be >= 0 steps, got " + checkpointEvery);
        }
    }

    /** A training run's settings; {@code checkpointEvery} steps between step checkpoints (0: none). */
    record Run(Optimizer<?> optimizer, LrScheduler scheduler, LossFunction loss, int epochs, Trainer.EpochStart hook,
               Map<String, String> settings, int checkpointEvery) {
        Run(Optimizer<?> optimizer, LrScheduler scheduler, LossFunction loss, int epochs, Trainer.EpochStart hook, Map<String, String> settings) {
            this(optimizer, scheduler, loss, epochs, hook, settings, 0);
        }

        /** The same with step checkpoints every {@code steps} steps. */
        Run every(int steps) {
            return new Run(optimizer, scheduler, loss, epochs, hook, settings, steps);
        }
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

    /** {@link #fit} with step checkpoints every {@code checkpointEvery} steps ({@code --checkpoint-every}). */
    static List<EpochMetrics> fit(CommandLine cl, CompressOptions.Setup setup, Module model, DataLoader train, Run run, Path checkpoint,
                                  Path resume, int checkpointEvery) {
        return fit(cl, setup, model, train, run.every(checkpointEvery), checkpoint, resume);
    }

    /** Trains {@code model}, checkpointing to {@code checkpoint}, resuming from {@code resume} when not null. */
    static List<EpochMetrics> fit(CommandLine cl, CompressOptions.Setup setup, Module model, DataLoader train, Run run, Path checkpoint,
                                  Path resume) {
        PrintWriter err = cl.getErr();
        Trainer.Options options = Trainer.Options.epochs(run.epochs()).checkpoint(checkpoint).resumeFrom(resume)
                .log(WriterStream.of(err)).onEpochStart(run.hook()).runInfo(run.settings()).checkpointEvery(checkpoint == null ? 0 : run.checkpointEvery());
        DataLoader test = DataSplits.testLoader(setup.info(), setup.test());
        return new Trainer(model, run.optimizer(), run.scheduler(), run.loss()).fit(train, test, options);
    }
}
