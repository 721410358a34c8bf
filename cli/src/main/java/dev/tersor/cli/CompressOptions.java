package dev.tersor.cli;

import dev.tersor.compress.io.CompressedModel;
import dev.tersor.compress.io.SizeReport;
import dev.tersor.compress.prune.PruningPlan;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.train.Checkpoint;
import dev.tersor.nn.train.Evaluation;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options every {@code compress} subcommand shares (a picocli mixin), and what they all do
 * at the end: save the compressed model file, evaluate float and compressed on the validation
 * part ({@link Holdout}, {@code --val-split}) and once on the test split, print (or write as
 * JSON) the result with the per-layer sizes. Nothing a command decides (calibration ranges,
 * searched bits or channels, the epoch kept) looks at the test split.
 */
final class CompressOptions {
    @Option(names = "--model", required = true, paramLabel = "M", description = "Zoo model the float weights belong to.")
    String model;

    @Option(names = "--weights", required = true, paramLabel = "W", description = "Float weights (safetensors state dict or training checkpoint).")
    Path weights;

    @Option(names = "--data", paramLabel = "D", description = "Data set directory (default: the bundled MNIST sample).")
    Path data;

    @Option(names = "--dataset", paramLabel = "mnist|fashion-mnist|cifar10", description = "Data set (default: the model's).")
    String dataset;

    @Option(names = "--out", required = true, paramLabel = "F", description = "The compressed model file to write.")
    Path out;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Only the first N samples of each split (default: 0, all of them).")
    int limit;

    @Option(names = "--val-split", paramLabel = "F",
            description = "Hold out this share of the training split, in [0, 1), stratified and seeded (--seed, else 42), as the validation split "
                    + "that every choice and every epoch's score uses; the test split is scored once, at the end "
                    + "(default: the resumed run's, else 0.1; 0: none).")
    Double valSplit;

    @Option(names = "--threads", paramLabel = "T", description = "Threads for the kernels.")
    Integer threads;

    @Option(names = "--json", description = "End stdout with one line of JSON.")
    boolean json;

    /**
     * What a run resolved: the model, its data (training split divided by {@code split}) and the
     * float model's accuracy on the test split and on the validation part (null without one).
     */
    record Setup(ModelInfo info, String dataset, Holdout split, TensorDataset test, Module model, Evaluation floatAccuracy,
                 Evaluation floatValidation, Augmentation augment) {
        /** The training part: what trains and calibrates. */
        TensorDataset train() {
            return split.train();
        }

        /** The held-out validation part, or null. */
        TensorDataset validation() {
            return split.validation();
        }
    }

    /**
     * {@link #setup(CommandLine, FineTune.RunOptions, Integer)} for a command that does not train
     * ({@code ptq}): the split seeded by {@code splitSeed} ({@code --split-seed}; null: {@link Holdout#SEED}).
     */
    Setup setup(CommandLine cl, Long splitSeed) throws IOException {
        return setup(cl, new Holdout.Flags(valSplit, null, null, splitSeed, Holdout.SEED, null, Models.recordedSplit(weights)), info -> Augmentation.NONE);
    }

    /** {@link #setup(CommandLine, FineTune.RunOptions, Integer)} without {@code --validation N}. */
    Setup setup(CommandLine cl, FineTune.RunOptions run) throws IOException {
        return setup(cl, run, null);
    }

    /**
     * Validates the shared options, loads the float model and both splits, holds out the
     * validation part ({@code run}'s {@code --seed}, {@code --keep}, {@code --resume}; {@code images}:
     * an older {@code --validation N}, or null), and evaluates the float model.
     */
    Setup setup(CommandLine cl, FineTune.RunOptions run, Integer images) throws IOException {
        return setup(cl, new Holdout.Flags(valSplit, run.keep, images, run.splitSeed, run.seed, run.resume, Models.recordedSplit(weights)),
                info -> augmentation(cl, info, run.augment, run.resume));
    }

    private Setup setup(CommandLine cl, Holdout.Flags flags, Function<ModelInfo, Augmentation> augment) throws IOException {
        ModelInfo info = Models.info(cl, model);
        Augmentation aug = augment.apply(info);
        String ds = DataSplits.dataset(cl, info, dataset);
        Models.existingFile(cl, "--weights", weights);
        Models.outputFile(cl, "--out", out);
        if (limit < 0) throw new ParameterException(cl, "--limit must be >= 0, got " + limit);
        if (flags.valSplit() != null && !(flags.valSplit() >= 0 && flags.valSplit() < 1)) {   // before anything loads
            throw new ParameterException(cl, "--val-split must be in [0, 1) (0: no validation split), got " + flags.valSplit());
        }
        Module net = Models.load(info, weights);
        if (DataSplits.classes(cl, ds, data) != Zoo.DEFAULT_CLASSES) {
            throw new ParameterException(cl, "--dataset " + ds + ": the compress commands work on ten-class data sets for now (a compressed file"
                    + " rebuilds its zoo model with the ten-class head)");
        }
        Holdout split = Holdout.of(cl, DataSplits.load(cl, info, ds, data, true, limit), flags);
        TensorDataset test = DataSplits.load(cl, info, ds, data, false, limit);
        PrintWriter err = cl.getErr();
        Evaluation before = Evaluation.of(net, DataSplits.testLoader(info, test));
        Evaluation beforeVal = split.validation() == null ? null : Evaluation.of(net, split.loader(info));
        err.printf(Locale.ROOT, "tersor compress: %s on %s (%s; %s / %d test), float %stest accuracy %.2f%%, %d threads%n",
                info.name(), ds, DataSplits.describe(data), split.describe(), test.size(),
                beforeVal == null ? "" : String.format(Locale.ROOT, "validation accuracy %.2f%%, ", 100 * beforeVal.accuracy()),
                100 * before.accuracy(), Parallel.threads());
        err.flush();
        return new Setup(info, ds, split, test, net, before, beforeVal, aug);
    }

    /**
     * The training augmentation of a run of {@code info}: {@code given} ({@code --augment}), else
     * the one {@code resume}'s checkpoint recorded, else the model's recipe; a resume given
     * another one than its checkpoint recorded is a usage error.
     */
    static Augmentation augmentation(CommandLine cl, ModelInfo info, String given, Path resume) {
        Map<String, String> recorded = resume == null ? null : Checkpoint.runInfo(resume);
        Augmentation aug = Augmentation.resolve(cl, given, recorded == null ? null : recorded.get("augment"), info);
        if (recorded != null) RunSettings.requireSameLater(cl, resume, recorded, Map.of("augment", aug.spec()));
        return aug;
    }

    /** Checks a bit-width flag: a usage error naming {@code flag} unless {@code lo <= value <= hi}. */
    static void bits(CommandLine cl, String flag, int value, int lo, int hi) {
        if (value < lo || value > hi) throw new ParameterException(cl, flag + " must be between " + lo + " and " + hi + " bits, got " + value);
    }

    /** The first training sample (of the training part), normalised, as a batch of one: for tracing a model (batch-norm folding). */
    static Tensor sample(Setup s) {
        return DataSplits.normalize(s.info()).apply(s.train().subset(0, 1).inputs(), null);
    }

    /** The first {@code n} training samples in order, normalised, in batches of {@code batch}: calibration data. */
    static DataLoader firstSamples(ModelInfo info, TensorDataset train, int n, int batch) {
        TensorDataset part = n < train.size() ? train.subset(0, n) : train;
        return DataLoader.builder(part).setBatchSize(batch).optTransform(DataSplits.normalize(info)).build();
    }

    /** Saves, evaluates and reports the compressed model; {@code extra} goes into the JSON record. */
    void finish(CommandLine cl, Setup s, Module compressed, String method, String recipe, Map<String, Object> extra) throws IOException {
        finish(cl, s, compressed, PruningPlan.none(), method, recipe, extra);
    }

    /** As {@link #finish(CommandLine, Setup, Module, String, String, Map)} for a model pruned by {@code plan}. */
    void finish(CommandLine cl, Setup s, Module compressed, PruningPlan plan, String method, String recipe, Map<String, Object> extra)
            throws IOException {
        CompressedModel.save(compressed, s.info().name(), plan, recipe, out);
        Module loaded = CompressedModel.load(out);     // what eval and predict will see
        Evaluation val = s.validation() == null ? null : Evaluation.of(loaded, s.split().loader(s.info()));
        Evaluation after = Evaluation.of(loaded, DataSplits.testLoader(s.info(), s.test()));   // the one look at the test split
        SizeReport sizes = SizeReport.of(loaded, s.info().inputShape());
        long fileBytes = Files.size(out), floatBytes = Files.size(weights);
        PrintWriter o = cl.getOut();
        if (json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model", s.info().name());
            r.put("method", method);
            r.put("recipe", recipe);
            r.put("dataset", s.dataset());
            r.put("data", DataSplits.describe(data));
            r.put("train_samples", s.train().size());
            r.put("validation_samples", s.split().validationSize());
            r.put("test_samples", s.test().size());
            r.put("val_split", s.split().fraction());
            r.put("split_seed", s.split().validation() == null ? null : s.split().seed());
            r.put("keep", s.split().keep());
            r.put("augment", s.augment().spec());
            r.put("float_val_accuracy", s.floatValidation() == null ? null : s.floatValidation().accuracy());
            r.put("val_accuracy", val == null ? null : val.accuracy());
            r.put("float_test_accuracy", s.floatAccuracy().accuracy());
            r.put("test_accuracy", after.accuracy());
            r.put("float_accuracy", s.floatAccuracy().accuracy());   // = float_test_accuracy and test_accuracy, for older readers (tersor plot)
            r.put("accuracy", after.accuracy());
            r.put("out", out.toString());
            r.put("file_bytes", fileBytes);
            r.put("float_file_bytes", floatBytes);
            r.put("bops", sizes.bops());
            r.put("float_bops", sizes.macs() * 1024);
            r.putAll(extra);
            List<Object> layers = new ArrayList<>();
            for (SizeReport.Row row : sizes.rows()) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("name", row.path());
                l.put("wbits", row.wbits());
                l.put("abits", row.abits());
                l.put("bytes", row.storedBytes());
                l.put("float_bytes", row.floatBytes());
                layers.add(l);
            }
            r.put("layers", layers);
            r.put("threads", Parallel.threads());
            o.println(Json.write(r));
        } else {
            o.println(sizes);
            if (val != null) {
                o.printf(Locale.ROOT, "%s %s on the %s validation split (%d training images held out): float %.2f%%, compressed %.2f%% (%+.2f points)%n",
                        s.info().name(), method, s.dataset(), s.split().validationSize(), 100 * s.floatValidation().accuracy(), 100 * val.accuracy(),
                        100 * (val.accuracy() - s.floatValidation().accuracy()));
            }
            o.printf(Locale.ROOT, "%s %s on the %s test split (%d images, scored once, at the end): float %.2f%%, compressed %.2f%% (%+.2f points)%n",
                    s.info().name(), method, s.dataset(), s.test().size(), 100 * s.floatAccuracy().accuracy(), 100 * after.accuracy(),
                    100 * (after.accuracy() - s.floatAccuracy().accuracy()));
            o.printf(Locale.ROOT, "%s: %,d bytes (float weights %s: %,d bytes, %.2f× smaller)%n", out, fileBytes, weights, floatBytes,
                    (double) floatBytes / fileBytes);
        }
        o.flush();
    }
}
