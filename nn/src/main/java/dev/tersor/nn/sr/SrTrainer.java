package dev.tersor.nn.sr;

import dev.tersor.nn.Module;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.loss.Reduction;
import dev.tersor.nn.optim.LrScheduler;
import dev.tersor.nn.optim.Optimizer;
import dev.tersor.nn.sr.BicubicBaseline.Score;
import dev.tersor.nn.train.Checkpoint;
import dev.tersor.nn.train.EpochMetrics;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.train.TrainingDivergedException;
import dev.tersor.tensor.Tensor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Trains a super-resolution model on {@link PatchLoader} pairs with EDSR's loop
 * ({@code src/trainer.py}): per batch, the LR patches scaled to [0, 255] (EDSR's
 * {@code rgb_range} 255) go through the model, the L1 loss (mean absolute error in 8-bit units)
 * against the HR patches (or, for a model that is an {@link SrObjective} such as DRN, its own
 * loss of the pair) is back-propagated, the optimizer steps and the scheduler steps (once
 * per iteration); after each epoch the model is scored on the validation images with
 * {@link SrEvaluation} (whole images, tiled by {@link Upscaler}, output quantised) and the
 * checkpoint is written.
 * <pre>{@code
 * SrTrainer t = new SrTrainer(model, 2, adam, new StepLr(adam, 200 * 1000, 0.5));
 * SrTrainer.Result r = t.fit(loader, valImages, valNames, SrTrainer.Options.epochs(300).checkpoint(Path.of("run.ckpt")));
 * r.history().get(0).validationPsnrY();
 * }</pre>
 *
 * <p><b>Checkpoints.</b> The file is {@link Checkpoint}'s (model, optimizer, scheduler, the
 * default random stream, one {@link EpochMetrics} line per finished epoch with the L1 loss as
 * its train loss, and the run's settings as {@code run.*} metadata): {@link Checkpoint#load}
 * restores it and {@code tersor eval --weights} reads its {@code model.*} tensors. What that
 * format has no field for travels among the {@code run.*} entries: {@code run.sr_validation}
 * (per epoch {@code "psnrY ssimY psnrRgb"}, separated by {@code ;}) and, in a checkpoint written
 * inside an epoch ({@link Options#checkpointEvery}), {@code run.sr_step}
 * ({@code "step,lossSum,pairs"}). Batches are a function of the seed, the epoch and their index
 * ({@link PatchPairs}), so a resumed run sees the batches it would have seen and, for a thread
 * count, ends with the same weights bit for bit as one never interrupted.
 *
 * <p>Why not {@link dev.tersor.nn.train.Trainer}: its loop is built around classification
 * ({@code Batch(inputs, IntTensor labels)}, a loss of logits and labels, arg-max accuracy,
 * cross-entropy validation on a loader), and its progress and step-position types are private
 * to its package. This loop reuses the checkpoint file, its history records and the divergence
 * exception, and differs where SR differs: pairs of images, a pixel loss, PSNR on whole images.
 */
public final class SrTrainer {
    static final String VALIDATION_KEY = "sr_validation", STEP_KEY = "sr_step";

    private final Module model;
    private final int scale;
    private final Optimizer<?> optimizer;
    private final LrScheduler scheduler;

    /**
     * Settings of a run.
     *
     * @param epochs          epochs in all, resumed ones included, {@code >= 1}
     * @param checkpoint      written after every epoch (null: none)
     * @param resumeFrom      a checkpoint to continue from (null: a fresh run)
     * @param checkpointEvery also write the checkpoint every that many steps inside an epoch (0: after epochs only)
     * @param tile            tile side in LR pixels for the validation images ({@link Upscaler})
     * @param log             progress and epoch lines (null: silent)
     * @param runInfo         the run's settings, recorded in each checkpoint as {@code run.*} (keys starting {@code sr_} are reserved)
     * @param objective       the batch loss (null: the model's own when it is an {@link SrObjective}, else EDSR's L1),
     *                        e.g. a distillation loss against a teacher
     * @param epochStart      called before each epoch's first batch (null: nothing), as {@link Trainer.Options#onEpochStart}
     */
    public record Options(int epochs, Path checkpoint, Path resumeFrom, int checkpointEvery, int tile, PrintStream log,
                          Map<String, String> runInfo, SrObjective objective, Trainer.EpochStart epochStart) {
        public Options {
            if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            if (checkpointEvery < 0) throw new IllegalArgumentException("checkpointEvery must be >= 0 steps, got " + checkpointEvery);
            if (tile < 1) throw new IllegalArgumentException("tile must be >= 1 LR pixel, got " + tile);
            runInfo = runInfo == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(runInfo));
            for (String k : runInfo.keySet()) {
                if (k.startsWith("sr_")) throw new IllegalArgumentException("run info key '" + k + "': keys starting sr_ are the trainer's own");
            }
        }

        /** {@code epochs} epochs, progress on stderr, no checkpoint, {@link Upscaler#DEFAULT_TILE} tiles. */
        public static Options epochs(int epochs) {
            return new Options(epochs, null, null, 0, Upscaler.DEFAULT_TILE, System.err, null, null, null);
        }

        /** The same with a checkpoint written after every epoch. */
        public Options checkpoint(Path path) {
            return new Options(epochs, path, resumeFrom, checkpointEvery, tile, log, runInfo, objective, epochStart);
        }

        /** The same, continuing from a checkpoint. */
        public Options resumeFrom(Path path) {
            return new Options(epochs, checkpoint, path, checkpointEvery, tile, log, runInfo, objective, epochStart);
        }

        /** The same, also writing the checkpoint every {@code steps} steps inside an epoch. */
        public Options checkpointEvery(int steps) {
            return new Options(epochs, checkpoint, resumeFrom, steps, tile, log, runInfo, objective, epochStart);
        }

        /** The same with validation images run in tiles of {@code side} LR pixels. */
        public Options tile(int side) {
            return new Options(epochs, checkpoint, resumeFrom, checkpointEvery, side, log, runInfo, objective, epochStart);
        }

        /** The same with progress going to {@code stream} (null: silent). */
        public Options log(PrintStream stream) {
            return new Options(epochs, checkpoint, resumeFrom, checkpointEvery, tile, stream, runInfo, objective, epochStart);
        }

        /** The same, recording {@code info} in every checkpoint. */
        public Options runInfo(Map<String, String> info) {
            return new Options(epochs, checkpoint, resumeFrom, checkpointEvery, tile, log, info, objective, epochStart);
        }

        /** The same, minimising {@code loss} instead of the model's own or the L1 loss. */
        public Options objective(SrObjective loss) {
            return new Options(epochs, checkpoint, resumeFrom, checkpointEvery, tile, log, runInfo, loss, epochStart);
        }

        /** The same, calling {@code hook} before each epoch (its line, if any, goes to the log). */
        public Options onEpochStart(Trainer.EpochStart hook) {
            return new Options(epochs, checkpoint, resumeFrom, checkpointEvery, tile, log, runInfo, objective, hook);
        }
    }

    /**
     * What one epoch measured.
     *
     * @param epoch             1-based
     * @param trainLoss         mean L1 loss over the epoch's batches, in 8-bit units (0..255); for an {@link SrObjective} model its loss
     * @param validationPsnrY   mean Y PSNR on the validation images after the epoch, dB (NaN without them)
     * @param validationSsimY   mean Y SSIM (NaN without them)
     * @param validationPsnrRgb mean RGB PSNR, dB (NaN without them)
     * @param seconds           wall time of the training pass (not the validation)
     * @param pairsPerSecond    training pairs per second in that pass
     * @param lr                the first group's learning rate at the end of the epoch
     */
    public record Epoch(int epoch, double trainLoss, double validationPsnrY, double validationSsimY, double validationPsnrRgb,
                        double seconds, double pairsPerSecond, double lr) {}

    /**
     * What a run gave.
     *
     * @param history every epoch, resumed ones included
     * @param bicubic the bicubic baseline's mean scores on the validation images (null without them)
     * @param skipped validation images left out as too small to score ({@link SrEvaluation#scorable})
     */
    public record Result(List<Epoch> history, Score bicubic, List<String> skipped) {
        public Result {
            history = List.copyOf(history);
            skipped = List.copyOf(skipped);
        }
    }

    /** A trainer of {@code model} (RGB in [0, 255] → ×{@code scale}); {@code scheduler} may be null. */
    public SrTrainer(Module model, int scale, Optimizer<?> optimizer, LrScheduler scheduler) {
        this.model = Objects.requireNonNull(model, "model");
        if (scale < 2) throw new IllegalArgumentException("scale must be an integer >= 2, got " + scale);
        this.scale = scale;
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.scheduler = scheduler;
    }

    /**
     * Trains until {@code options.epochs()} epochs are done, scoring the HR images
     * {@code validation} (named by {@code names}; may be empty) after each.
     */
    public Result fit(PatchLoader train, List<Image> validation, List<String> names, Options options) {
        if (validation.size() != names.size()) throw new IllegalArgumentException(validation.size() + " images but " + names.size() + " names");
        List<Epoch> history = new ArrayList<>();
        Position at = Position.START;
        if (options.resumeFrom() != null) {
            List<EpochMetrics> done = Checkpoint.load(options.resumeFrom(), model, optimizer, scheduler);
            Map<String, String> info = Checkpoint.runInfo(options.resumeFrom());
            history.addAll(epochs(done, info.get(VALIDATION_KEY), options.resumeFrom()));
            at = position(info.get(STEP_KEY), options.resumeFrom());
            if (at.step() >= train.size()) {
                throw new IllegalArgumentException("checkpoint " + options.resumeFrom() + " stopped after step " + at.step()
                        + " of an epoch, but an epoch here has " + train.size() + " steps: another --iterations-per-epoch or batch size");
            }
            log(options, "resumed from " + options.resumeFrom() + " after epoch " + history.size()
                    + (at.step() > 0 ? ", step " + at.step() + " of epoch " + (history.size() + 1) : ""));
        }
        Upscaler upscaler = new Upscaler(model, scale, options.tile(), Upscaler.receptiveRadius(model));
        Score bicubic = null;
        List<String> skipped = List.of();
        try {
            for (int epoch = history.size() + 1; epoch <= options.epochs(); epoch++) {
                train.setEpoch(epoch - 1);
                startEpoch(options, epoch, at.step() > 0);
                Position end = runEpoch(epoch, options, train, at, history);
                at = Position.START;
                double psnr = Double.NaN, ssim = Double.NaN, rgb = Double.NaN;
                long valStart = System.nanoTime();
                if (!validation.isEmpty()) {
                    SrEvaluation.Result r = SrEvaluation.evaluate(validation, names, upscaler, null);
                    skipped = r.skipped();
                    if (!r.rows().isEmpty()) {
                        psnr = r.modelMean().psnrY();
                        ssim = r.modelMean().ssimY();
                        rgb = r.modelMean().psnrRgb();
                        bicubic = r.bicubicMean();
                    }
                }
                Epoch e = new Epoch(epoch, end.step() == 0 ? Double.NaN : end.lossSum() / end.step(), psnr, ssim, rgb, end.seconds(),
                        end.pairsPerSecond(), optimizer.groups().get(0).lr());
                history.add(e);
                log(options, epochLine(e, options.epochs(), bicubic, lossName(options))
                        + (validation.isEmpty() ? "" : String.format(Locale.ROOT, ", validation %.1f s", (System.nanoTime() - valStart) / 1e9)));
                if (options.checkpoint() != null) save(options, epoch, history, Position.START);
            }
        } finally {
            train.close();
        }
        return new Result(history, bicubic, skipped);
    }

    private void startEpoch(Options options, int epoch, boolean resumedInside) {
        if (options.epochStart() == null) return;
        model.train();
        String line = resumedInside ? options.epochStart().resumed(epoch, options.epochs()) : options.epochStart().starting(epoch, options.epochs());
        if (line != null) log(options, "epoch " + epoch + ": " + line);
    }

    /** Where inside an epoch a run is: steps done and the epoch's sums so far (seconds and speed: of the pass just run). */
    record Position(int step, double lossSum, long pairs, double seconds, double pairsPerSecond) {
        static final Position START = new Position(0, 0, 0, 0, 0);
    }

    private Position runEpoch(int epoch, Options options, PatchLoader train, Position at, List<Epoch> history) {
        model.train();
        double lossSum = at.lossSum();
        long pairs = at.pairs();
        int step = at.step(), total = train.size();
        boolean stepCheckpoints = options.checkpointEvery() > 0 && options.checkpoint() != null;
        long start = System.nanoTime();
        int lastQuarter = step * 4 / Math.max(total, 1);
        for (Iterator<PairBatch> it = train.iterator(at.step()); it.hasNext(); ) {
            PairBatch b = it.next();
            step++;
            optimizer.zeroGrad();
            Tensor l = loss(options, b.lr().mul(255f), b.hr().mul(255f));
            float value = l.item();
            if (!Float.isFinite(value)) {
                throw new TrainingDivergedException(String.format(Locale.ROOT,
                        "training loss became %s at epoch %d, step %d/%d (lr %.6g); lower the learning rate or check the data",
                        value, epoch, step, total, optimizer.groups().get(0).lr()));
            }
            l.backward();
            optimizer.step();
            if (scheduler != null) scheduler.step();
            lossSum += value;
            pairs += b.size();
            int quarter = step * 4 / total;
            if (options.log() != null && (quarter != lastQuarter || step == total)) {
                lastQuarter = quarter;
                double secs = (System.nanoTime() - start) / 1e9;
                options.log().printf(Locale.ROOT, "epoch %d/%d: step %d/%d, %s %.4f, %.1f pairs/s%n", epoch, options.epochs(), step, total, lossName(options),
                        lossSum / step, (pairs - at.pairs()) / Math.max(secs, 1e-9));
                options.log().flush();
            }
            if (stepCheckpoints && step % options.checkpointEvery() == 0 && step < total) {
                save(options, epoch - 1, history, new Position(step, lossSum, pairs, 0, 0));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Position(step, lossSum, pairs, seconds, (pairs - at.pairs()) / Math.max(seconds, 1e-9));
    }

    /** The batch's loss: the options' objective, the model's own ({@link SrObjective}) or EDSR's L1 of {@code model(lr)} and {@code hr}. */
    private Tensor loss(Options options, Tensor lr, Tensor hr) {
        if (options.objective() != null) return options.objective().trainingLoss(lr, hr);
        if (model instanceof SrObjective o) return o.trainingLoss(lr, hr);
        return Losses.l1(model.call(lr), hr, Reduction.MEAN);
    }

    private void save(Options options, int finished, List<Epoch> history, Position at) {
        Map<String, String> info = new LinkedHashMap<>(options.runInfo());
        info.put(VALIDATION_KEY, validation(history));
        if (at.step() > 0) info.put(STEP_KEY, at.step() + "," + at.lossSum() + "," + at.pairs());
        Checkpoint.save(options.checkpoint(), model, optimizer, scheduler, finished, metrics(history), info);
    }

    /** "L1" for EDSR's loss, "loss" for an objective's. */
    private String lossName(Options options) {
        return options.objective() != null || model instanceof SrObjective ? "loss" : "L1";
    }

    private static String epochLine(Epoch e, int epochs, Score bicubic, String lossName) {
        String val = Double.isNaN(e.validationPsnrY()) ? "no validation"
                : String.format(Locale.ROOT, "val PSNR-Y %.2f dB, SSIM-Y %.4f (bicubic %.2f dB, %.4f)", e.validationPsnrY(),
                        e.validationSsimY(), bicubic.psnrY(), bicubic.ssimY());
        return String.format(Locale.ROOT, "epoch %d/%d: %s %.4f, %s, lr %.3g, %.1f s, %.1f pairs/s", e.epoch(), epochs, lossName, e.trainLoss(),
                val, e.lr(), e.seconds(), e.pairsPerSecond());
    }

    /** The per-epoch validation scores as {@code run.sr_validation} holds them. */
    static String validation(List<Epoch> history) {
        StringBuilder sb = new StringBuilder();
        for (Epoch e : history) {
            if (sb.length() > 0) sb.append(';');
            sb.append(e.validationPsnrY()).append(' ').append(e.validationSsimY()).append(' ').append(e.validationPsnrRgb());
        }
        return sb.toString();
    }

    /** The history as {@link Checkpoint}'s records: the L1 loss as train loss, no accuracies. */
    static List<EpochMetrics> metrics(List<Epoch> history) {
        List<EpochMetrics> out = new ArrayList<>();
        for (Epoch e : history) {
            out.add(new EpochMetrics(e.epoch(), e.trainLoss(), Double.NaN, Double.NaN, Double.NaN, Double.NaN, e.seconds(),
                    e.pairsPerSecond(), e.lr()));
        }
        return out;
    }

    /** The epochs a checkpoint holds: its records joined with {@code run.sr_validation}. */
    static List<Epoch> epochs(List<EpochMetrics> done, String validation, Path source) {
        String[] parts = validation == null || validation.isEmpty() ? new String[0] : validation.split(";");
        if (parts.length != done.size()) {
            throw new IllegalArgumentException("checkpoint " + source + " holds " + done.size() + " epochs but validation scores for "
                    + parts.length + (validation == null ? " (no run.sr_validation: not a checkpoint of tersor's SR training)" : ""));
        }
        List<Epoch> out = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String[] v = parts[i].trim().split(" ");
            EpochMetrics m = done.get(i);
            try {
                if (v.length != 3) throw new NumberFormatException("3 values expected");
                out.add(new Epoch(m.epoch(), m.trainLoss(), Double.parseDouble(v[0]), Double.parseDouble(v[1]), Double.parseDouble(v[2]),
                        m.epochSeconds(), m.samplesPerSecond(), m.lr()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("checkpoint " + source + ": bad run.sr_validation entry '" + parts[i] + "'", e);
            }
        }
        return out;
    }

    /** Where a checkpoint stopped inside an epoch ({@code run.sr_step}), or the epoch's start. */
    static Position position(String step, Path source) {
        if (step == null) return Position.START;
        String[] f = step.split(",");
        try {
            if (f.length != 3) throw new NumberFormatException("3 fields expected");
            Position p = new Position(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Long.parseLong(f[2]), 0, 0);
            if (p.step() < 1 || p.pairs() < p.step()) throw new NumberFormatException("out of range");
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("checkpoint " + source + ": bad run.sr_step '" + step + "'", e);
        }
    }

    private static void log(Options o, String line) {
        if (o.log() != null) {
            o.log().println(line);
            o.log().flush();
        }
    }
}
