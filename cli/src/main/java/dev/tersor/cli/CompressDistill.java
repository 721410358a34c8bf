package dev.tersor.cli;

import dev.tersor.compress.distill.PkkdConfig;
import dev.tersor.compress.distill.PkkdLoss;
import dev.tersor.compress.distill.PkkdModel;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Optimizer;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.train.Evaluation;
import dev.tersor.nn.train.LossFunction;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.nn.zoo.Recipe;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor compress distill}: trains a student from a teacher and writes the student's float
 * weights (a plain safetensors state dict that {@code tersor eval --model M2} reads).
 * <ul>
 *   <li>{@code --method kd} (default): a frozen, trained teacher; the loss is
 *       {@code α·T²·KL + (1 − α)·CE} plus attention transfer on {@code --at-layers};</li>
 *   <li>{@code --method pkkd}: an adder student and a CNN teacher of the same architecture trained
 *       together (PKKD), kernel feature terms on every adder layer (or {@code --kernel-layers}).</li>
 * </ul>
 * The student trains with its model's recipe (recipe flags override it), a checkpoint each epoch
 * ({@code <out>.ckpt}) and {@code --resume}, on the training part: each epoch is scored on the
 * validation part ({@code --val-split}, {@link Holdout}; {@code --keep best} keeps the best
 * epoch's student), and the teacher's and the student's test accuracy are measured once and printed.
 */
@Command(name = "distill", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Knowledge distillation: train a student from a teacher (Hinton KD + attention transfer, or PKKD for adder students).",
            "The output is the student's float weights (safetensors) for eval/predict --model M2."})
final class CompressDistill implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--student", required = true, paramLabel = "M2", description = "Zoo model of the student.")
    String student;

    @Option(names = "--student-weights", paramLabel = "W2", description = "Start the student from these weights (default: fresh, seeded).")
    Path studentWeights;

    @Option(names = "--method", paramLabel = "kd|pkkd", defaultValue = "kd", description = "kd (frozen teacher) or pkkd (adder student, CNN teacher trained along; default: ${DEFAULT-VALUE}).")
    String method;

    @Mixin
    DistillOptions kd;

    @Option(names = "--kernel-weight", paramLabel = "G", defaultValue = "1", description = "PKKD: weight of each kernel feature term (default: ${DEFAULT-VALUE}).")
    double kernelWeight;

    @Option(names = "--kernel-layers", paramLabel = "PATH", split = ",", description = "PKKD: the adder layers to pair (default: every adder layer).")
    List<String> kernelLayers;

    @Option(names = "--data", paramLabel = "D", description = "Data set directory (default: the bundled MNIST sample).")
    Path data;

    @Option(names = "--dataset", paramLabel = "mnist|fashion-mnist|cifar10", description = "Data set (default: the student's).")
    String dataset;

    @Option(names = "--out", required = true, paramLabel = "F", description = "The student's weights to write (safetensors).")
    Path out;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "Only the first N samples of each split (default: 0, all of them).")
    int limit;

    @Option(names = "--val-split", paramLabel = "F",
            description = "Hold out this share of the training split, in [0, 1), stratified and seeded (--seed), as the validation split scored "
                    + "every epoch; the test split is scored once, at the end (default: the resumed run's, else 0.1; 0: none).")
    Double valSplit;

    @Option(names = "--threads", paramLabel = "T", description = "Threads for the kernels.")
    Integer threads;

    @Option(names = "--json", description = "End stdout with one line of JSON.")
    boolean json;

    @Mixin
    Training.RecipeOptions recipe;

    @Mixin
    FineTune.RunOptions run;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        PrintWriter err = cl.getErr();
        boolean pkkd = switch (method.trim().toLowerCase(Locale.ROOT)) {
            case "kd" -> false;
            case "pkkd" -> true;
            default -> throw new ParameterException(cl, "--method: unknown method '" + method + "'; valid: kd, pkkd");
        };
        ModelInfo si = Models.info(cl, student);
        DistillOptions.Teacher t = kd.teacher(cl, !pkkd);
        kd.validate(cl);
        kd.teacherInput(cl, si, t);   // other input shapes: a usage error before anything loads
        if (!(kernelWeight >= 0 && Double.isFinite(kernelWeight))) throw new ParameterException(cl, "--kernel-weight must be a finite number >= 0, got " + kernelWeight);
        if (pkkd && kd.atLayers != null) throw new ParameterException(cl, "--at-layers is for --method kd; PKKD pairs adder layers (--kernel-layers)");
        if (studentWeights != null) Models.existingFile(cl, "--student-weights", studentWeights);
        Models.outputFile(cl, "--out", out);
        if (limit < 0) throw new ParameterException(cl, "--limit must be >= 0, got " + limit);
        run.validate(cl);
        String ds = DataSplits.dataset(cl, si, dataset);
        try (Threads th = Threads.use(cl, threads)) {
            Recipe r = recipe.resolve(cl, si.recipe(), err);
            if (DataSplits.classes(cl, ds, data) != dev.tersor.nn.zoo.Zoo.DEFAULT_CLASSES) {
                throw new ParameterException(cl, "--dataset " + ds + ": compress distill works on ten-class data sets for now");
            }
            Holdout split = Holdout.of(cl, DataSplits.load(cl, si, ds, data, true, limit),
                    new Holdout.Flags(valSplit, run.keep, null, run.splitSeed, run.seed, run.resume, null));
            TensorDataset train = split.train();
            TensorDataset test = DataSplits.load(cl, si, ds, data, false, limit);
            Rng.manualSeed(run.seed);
            Module s = studentWeights != null ? Models.load(si, studentWeights) : si.create();
            Module teacher = t.load(cl);
            CompressOptions.Setup setup = new CompressOptions.Setup(si, ds, split, test, s, null, null,
                    CompressOptions.augmentation(cl, si, run.augment, run.resume));
            Tensor sample = DataSplits.normalize(si).apply(train.subset(0, Math.min(2, train.size())).inputs(), null);
            err.printf(Locale.ROOT, "tersor compress distill: %s student %s from teacher %s on %s (%s; %s / %d test), %d threads%n",
                    pkkd ? "PKKD" : "KD", si.name(), t.spec(), ds, DataSplits.describe(data), split.describe(), test.size(), Parallel.threads());
            Map<String, String> settings = new LinkedHashMap<>(RunSettings.record(si.name(), ds, r, run.seed, limit));
            settings.put("distill.method", pkkd ? "pkkd" : "kd");
            settings.put("distill.teacher", t.spec());
            String recipeLine;
            double teacherBefore = Double.NaN;
            Module trained;
            Optimizer<?> opt;
            LossFunction loss;
            if (pkkd) {
                PkkdModel pair;
                try {
                    pair = new PkkdModel(s, teacher, kernelLayers != null ? kernelLayers : PkkdModel.adderLayers(s));
                    pair.check(sample);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(cl, "--teacher " + t.info().name() + ": " + e.getMessage());
                }
                trained = pair;
                loss = new PkkdLoss(pair, new PkkdConfig(kd.alpha, kd.temperature, kernelWeight));
                recipeLine = String.format(Locale.ROOT, "distill method=pkkd teacher=%s alpha=%s temperature=%s kernel_weight=%s kernel_layers=%s %s seed=%d",
                        t.spec(), kd.alpha, kd.temperature, kernelWeight, String.join(",", pair.layers()), r, run.seed);
            } else {
                trained = s;
                loss = kd.loss(cl, s, si, t, teacher, Losses::crossEntropy, sample);
                teacherBefore = Evaluation.of(teacher, DataSplits.testLoader(t.info(), test)).accuracy();
                err.printf(Locale.ROOT, "teacher %s: test accuracy %.2f%%%n", t.info().name(), 100 * teacherBefore);
                recipeLine = "distill method=kd " + kd.describe(t) + " " + r + " seed=" + run.seed;
            }
            err.flush();
            opt = Training.optimizer(r, trained);
            DataLoader loader = FineTune.loader(cl, setup, r.batch(), run.seed);
            trained.train();
            Trainer.Result fitted = FineTune.fit(cl, setup, trained, loader,
                    new FineTune.Run(opt, Training.scheduler(r, opt, loader.size()), loss, r.epochs(), null, settings),
                    Path.of(out + ".ckpt"), run);
            if (loss instanceof AutoCloseable c) c.close();
            s.eval();
            Models.save(si, s, out);
            Module loaded = Models.load(si, out);                       // what eval will see
            double studentVal = split.validation() == null ? Double.NaN : Evaluation.of(loaded, split.loader(si)).accuracy();
            double studentAcc = Evaluation.of(loaded, DataSplits.testLoader(si, test)).accuracy();   // once, at the end
            double teacherAcc = pkkd ? Evaluation.of(teacher, DataSplits.testLoader(t.info(), test)).accuracy() : teacherBefore;
            report(cl, si, t, setup, teacherAcc, studentVal, studentAcc, fitted, recipeLine, pkkd);
        }
        return 0;
    }

    private void report(CommandLine cl, ModelInfo si, DistillOptions.Teacher t, CompressOptions.Setup setup, double teacherAcc,
                        double studentVal, double studentAcc, Trainer.Result fitted, String recipeLine, boolean pkkd) {
        String ds = setup.dataset();
        Holdout split = setup.split();
        int testSize = setup.test().size();
        PrintWriter o = cl.getOut();
        if (json) {
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("method", pkkd ? "pkkd" : "kd");
            rec.put("student", si.name());
            rec.put("teacher", t.info().name());
            rec.put("dataset", ds);
            rec.put("data", DataSplits.describe(data));
            rec.put("train_samples", split.train().size());
            rec.put("validation_samples", split.validationSize());
            rec.put("test_samples", testSize);
            rec.put("val_split", split.fraction());
            rec.put("split_seed", split.validation() == null ? null : split.seed());
            rec.put("keep", split.keep());
            rec.put("augment", setup.augment().spec());
            rec.put("epochs", fitted.history().size());
            rec.put("alpha", kd.alpha);
            rec.put("temperature", kd.temperature);
            rec.put("student_val_accuracy", studentVal);
            rec.put("teacher_test_accuracy", teacherAcc);
            rec.put("student_test_accuracy", studentAcc);
            rec.put("teacher_accuracy", teacherAcc);   // = the test ones, for older readers
            rec.put("student_accuracy", studentAcc);
            rec.put("history", FineTune.record(fitted));
            rec.put("recipe", recipeLine);
            rec.put("out", out.toString());
            rec.put("threads", Parallel.threads());
            o.println(Json.write(rec));
        } else {
            if (split.validation() != null) {
                o.printf(Locale.ROOT, "%s on the %s validation split (%d training images held out): student %s %.2f%%%s%n", pkkd ? "PKKD" : "KD", ds,
                        split.validationSize(), si.name(), 100 * studentVal,
                        fitted.keptEpoch() == fitted.history().size() ? "" : " (weights of epoch " + fitted.keptEpoch() + ")");
            }
            o.printf(Locale.ROOT, "%s on the %s test split (%d images, scored once, at the end): teacher %s %.2f%%%s, student %s %.2f%%%n",
                    pkkd ? "PKKD" : "KD", ds, testSize, t.info().name(), 100 * teacherAcc, pkkd ? " (trained along)" : "", si.name(), 100 * studentAcc);
            o.println("student weights: " + out + " (tersor eval --model " + si.name() + " --weights " + out + ")");
        }
        o.flush();
    }
}
