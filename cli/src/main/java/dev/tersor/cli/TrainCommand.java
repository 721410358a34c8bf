package dev.tersor.cli;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.binary.BinaryTraining;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.StratifiedSplit;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.LrScheduler;
import dev.tersor.nn.optim.Optimizer;
import dev.tersor.nn.train.EpochMetrics;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.nn.zoo.Recipe;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.Parallel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor train}: trains a zoo classifier on MNIST, Fashion-MNIST or CIFAR-10 with the
 * model's recipe (each recipe flag overrides one part), evaluates on the test split after every
 * epoch, writes a checkpoint every epoch and the final weights to {@code --out}. With
 * {@code --val-split F} a seeded, stratified share of the training split is held out: each epoch
 * reports its validation loss and accuracy, {@code --keep best} saves the best epoch's weights, and
 * the test split is evaluated once, at the end.
 * <pre>{@code
 * tersor train --model lenet5 --data data/mnist --out lenet5.safetensors --json
 * tersor train --model lenet5 --data data/mnist --out lenet5.safetensors --resume lenet5.safetensors.ckpt
 * }</pre>
 * Reproducible for a seed and thread count: {@code Rng.manualSeed(seed)} before the model is
 * built, and the loader's shuffling and augmentation seeded with the same seed.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a zoo classifier; flags left out take the model's recipe (see 'tersor info --model M').",
            "Progress goes to stderr; with --json the last stdout line is one JSON object."})
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "M", description = "Zoo model, e.g. lenet5, resnet20 (list them: tersor info).")
    String model;

    @Option(names = "--arch", paramLabel = "arch.json", description = "Instead of --model: an architecture found by 'tersor search'.")
    Path arch;

    @Option(names = "--data", paramLabel = "D",
            description = "Directory with the data set's files (default: the bundled MNIST sample, 8000 train / 2000 test images).")
    Path data;

    @Option(names = "--dataset", paramLabel = "mnist|fashion-mnist|cifar10", description = "Data set (default: the model's, or the resumed run's).")
    String dataset;

    @Mixin
    Training.RecipeOptions recipe;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the initialisation, shuffling and augmentation (default: 42, or the resumed run's).")
    Long seed;

    @Option(names = "--threads", paramLabel = "T", description = "Threads for the kernels (default: -Dtersor.threads, else the number of processors).")
    Integer threads;

    @Option(names = "--out", required = true, paramLabel = "W.safetensors", description = "Where the trained weights go (safetensors).")
    Path out;

    @Option(names = "--checkpoint", paramLabel = "CKPT", description = "Checkpoint written after every epoch (default: <out>.ckpt).")
    Path checkpoint;

    @Option(names = "--checkpoint-every", paramLabel = "STEPS", defaultValue = "0",
            description = "Also write the checkpoint every STEPS steps inside an epoch, so a killed run loses at most that many (default: ${DEFAULT-VALUE}: after each epoch only).")
    int checkpointEvery;

    @Option(names = "--resume", paramLabel = "CKPT",
            description = {"Continue from this checkpoint, after its last epoch, with the settings of the run that wrote it:",
                "flags left out take them, flags given must agree (--epochs may change)."})
    Path resume;

    @Option(names = "--init", paramLabel = "W",
            description = "SR: start from these weights (the same model's), or for edsr-ghost from trained edsr weights, turned into ghost modules by GhostSR's filter clustering.")
    Path init;

    @Option(names = "--metrics-json", paramLabel = "F", description = "Also write the per-epoch metrics to this JSON file.")
    Path metricsJson;

    @Option(names = "--metrics-csv", paramLabel = "F", description = "Also write the per-epoch metrics to this CSV file.")
    Path metricsCsv;

    @Option(names = "--limit", paramLabel = "N",
            description = "Use only the first N samples of each split (quick trials; default: the resumed run's, else 0: all of them).")
    Integer limit;

    @Option(names = "--val-split", paramLabel = "F",
            description = "Hold out this share of the training split, in [0, 1), stratified and seeded, as a validation split "
                    + "scored every epoch; the test split is then scored once, at the end (default: the resumed run's, else 0: none).")
    Double valSplit;

    @Option(names = "--keep", paramLabel = "best|last",
            description = "Save the last epoch's weights or those of the epoch with the best validation accuracy (needs --val-split; default: the resumed run's, else last).")
    String keep;

    @Option(names = "--augment", paramLabel = "A",
            description = "Training augmentation: none, flip, crop=P (random crop after P pixels of zero padding) or crop=P,flip "
                    + "(default: the resumed run's, else the model's recipe: crop=4,flip for the CIFAR models, none for the others).")
    String augment;

    @Option(names = "--plot", paramLabel = "F.png", description = "Also draw the training curves (loss, accuracy, learning rate per epoch; with --task sr: L1 loss, validation PSNR-Y beside bicubic's, learning rate) as a PNG.")
    Path plot;

    @Option(names = "--json", description = "End stdout with one line of JSON.")
    boolean json;

    @Mixin
    SrTrain.Options sr;

    @SuppressWarnings("try")
    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (sr.applies(cl) && augment != null) {
            throw new ParameterException(cl, "--augment is for classification; super-resolution (--task sr) flips and rotates its patches itself");
        }
        if (sr.applies(cl)) return new SrTrain(this, sr).call();   // --task sr: super-resolution
        if (init != null) throw new ParameterException(cl, "--init is only for super-resolution (--task sr)");
        PrintWriter err = cl.getErr();
        if ((model == null) == (arch == null)) throw new ParameterException(cl, "give --model M (a zoo model) or --arch arch.json (a searched one)");
        ModelInfo info = arch != null ? ArchModels.of(cl, arch) : Models.info(cl, model);
        if (resume != null) Models.existingFile(cl, "--resume", resume);
        RunSettings saved = resume == null ? null : RunSettings.read(cl, resume, info.name(), err);
        String ds = DataSplits.dataset(cl, info, dataset != null || saved == null ? dataset : saved.dataset());
        Path data = this.data != null || saved == null || saved.data() == null || saved.data().equals(RunSettings.BUNDLED)
                ? this.data : Path.of(saved.data());   // a resume reads the recorded directory
        Recipe r = recipe.resolve(cl, saved != null ? saved.recipe(resume) : info.recipe(), err);
        long seed = this.seed != null ? this.seed : saved != null ? saved.seed() : 42;
        int limit = this.limit != null ? this.limit : saved != null ? saved.limit() : 0;
        if (limit < 0) throw new ParameterException(cl, "--limit must be >= 0, got " + limit);
        if (checkpointEvery < 0) throw new ParameterException(cl, "--checkpoint-every must be >= 0 steps, got " + checkpointEvery);
        double split = valSplit != null ? valSplit : saved != null ? saved.valSplit() : 0;
        if (!(split >= 0 && split < 1)) throw new ParameterException(cl, "--val-split must be in [0, 1) (0: no validation split), got " + split);
        String kept = keep != null ? keep.trim().toLowerCase(Locale.ROOT) : saved != null ? saved.keep() : "last";
        if (!kept.equals("best") && !kept.equals("last")) throw new ParameterException(cl, "--keep must be best or last, got '" + keep + "'");
        if (kept.equals("best") && split == 0) throw new ParameterException(cl, "--keep best needs a validation split to choose on: add --val-split F (e.g. 0.1)");
        Map<String, String> settings = RunSettings.record(info.name(), ds, r, seed, limit);
        settings.put("data", RunSettings.data(data));
        settings.put("val_split", Double.toString(split));
        settings.put("keep", kept);
        Augmentation aug = Augmentation.resolve(cl, augment, saved != null ? saved.augment() : null, info);
        settings.put("augment", aug.spec());
        if (saved != null) saved.requireSame(cl, resume, settings, err);
        Models.outputFile(cl, "--out", out);
        Path ckpt = checkpoint != null ? checkpoint : Path.of(out + ".ckpt");
        Models.outputFile(cl, "--checkpoint", ckpt);
        if (metricsJson != null) Models.outputFile(cl, "--metrics-json", metricsJson);
        if (metricsCsv != null) Models.outputFile(cl, "--metrics-csv", metricsCsv);
        if (plot != null) Models.outputFile(cl, "--plot", plot);

        int resumedEpochs = resume == null ? 0 : checkpointEpochs(resume);
        if (resumedEpochs >= r.epochs()) {
            err.println("warning: " + resume + " already holds " + resumedEpochs + " epochs (--epochs " + r.epochs()
                    + "): no training, the weights are saved as they are");
        }
        try (Threads t = Threads.use(cl, threads)) {
            int classes = DataSplits.classes(cl, ds, data);
            Models.requireClasses(cl, info, classes);   // before any data loads
            settings.put("classes", Integer.toString(classes));
            TensorDataset trainSet = DataSplits.load(cl, info, ds, data, true, limit);
            TensorDataset testSet = DataSplits.load(cl, info, ds, data, false, limit);
            TensorDataset valSet = null;
            int splitFrom = trainSet.size();
            if (split > 0) {
                StratifiedSplit parts;
                try {
                    parts = StratifiedSplit.of(trainSet.labels().toArray(), split, seed);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(cl, "--val-split " + split + ": " + e.getMessage());
                }
                valSet = trainSet.subset(parts.validation());
                trainSet = trainSet.subset(parts.train());
            }
            if (trainSet.size() < r.batch()) {
                throw new ParameterException(cl, "--batch " + r.batch() + " is larger than the " + trainSet.size()
                        + " training samples (the last partial batch is dropped, so no step would run)");
            }
            Rng.manualSeed(seed);
            Module net = Models.create(cl, info, classes);
            DataLoader train = DataSplits.trainLoader(info, trainSet, r.batch(), seed, aug);
            DataLoader test = DataSplits.testLoader(info, testSet);
            DataLoader val = valSet == null ? null : DataSplits.testLoader(info, valSet);
            Optimizer<?> opt = Training.optimizer(r, net);
            LrScheduler sched = Training.scheduler(r, opt, train.size());
            err.printf(Locale.ROOT, "tersor train: %s on %s (%s; %d train / %s%d test), %s, augment %s, seed %d, backend %s, %d threads%n",
                    info.name(), ds, DataSplits.describe(data), trainSet.size(), valSet == null ? "" : valSet.size() + " validation / ", testSet.size(), r, aug.spec(), seed,
                    Backends.current().name(), Parallel.threads());
            err.flush();
            Trainer.Options options = Trainer.Options.epochs(r.epochs()).checkpoint(ckpt).resumeFrom(resume)
                    .metrics(metricsJson, metricsCsv).log(WriterStream.of(err))
                    .onEpochStart(BinaryTraining.epochStart(net))           // RBNN schedules; a no-op for other models
                    .runInfo(settings).keepBest(kept.equals("best")).checkpointEvery(checkpointEvery);
            Trainer.Result result = new Trainer(net, opt, sched, Losses::crossEntropy).fit(train, val, test, options);
            List<EpochMetrics> history = result.history();
            Models.save(info, net, out, classes, split > 0
                    ? Map.of(Models.VAL_SPLIT_KEY, Double.toString(split), Models.SPLIT_SEED_KEY, Long.toString(seed),
                            Models.SPLIT_FROM_KEY, Integer.toString(splitFrom)) : Map.of());
            if (plot != null) Plots.curves(history, info.name() + " on " + ds, plot);

            Map<String, Object> record = new LinkedHashMap<>();
            record.put("model", info.name());
            record.put("dataset", ds);
            record.put("data", DataSplits.describe(data));
            record.put("train_samples", trainSet.size());
            record.put("validation_samples", valSet == null ? 0 : valSet.size());
            record.put("test_samples", testSet.size());
            record.put("val_split", split);
            record.put("keep", kept);
            record.put("augment", aug.spec());
            record.put("optimizer", r.optimizer());
            record.put("lr", r.lr());
            record.put("momentum", r.momentum());
            record.put("weight_decay", r.weightDecay());
            record.put("schedule", r.schedule());
            record.put("epochs", r.epochs());
            record.put("batch", r.batch());
            record.put("seed", seed);
            record.put("threads", Parallel.threads());
            record.put("backend", Backends.current().name());
            record.put("out", out.toString());
            record.put("checkpoint", ckpt.toString());
            record.put("resumed_epochs", resumedEpochs);
            record.put("epoch_seconds", column(history, EpochMetrics::epochSeconds));
            record.put("train_loss", column(history, EpochMetrics::trainLoss));
            record.put("train_accuracy", column(history, EpochMetrics::trainAccuracy));
            record.put("val_loss", column(history, EpochMetrics::validationLoss));
            record.put("val_accuracy", column(history, EpochMetrics::validationAccuracy));
            record.put("test_accuracy", column(history, EpochMetrics::testAccuracy));
            record.put("samples_per_second", column(history, EpochMetrics::samplesPerSecond));
            record.put("kept_epoch", result.keptEpoch());
            record.put("final_test_accuracy", result.testAccuracy());
            PrintWriter o = cl.getOut();
            if (json) {
                o.println(Json.write(record));
            } else {
                o.printf(Locale.ROOT, "%s trained for %d epochs on %s: test accuracy %.2f%% (%d test images%s)%n",
                        info.name(), history.size(), ds, 100 * result.testAccuracy(), testSet.size(),
                        val == null ? "" : String.format(Locale.ROOT, "; weights of epoch %d, validation accuracy %.2f%%", result.keptEpoch(),
                                100 * history.get(result.keptEpoch() - 1).validationAccuracy()));
                o.println("weights:    " + out);
                o.println("checkpoint: " + ckpt);
            }
            o.flush();
        }
        return 0;
    }

    /** The finished epochs a checkpoint holds (its {@code epoch} metadata). */
    static int checkpointEpochs(Path ckpt) throws java.io.IOException {
        try (SafetensorsFile f = Safetensors.read(ckpt)) {
            String epoch = f.metadata().get("epoch");
            if (epoch == null) {
                throw new IllegalArgumentException(ckpt + " is not a Tersor training checkpoint (no 'epoch' in its metadata)");
            }
            try {
                return Integer.parseInt(epoch);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(ckpt + ": bad 'epoch' metadata '" + epoch + "'");
            }
        }
    }

    static List<Double> column(List<EpochMetrics> history, ToDoubleFunction<EpochMetrics> f) {
        List<Double> values = new ArrayList<>();
        for (EpochMetrics m : history) values.add(f.applyAsDouble(m));
        return values;
    }
}
