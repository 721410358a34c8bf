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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The training part of the {@code compress} commands: the trainer with its progress bar, a
 * checkpoint after every epoch ({@code <out>.ckpt}) and {@code --resume} from one, on the
 * training part with the model's preprocessing and augmentation ({@code --augment}). Each epoch is scored on the validation part
 * ({@link Holdout}); the test split is never looked at here ({@link CompressOptions#finish}
 * scores the compressed file on it once). {@code --keep best} ends the final fine-tuning with the
 * weights of its best validation epoch.
 */
final class FineTune {
    private FineTune() {
    }

    /** {@code --seed}, {@code --keep} and {@code --resume}, shared by the compress commands that train (a picocli mixin). */
    static final class RunOptions {
        @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Seed of the training and of the validation split (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--split-seed", paramLabel = "S",
                description = "Seed of the validation split alone (default: --seed). Give the seed the float model was trained with"
                        + " (train --val-split F --seed S) so that the validation part holds the images it was validated on, not trained on.")
        Long splitSeed;

        @Option(names = "--keep", paramLabel = "best|last",
                description = "End the fine-tuning with the last epoch's weights or those of the epoch with the best validation accuracy "
                        + "(needs --val-split > 0; default: the resumed run's, else last).")
        String keep;

        @Option(names = "--augment", paramLabel = "A",
                description = "Training augmentation: none, flip, crop=P (random crop after P pixels of zero padding) or crop=P,flip "
                        + "(default: the resumed run's, else the model's recipe: crop=4,flip for the CIFAR models, none for the others).")
        String augment;

        @Option(names = "--resume", paramLabel = "CKPT", description = "Continue an interrupted run from its checkpoint (<out>.ckpt).")
        Path resume;

        @Option(names = "--checkpoint-every", paramLabel = "STEPS", defaultValue = "0",
                description = "Also checkpoint every STEPS steps inside an epoch, so a killed run loses at most that many (default: ${DEFAULT-VALUE}: after each epoch only).")
        int checkpointEvery;

        /** Checks that a checkpoint to resume from is a readable file, the step interval and {@code --keep}. */
        void validate(CommandLine cl) {
            if (resume != null) Models.existingFile(cl, "--resume", resume);
            if (checkpointEvery < 0) throw new ParameterException(cl, "--checkpoint-every must be >= 0 steps, got " + checkpointEvery);
            if (keep != null && !List.of("best", "last").contains(keep.trim().toLowerCase(Locale.ROOT))) {
                throw new ParameterException(cl, "--keep must be best or last, got '" + keep + "'");
            }
        }

        /** True when {@code --keep best} was given. */
        boolean keepBestGiven() {
            return keep != null && keep.trim().equalsIgnoreCase("best");
        }
    }

    /** A training run's settings. */
    record Run(Optimizer<?> optimizer, LrScheduler scheduler, LossFunction loss, int epochs, Trainer.EpochStart hook,
               Map<String, String> settings) {
    }

    /** The training loader of {@code setup}'s training part with batch {@code batch} and seed {@code seed}, seeding {@link Rng} first. */
    static DataLoader loader(CommandLine cl, CompressOptions.Setup setup, int batch, long seed) {
        if (setup.train().size() < batch) {
            throw new ParameterException(cl, "--batch " + batch + " is larger than the " + setup.train().size()
                    + " training samples (the last partial batch is dropped, so no step would run)");
        }
        Rng.manualSeed(seed);
        return DataSplits.trainLoader(setup.info(), setup.train(), batch, seed, setup.augment());
    }

    /**
     * The final training of a command: trains {@code model}, checkpointing to {@code checkpoint}
     * (null: none), resuming from {@code options.resume} when not null, with step checkpoints every
     * {@code options.checkpointEvery} steps; each epoch scored on the validation part, and with
     * {@code --keep best} the model ends with its best validation epoch's weights.
     */
    static Trainer.Result fit(CommandLine cl, CompressOptions.Setup setup, Module model, DataLoader train, Run run, Path checkpoint,
                              RunOptions options) {
        return fit(cl, setup, model, train, run, checkpoint, options.resume, options.checkpointEvery);
    }

    /** {@link #fit(CommandLine, CompressOptions.Setup, Module, DataLoader, Run, Path, RunOptions)} resuming from {@code resume} (null: none). */
    static Trainer.Result fit(CommandLine cl, CompressOptions.Setup setup, Module model, DataLoader train, Run run, Path checkpoint,
                              Path resume, int checkpointEvery) {
        return fit(cl, setup, model, train, run, checkpoint, resume, checkpoint == null ? 0 : checkpointEvery, setup.split().keepBest());
    }

    /**
     * A training stage before the final one (sparsity or clustering-friendly training, the
     * fine-tuning between pruning rounds): no checkpoint, the last epoch's weights, each epoch
     * scored on the validation part.
     */
    static List<EpochMetrics> stage(CommandLine cl, CompressOptions.Setup setup, Module model, DataLoader train, Run run) {
        return fit(cl, setup, model, train, run, null, null, 0, false).history();
    }

    private static Trainer.Result fit(CommandLine cl, CompressOptions.Setup setup, Module model, DataLoader train, Run run, Path checkpoint,
                                      Path resume, int checkpointEvery, boolean keepBest) {
        PrintWriter err = cl.getErr();
        Map<String, String> settings = new LinkedHashMap<>(run.settings());
        settings.putAll(setup.split().settings());   // a resume checks them (Holdout.of)
        settings.put("augment", setup.augment().spec());
        Trainer.Options options = Trainer.Options.epochs(run.epochs()).checkpoint(checkpoint).resumeFrom(resume)
                .log(WriterStream.of(err)).onEpochStart(run.hook()).runInfo(settings).checkpointEvery(checkpointEvery).keepBest(keepBest);
        DataLoader validation = setup.split().loader(setup.info());
        return new Trainer(model, run.optimizer(), run.scheduler(), run.loss()).fit(train, validation, null, options);
    }

    /**
     * A fine-tuning's per-epoch metrics for the JSON record: the kept epoch and the columns
     * {@code train_loss}, {@code train_accuracy}, {@code val_loss}, {@code val_accuracy} and
     * {@code test_accuracy} (null every epoch: the test split is scored once, after training).
     */
    static Map<String, Object> record(Trainer.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", r.history().size());
        m.put("kept_epoch", r.keptEpoch());
        m.put("train_loss", TrainCommand.column(r.history(), EpochMetrics::trainLoss));
        m.put("train_accuracy", TrainCommand.column(r.history(), EpochMetrics::trainAccuracy));
        m.put("val_loss", TrainCommand.column(r.history(), EpochMetrics::validationLoss));
        m.put("val_accuracy", TrainCommand.column(r.history(), EpochMetrics::validationAccuracy));
        m.put("test_accuracy", TrainCommand.column(r.history(), EpochMetrics::testAccuracy));
        return m;
    }
}
