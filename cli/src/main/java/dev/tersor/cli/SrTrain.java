package dev.tersor.cli;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.optim.LrScheduler;
import dev.tersor.nn.optim.Optimizer;
import dev.tersor.nn.optim.StepLr;
import dev.tersor.nn.shift.GhostConv2d;
import dev.tersor.nn.sr.PatchLoader;
import dev.tersor.nn.sr.PatchPairs;
import dev.tersor.nn.sr.PatchSpec;
import dev.tersor.nn.sr.SrEvaluation;
import dev.tersor.nn.sr.SrFolder;
import dev.tersor.nn.sr.SrTrainer;
import dev.tersor.nn.sr.Upscaler;
import dev.tersor.nn.train.Checkpoint;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.nn.zoo.Recipe;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.Parallel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code tersor train --task sr}: trains a super-resolution zoo model (EDSR) on the HR images of
 * {@code --data} with EDSR's recipe ({@code src/option.py}, baseline ×2 as its README runs it):
 * Adam lr 1e-4, betas (0.9, 0.999), eps 1e-8, no weight decay; L1 loss on [0, 255] pixels; batch 16
 * of HR patches 96×96 (LR 48×48, {@code --patch} is the HR side: 48·scale); 8 flips/rotations;
 * epochs of 1000 iterations ({@code test_every}); 300 epochs; the learning rate halved every 200
 * epochs ({@code --decay}). After each epoch the model is scored on the HR images of {@code --val}
 * (Y PSNR/SSIM, the bicubic baseline beside); the checkpoint (default {@code <out>.ckpt}) is written
 * after each epoch (and every {@code --checkpoint-every} steps), {@code --resume} continues it.
 * <pre>{@code
 * tersor train --task sr --model edsr --scale 2 --data data/sr-photos --val data/sr-eval --out edsr-x2.safetensors
 * }</pre>
 * Images of {@code --data} smaller than a patch (and of {@code --val} too small to score) are
 * skipped with a warning that counts them; a corrupt one is an error naming it.
 */
final class SrTrain {
    /** The SR flags of {@code train}, a picocli mixin; given without {@code --task sr}, they are a usage error. */
    static final class Options {
        @Option(names = "--task", paramLabel = "classify|sr", description = "classify (default) or sr: super-resolution (edsr, edsr-tiny, ...).")
        String task;

        @Option(names = "--scale", paramLabel = "S", description = "SR: the upscaling factor, 2, 3 or 4 (default: the model's, or the resumed run's).")
        Integer scale;

        @Option(names = "--val", paramLabel = "V", description = "SR: folder of HR images scored after every epoch (Y PSNR/SSIM; default: the resumed run's, else none).")
        Path val;

        @Option(names = "--patch", paramLabel = "P", description = "SR: side of the HR training patch, a multiple of the scale (default: 48 x scale, EDSR's).")
        Integer patch;

        @Option(names = "--iterations-per-epoch", paramLabel = "N", description = "SR: batches per epoch (default: 1000, EDSR's test_every).")
        Integer iterations;

        @Option(names = "--decay", paramLabel = "E", description = "SR: with --schedule step (the default), halve the learning rate every E epochs (default: 200, EDSR's).")
        Integer decay;

        @Option(names = "--tile", paramLabel = "T", description = "SR: tile side in LR pixels for the validation images (default: " + Upscaler.DEFAULT_TILE + ").")
        Integer tile;

        @Option(names = "--shift-temperature", paramLabel = "T0:T1",
                description = "SR, models with GhostSR shifts (edsr-ghost): anneal the Gumbel-softmax temperature geometrically from T0 in the first"
                        + " epoch to T1 in the last (default: the resumed run's, else 1 throughout).")
        String shiftTemperature;

        /** {@code --shift-temperature T0:T1} (or {@code saved}, a resumed run's; null or empty: none) as {T0, T1}, both finite and > 0; null for none. */
        float[] shiftTemperature(CommandLine cl, String saved) {
            String v = shiftTemperature != null ? shiftTemperature : saved == null || saved.isEmpty() ? null : saved;
            if (v == null) return null;
            String[] parts = v.split(":", -1);
            float[] t = new float[2];
            try {
                if (parts.length != 2) throw new NumberFormatException();
                for (int i = 0; i < 2; i++) t[i] = Float.parseFloat(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new ParameterException(cl, "--shift-temperature must be T0:T1, two numbers, e.g. 1:0.1, got '" + v + "'");
            }
            for (float x : t) {
                if (!(x > 0 && Float.isFinite(x))) throw new ParameterException(cl, "--shift-temperature: temperatures must be finite and > 0, got '" + v + "'");
            }
            return t;
        }

        /** {@code --patch}, else {@code fallback}: a positive multiple of {@code scale}. */
        int patch(CommandLine cl, int scale, int fallback) {
            int p = patch != null ? patch : fallback;
            if (p < scale || p % scale != 0) throw new ParameterException(cl, "--patch must be a positive multiple of the scale " + scale + ", got " + p);
            return p;
        }

        /** {@code --iterations-per-epoch}, else {@code fallback}: at least 1. */
        int iterations(CommandLine cl, int fallback) {
            int n = iterations != null ? iterations : fallback;
            if (n < 1) throw new ParameterException(cl, "--iterations-per-epoch must be >= 1, got " + n);
            return n;
        }

        /** {@code --decay}, else {@code fallback}: at least 1 epoch. */
        int decay(CommandLine cl, int fallback) {
            int d = decay != null ? decay : fallback;
            if (d < 1) throw new ParameterException(cl, "--decay must be >= 1 epoch, got " + d);
            return d;
        }

        /** {@code --tile}, else {@link Upscaler#DEFAULT_TILE}: at least 1. */
        int tile(CommandLine cl) {
            int t = tile != null ? tile : Upscaler.DEFAULT_TILE;
            if (t < 1) throw new ParameterException(cl, "--tile must be >= 1, got " + t);
            return t;
        }

        /** True for {@code --task sr}. SR flags on a classification run are a usage error. */
        boolean applies(CommandLine cl) {
            boolean sr = SrModels.isSrTask(cl, task);
            if (!sr) {
                List<String> given = new ArrayList<>();
                if (scale != null) given.add("--scale");
                if (val != null) given.add("--val");
                if (patch != null) given.add("--patch");
                if (iterations != null) given.add("--iterations-per-epoch");
                if (decay != null) given.add("--decay");
                if (tile != null) given.add("--tile");
                if (shiftTemperature != null) given.add("--shift-temperature");
                if (!given.isEmpty()) throw new ParameterException(cl, String.join(", ", given) + ": only for super-resolution (--task sr)");
            }
            return sr;
        }
    }

    /** The run settings a checkpoint records and the flags that set them (a resume must agree). */
    private static final Map<String, String> FLAGS = new LinkedHashMap<>();

    static {
        FLAGS.put("model", "--model");
        FLAGS.put("scale", "--scale");
        FLAGS.put("data", "--data");
        FLAGS.put("val", "--val");
        FLAGS.put("patch", "--patch");
        FLAGS.put("iterations_per_epoch", "--iterations-per-epoch");
        FLAGS.put("batch", "--batch");
        FLAGS.put("optimizer", "--optimizer");
        FLAGS.put("lr", "--lr");
        FLAGS.put("weight_decay", "--weight-decay");
        FLAGS.put("schedule", "--schedule");
        FLAGS.put("decay", "--decay");
        FLAGS.put("seed", "--seed");
        FLAGS.put("shift_temperature", "--shift-temperature");
    }

    private final TrainCommand c;
    private final Options o;

    SrTrain(TrainCommand command, Options options) {
        this.c = command;
        this.o = options;
    }

    @SuppressWarnings("try")
    Integer call() throws IOException {
        CommandLine cl = c.spec.commandLine();
        PrintWriter err = cl.getErr();
        for (var flag : Map.of("--arch", c.arch != null, "--dataset", c.dataset != null, "--limit", c.limit != null,
                "--val-split", c.valSplit != null, "--keep", c.keep != null, "--metrics-json", c.metricsJson != null,
                "--metrics-csv", c.metricsCsv != null).entrySet()) {
            if (flag.getValue()) throw new ParameterException(cl, flag.getKey() + " is for classifiers; super-resolution (--task sr) does not take it");
        }
        if (c.model == null) throw new ParameterException(cl, "--task sr needs --model M; SR models: " + String.join(", ", SrModels.names()));
        if (c.resume != null) Models.existingFile(cl, "--resume", c.resume);
        if (c.resume != null && c.init != null) throw new ParameterException(cl, "--init and --resume: a resumed run continues from its checkpoint's weights");
        Map<String, String> saved = c.resume == null ? null : Checkpoint.runInfo(c.resume);
        if (saved != null && !"sr".equals(saved.get("task"))) {
            throw new ParameterException(cl, "--resume " + c.resume + " is not a checkpoint of 'train --task sr'");
        }
        ModelInfo info = SrModels.info(cl, c.model, null);
        Recipe r = c.recipe.resolve(cl, saved != null ? savedRecipe(cl, saved) : info.recipe(), err);
        int scale = o.scale != null ? o.scale : saved != null ? intOf(cl, saved, "scale") : SrModels.defaultScale(info);
        SrModels.requireScale(cl, info, scale);
        int patch = o.patch(cl, scale, saved != null ? intOf(cl, saved, "patch") : 48 * scale);
        int iterations = o.iterations(cl, saved != null ? intOf(cl, saved, "iterations_per_epoch") : 1000);
        int decay = o.decay(cl, saved != null ? intOf(cl, saved, "decay") : 200);
        int tile = o.tile(cl);
        if (c.checkpointEvery < 0) throw new ParameterException(cl, "--checkpoint-every must be >= 0 steps, got " + c.checkpointEvery);
        long seed = c.seed != null ? c.seed : saved != null ? longOf(cl, saved, "seed") : 42;
        Path data = c.data != null ? c.data : saved != null && saved.get("data") != null ? Path.of(saved.get("data")) : null;
        if (data == null) throw new ParameterException(cl, "--task sr needs --data D, a folder of HR training images (e.g. from 'tersor data fetch sr-photos --dir D')");
        Path val = o.val != null ? o.val : saved != null && !saved.getOrDefault("val", "").isEmpty() ? Path.of(saved.get("val")) : null;

        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("task", "sr");
        settings.put("model", info.name());
        settings.put("scale", Integer.toString(scale));
        settings.put("data", data.toString());
        settings.put("val", val == null ? "" : val.toString());
        settings.put("patch", Integer.toString(patch));
        settings.put("iterations_per_epoch", Integer.toString(iterations));
        settings.put("batch", Integer.toString(r.batch()));
        settings.put("optimizer", r.optimizer());
        settings.put("lr", Double.toString(r.lr()));
        settings.put("weight_decay", Double.toString(r.weightDecay()));
        settings.put("schedule", r.schedule());
        settings.put("decay", Integer.toString(decay));
        settings.put("seed", Long.toString(seed));
        settings.put("init", c.init != null ? c.init.toString() : saved != null ? saved.getOrDefault("init", "") : "");
        settings.put("epochs", Integer.toString(r.epochs()));
        float[] tau = o.shiftTemperature(cl, saved == null ? null : saved.get("shift_temperature"));
        settings.put("shift_temperature", tau == null ? "" : tau[0] + ":" + tau[1]);
        if (saved != null) requireSame(cl, saved, settings);
        Models.outputFile(cl, "--out", c.out);
        if (c.plot != null) Models.outputFile(cl, "--plot", c.plot);
        Path ckpt = c.checkpoint != null ? c.checkpoint : Path.of(c.out + ".ckpt");
        Models.outputFile(cl, "--checkpoint", ckpt);

        try (Threads t = Threads.use(cl, c.threads)) {
            PatchSpec spec = new PatchSpec(scale, patch, true);
            Folders folders = Folders.load(err, data, val, spec);
            SrFolder train = folders.train(), valSet = folders.val();
            PatchPairs pairs = PatchPairs.of(train.images(), train.names(), spec, Math.multiplyExact(r.batch(), iterations), seed);
            Rng.manualSeed(seed);
            Module net = SrModels.create(cl, info, scale);
            String started = c.init == null ? null : SrInit.apply(cl, info, scale, net, c.init, seed);
            Optimizer<?> opt = Training.optimizer(r, net);
            LrScheduler sched = switch (r.schedule()) {
                case "step" -> new StepLr(opt, Math.multiplyExact(decay, iterations), 0.5);
                default -> Training.scheduler(r, opt, iterations);
            };
            err.printf(Locale.ROOT, "tersor train --task sr: %s x%d on %s (%d images%s), LR %dx%d / HR %dx%d patches, batch %d, %d iterations per epoch, "
                            + "%s%s, seed %d, backend %s, %d threads%n", info.name(), scale, data, train.images().size(),
                    valSet == null ? ", no validation" : "; validation " + val + ", " + valSet.images().size() + " images",
                    patch / scale, patch / scale, patch, patch, r.batch(), iterations, r,
                    r.schedule().equals("step") ? " (halved every " + decay + " epochs)" : "", seed, Backends.current().name(), Parallel.threads());
            if (started != null) err.println(started);
            err.flush();
            SrTrainer.Options options = SrTrainer.Options.epochs(r.epochs()).checkpoint(ckpt).resumeFrom(c.resume)
                    .checkpointEvery(c.checkpointEvery).tile(tile).log(WriterStream.of(err)).runInfo(settings);
            if (tau != null) options = options.onEpochStart(shiftAnnealing(cl, info, net, tau));
            SrTrainer.Result result = new SrTrainer(net, scale, opt, sched).fit(new PatchLoader(pairs, r.batch(), 1),
                    folders.valImages(), folders.valNames(), options);
            SrModels.save(info, scale, net, c.out);
            if (c.plot != null) Plots.srCurves(result.history(), result.bicubic(), info.name() + " x" + scale, c.plot);
            report(cl, info, scale, data, val, train, valSet, patch, iterations, decay, r, seed, ckpt, result);
        }
        return 0;
    }

    /**
     * Sets every GhostSR shift's temperature before each epoch: τ_e = T0·(T1/T0)^((e−1)/(E−1)),
     * T0 in the first epoch and T1 in the last, the Gumbel noise at full scale; a function of
     * the epoch alone, so a resumed run sets the same. A model without shifts is a usage error.
     */
    static Trainer.EpochStart shiftAnnealing(CommandLine cl, ModelInfo info, Module net, float[] tau) {
        if (GhostConv2d.anneal(net, tau[0], 1f) == 0) {
            throw new ParameterException(cl, "--shift-temperature: " + info.name() + " has no GhostSR shifts to anneal (edsr-ghost has)");
        }
        return (epoch, epochs) -> {
            float t = epochs == 1 ? tau[1] : GhostConv2d.exponential(tau[0], tau[1], epoch - 1, epochs - 1);
            int n = GhostConv2d.anneal(net, t, 1f);
            String shown = new java.math.BigDecimal(t).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
            return "shift temperature " + shown + " (" + n + " GhostSR shifts)";
        };
    }

    /** The training photos (those large enough for a patch) and the validation images (null without {@code --val}). */
    record Folders(SrFolder train, SrFolder val) {
        /** Loads both, warning about the images left out; none left to train on is an error. */
        static Folders load(PrintWriter err, Path data, Path val, PatchSpec spec) throws IOException {
            int scale = spec.scale(), patch = spec.hrSize();
            SrFolder train = SrFolder.load(data, SrFolder.fitsPatch(spec));
            warnSkipped(err, train, data, "smaller than the " + patch + "x" + patch + " HR patch (after cropping to multiples of " + scale + ")");
            if (train.images().isEmpty()) {
                throw new IllegalArgumentException(data + ": none of its " + train.total() + " images is large enough for a " + patch + "x" + patch
                        + " HR patch; give smaller --patch or larger images");
            }
            SrFolder valSet = val == null ? null : SrFolder.load(val, img -> SrEvaluation.scorable(img, scale));
            if (valSet != null) warnSkipped(err, valSet, val, "smaller than " + SrEvaluation.minimumSide(scale) + "x" + SrEvaluation.minimumSide(scale)
                    + ", too small to score at x" + scale);
            return new Folders(train, valSet);
        }

        List<dev.tersor.nn.sr.Image> valImages() {
            return val == null ? List.of() : val.images();
        }

        List<String> valNames() {
            return val == null ? List.of() : val.names();
        }
    }

    private void report(CommandLine cl, ModelInfo info, int scale, Path data, Path val, SrFolder train, SrFolder valSet, int patch,
                        int iterations, int decay, Recipe r, long seed, Path ckpt, SrTrainer.Result result) {
        List<SrTrainer.Epoch> h = result.history();
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("task", "sr");
        record.put("model", info.name());
        record.put("scale", scale);
        record.put("data", data.toString());
        record.put("train_images", train.images().size());
        record.put("skipped_train_images", train.skipped().size());
        record.put("val", val == null ? null : val.toString());
        record.put("val_images", valSet == null ? 0 : valSet.images().size());
        record.put("skipped_val_images", valSet == null ? 0 : valSet.skipped().size());
        record.put("patch", patch);
        record.put("iterations_per_epoch", iterations);
        record.put("batch", r.batch());
        record.put("optimizer", r.optimizer());
        record.put("lr", r.lr());
        record.put("schedule", r.schedule());
        record.put("decay", decay);
        record.put("epochs", r.epochs());
        record.put("seed", seed);
        record.put("threads", Parallel.threads());
        record.put("backend", Backends.current().name());
        record.put("out", c.out.toString());
        record.put("checkpoint", ckpt.toString());
        record.put("train_loss", column(h, SrTrainer.Epoch::trainLoss));
        record.put("val_psnr_y", column(h, SrTrainer.Epoch::validationPsnrY));
        record.put("val_ssim_y", column(h, SrTrainer.Epoch::validationSsimY));
        record.put("val_psnr_rgb", column(h, SrTrainer.Epoch::validationPsnrRgb));
        record.put("lr_per_epoch", column(h, SrTrainer.Epoch::lr));
        record.put("epoch_seconds", column(h, SrTrainer.Epoch::seconds));
        record.put("pairs_per_second", column(h, SrTrainer.Epoch::pairsPerSecond));
        record.put("bicubic_psnr_y", result.bicubic() == null ? null : result.bicubic().psnrY());
        record.put("bicubic_ssim_y", result.bicubic() == null ? null : result.bicubic().ssimY());
        PrintWriter out = cl.getOut();
        if (c.json) {
            out.println(Json.write(record));
        } else {
            SrTrainer.Epoch last = h.get(h.size() - 1);
            out.printf(Locale.ROOT, "%s x%d trained for %d epochs on %s (%d images)%s%n", info.name(), scale, h.size(), data, train.images().size(),
                    Double.isNaN(last.validationPsnrY()) ? "" : String.format(Locale.ROOT, ": validation PSNR-Y %.2f dB, SSIM-Y %.4f (bicubic %.2f dB, %.4f)",
                            last.validationPsnrY(), last.validationSsimY(), result.bicubic().psnrY(), result.bicubic().ssimY()));
            out.println("weights:    " + c.out);
            out.println("checkpoint: " + ckpt);
        }
        out.flush();
    }

    /** "warning: K of N images in D are ...; skipped: a (WxH), ..." when any was skipped. */
    static void warnSkipped(PrintWriter err, SrFolder f, Path dir, String why) {
        if (f.skipped().isEmpty()) return;
        int k = f.skipped().size();
        err.println("warning: " + k + " of " + f.total() + " images in " + dir + (k == 1 ? " is " : " are ") + why + "; skipped: "
                + String.join(", ", f.skipped().size() <= 5 ? f.skipped() : f.skipped().subList(0, 5)) + (k > 5 ? ", ..." : ""));
        err.flush();
    }

    private static Recipe savedRecipe(CommandLine cl, Map<String, String> s) {
        try {
            return new Recipe(s.get("optimizer"), Double.parseDouble(s.get("lr")), 0, Double.parseDouble(s.get("weight_decay")), s.get("schedule"),
                    Integer.parseInt(s.get("epochs")), Integer.parseInt(s.get("batch")));
        } catch (RuntimeException e) {
            throw new ParameterException(cl, "--resume: the checkpoint's recipe settings are incomplete or bad (" + e.getMessage() + ")");
        }
    }

    private static int intOf(CommandLine cl, Map<String, String> s, String key) {
        return Math.toIntExact(longOf(cl, s, key));
    }

    private static long longOf(CommandLine cl, Map<String, String> s, String key) {
        try {
            return Long.parseLong(s.get(key));
        } catch (RuntimeException e) {
            throw new ParameterException(cl, "--resume: the checkpoint records no valid '" + key + "' (" + s.get(key) + ")");
        }
    }

    /** Every setting given that differs from the checkpoint's, named with its flag (epochs may change). */
    private void requireSame(CommandLine cl, Map<String, String> saved, Map<String, String> now) {
        List<String> diff = new ArrayList<>();
        for (var e : FLAGS.entrySet()) {
            String was = saved.get(e.getKey()), is = now.get(e.getKey());
            if (was != null && !was.equals(is)) diff.add(e.getValue() + " " + (is.isEmpty() ? "(none)" : is) + " (the run had " + (was.isEmpty() ? "none" : was) + ")");
        }
        if (!diff.isEmpty()) {
            throw new ParameterException(cl, "--resume " + c.resume + ": settings differ from the run that wrote it: " + String.join("; ", diff)
                    + "; leave them out to take the run's");
        }
    }

    private static List<Double> column(List<SrTrainer.Epoch> h, ToDoubleFunction<SrTrainer.Epoch> f) {
        List<Double> v = new ArrayList<>();
        for (SrTrainer.Epoch e : h) v.add(f.applyAsDouble(e));
        return v;
    }
}
