package dev.tersor.nn.train;

import dev.tersor.nn.Module;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.optim.LrScheduler;
import dev.tersor.nn.optim.Optimizer;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs epochs of training: forward, loss, backward, optimizer step and a scheduler step every
 * iteration; evaluates after each epoch, writes metrics (JSON and CSV) and an atomic checkpoint,
 * and can resume from one with nothing lost.
 * <pre>{@code
 * Trainer t = new Trainer(model, new Sgd(model.parameters(), Sgd.options(0.05).momentum(0.9).build()),
 *         scheduler, Losses::crossEntropy);
 * List<EpochMetrics> h = t.fit(train, test, Trainer.Options.epochs(3).checkpoint(Path.of("run.ckpt")));
 * }</pre>
 * A NaN or infinite loss stops training with a {@link TrainingDivergedException} that says where.
 * Runs are deterministic for a seed (the loaders' and {@link dev.tersor.nn.Rng}'s) and a thread count.
 */
public final class Trainer {
    private final Module model;
    private final Optimizer<?> optimizer;
    private final LrScheduler scheduler;
    private final LossFunction loss;

    /**
     * Called before the first batch of each epoch, with the model in training mode: methods that
     * change the model per epoch hook in here (RBNN's rotation update, schedules of a sign
     * approximation, pruning steps).
     */
    @FunctionalInterface
    public interface EpochStart {
        /** {@code epoch} counts from 1 to {@code epochs}; returns a line for the log, or null. */
        String starting(int epoch, int epochs);

        /**
         * Called instead of {@link #starting} when a run resumes inside {@code epoch} from a step
         * checkpoint ({@link Options#checkpointEvery}): the checkpoint holds the model's state
         * after {@code starting} ran, so only what lives outside the state dict needs setting
         * again. The default calls {@code starting}, right for hooks that set the epoch's state
         * from its number (schedules); a hook that updates the weights (e.g. RBNN's rotation)
         * overrides it.
         */
        default String resumed(int epoch, int epochs) {
            return starting(epoch, epochs);
        }
    }

    /**
     * Where output goes. {@code checkpoint}, {@code metricsJson}, {@code metricsCsv} and
     * {@code epochStart} may be null; {@code log} (progress and epoch lines) may be null for silence;
     * {@code runInfo} (null: none) goes into each checkpoint's metadata.
     */
    public record Options(int epochs, Path checkpoint, Path resumeFrom, Path metricsJson, Path metricsCsv, PrintStream log,
                          EpochStart epochStart, Map<String, String> runInfo, boolean keepBest, int checkpointEvery) {
        public Options {
            if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            if (checkpointEvery < 0) throw new IllegalArgumentException("checkpointEvery must be >= 0 steps, got " + checkpointEvery);
            // (kept in the caller's order, so identical runs write identical checkpoint metadata)
            runInfo = runInfo == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(runInfo));
        }

        /** {@code epochs} epochs, progress on stderr, nothing written. */
        public static Options epochs(int epochs) {
            return new Options(epochs, null, null, null, null, System.err, null, null, false, 0);
        }

        /** The same with a checkpoint written after every epoch. */
        public Options checkpoint(Path path) {
            return new Options(epochs, path, resumeFrom, metricsJson, metricsCsv, log, epochStart, runInfo, keepBest, checkpointEvery);
        }

        /** The same, continuing from a checkpoint. */
        public Options resumeFrom(Path path) {
            return new Options(epochs, checkpoint, path, metricsJson, metricsCsv, log, epochStart, runInfo, keepBest, checkpointEvery);
        }

        /** The same with per-epoch metrics written as JSON and/or CSV. */
        public Options metrics(Path json, Path csv) {
            return new Options(epochs, checkpoint, resumeFrom, json, csv, log, epochStart, runInfo, keepBest, checkpointEvery);
        }

        /** The same with progress going to {@code stream} (null: silent). */
        public Options log(PrintStream stream) {
            return new Options(epochs, checkpoint, resumeFrom, metricsJson, metricsCsv, stream, epochStart, runInfo, keepBest, checkpointEvery);
        }

        /** The same, calling {@code hook} before each epoch (also for the epochs after a resume). */
        public Options onEpochStart(EpochStart hook) {
            return new Options(epochs, checkpoint, resumeFrom, metricsJson, metricsCsv, log, hook, runInfo, keepBest, checkpointEvery);
        }

        /**
         * The same, recording {@code info} (the run's settings: model, recipe, seed, ...) in every
         * checkpoint, so a resume can continue with them ({@link Checkpoint#runInfo}).
         */
        public Options runInfo(Map<String, String> info) {
            return new Options(epochs, checkpoint, resumeFrom, metricsJson, metricsCsv, log, epochStart, info, keepBest, checkpointEvery);
        }

        /**
         * The same, ending with the weights of the epoch with the best validation accuracy (the
         * first of equals) instead of the last epoch's; needs a validation loader. The best weights
         * travel in each checkpoint, so a resumed run ends with them too.
         */
        public Options keepBest(boolean keep) {
            return new Options(epochs, checkpoint, resumeFrom, metricsJson, metricsCsv, log, epochStart, runInfo, keep, checkpointEvery);
        }

        /**
         * The same, also writing the checkpoint after every {@code steps} steps inside an epoch (0:
         * after epochs only), so a killed run loses at most that many steps; a resume continues
         * inside the epoch with the same batches and ends with the same weights as a run never
         * interrupted. The epoch's {@code epochSeconds} then covers the resumed part only.
         */
        public Options checkpointEvery(int steps) {
            return new Options(epochs, checkpoint, resumeFrom, metricsJson, metricsCsv, log, epochStart, runInfo, keepBest, steps);
        }
    }

    /**
     * What a run with a validation split gave.
     *
     * @param history      every epoch's metrics, resumed ones included
     * @param keptEpoch    the epoch whose weights the model holds now (the best one with {@link Options#keepBest}, else the last)
     * @param testAccuracy accuracy on the test split of the weights kept, measured once after training (NaN without a test loader)
     */
    public record Result(List<EpochMetrics> history, int keptEpoch, double testAccuracy) {
        public Result {
            history = List.copyOf(history);
        }
    }

    /** A trainer of {@code model}; {@code scheduler} may be null. */
    public Trainer(Module model, Optimizer<?> optimizer, LrScheduler scheduler, LossFunction loss) {
        this.model = model;
        this.optimizer = optimizer;
        this.scheduler = scheduler;
        this.loss = loss;
    }

    /**
     * Trains until {@code options.epochs()} epochs are done (counting resumed ones), evaluating
     * {@code test} (may be null) after every epoch.
     */
    public List<EpochMetrics> fit(DataLoader train, DataLoader test, Options options) {
        return fit(train, null, test, options).history();
    }

    /**
     * Trains until {@code options.epochs()} epochs are done (counting resumed ones). With a
     * {@code validation} loader, each epoch reports its validation loss (cross entropy) and
     * accuracy, the test split (may be null) is evaluated once, after training, on the weights
     * kept; without one, {@code test} is evaluated after every epoch as by
     * {@link #fit(DataLoader, DataLoader, Options)}.
     */
    public Result fit(DataLoader train, DataLoader validation, DataLoader test, Options options) {
        if (options.keepBest() && validation == null) throw new IllegalArgumentException("keepBest needs a validation loader");
        List<EpochMetrics> history = new ArrayList<>();
        BestWeights best = new BestWeights();
        Checkpoint.Position at = Checkpoint.Position.START;
        if (options.resumeFrom() != null) {
            history.addAll(Checkpoint.load(options.resumeFrom(), model, optimizer, scheduler));
            if (options.keepBest()) best = Checkpoint.best(options.resumeFrom());
            at = Checkpoint.position(options.resumeFrom());
            if (at.step() > train.size()) {
                throw new IllegalArgumentException("checkpoint " + options.resumeFrom() + " stopped after step " + at.step()
                        + " of an epoch, but an epoch here has " + train.size() + " steps: another data set or batch size");
            }
            log(options, "resumed from " + options.resumeFrom() + " after epoch " + history.size()
                    + (at.step() > 0 ? ", step " + at.step() + " of epoch " + (history.size() + 1) : ""));
        }
        for (int epoch = history.size() + 1; epoch <= options.epochs(); epoch++) {
            train.setEpoch(epoch - 1);
            EpochMetrics m = runEpoch(epoch, options, train, validation, validation == null ? test : null, at, history, best);
            at = Checkpoint.Position.START;
            history.add(m);
            boolean better = options.keepBest() && best.offer(epoch, m.validationAccuracy(), model);
            log(options, epochLine(m, options.epochs()) + (better && epoch > 1 ? " (best so far)" : ""));
            if (options.checkpoint() != null) {
                Checkpoint.save(options.checkpoint(), model, optimizer, scheduler, epoch, history, options.runInfo(), best, Checkpoint.Position.START);
            }
            writeMetrics(options, history);
        }
        int kept = history.size();
        if (options.keepBest() && best.epoch() > 0 && best.epoch() != kept) {
            best.restore(model);
            kept = best.epoch();
            log(options, String.format(Locale.ROOT, "kept the weights of epoch %d (best val acc %.2f%%)", kept, 100 * best.accuracy()));
        }
        double testAccuracy = Double.NaN;
        if (test != null && validation != null) {
            testAccuracy = Evaluation.of(model, test).accuracy();
            log(options, String.format(Locale.ROOT, "test acc %.2f%% (once, after training, weights of epoch %d)", 100 * testAccuracy, kept));
        } else if (test != null && !history.isEmpty()) {
            testAccuracy = history.get(history.size() - 1).testAccuracy();
        }
        return new Result(history, kept, testAccuracy);
    }

    private static String epochLine(EpochMetrics m, int epochs) {
        String eval = Double.isNaN(m.validationAccuracy())
                ? "test acc " + (Double.isNaN(m.testAccuracy()) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * m.testAccuracy()))
                : String.format(Locale.ROOT, "val loss %.4f, val acc %.2f%%", m.validationLoss(), 100 * m.validationAccuracy());
        return String.format(Locale.ROOT, "epoch %d/%d: loss %.4f, train acc %.2f%%, %s, %.1f s, %.0f samples/s",
                m.epoch(), epochs, m.trainLoss(), 100 * m.trainAccuracy(), eval, m.epochSeconds(), m.samplesPerSecond());
    }

    /** One epoch from {@code at} (its start, or where a step checkpoint left it); {@code history} and {@code best} go into step checkpoints. */
    private EpochMetrics runEpoch(int epoch, Options options, DataLoader train, DataLoader validation, DataLoader test,
                                  Checkpoint.Position at, List<EpochMetrics> history, BestWeights best) {
        model.train();
        if (options.epochStart() != null) {
            String line = at.step() == 0 ? options.epochStart().starting(epoch, options.epochs()) : options.epochStart().resumed(epoch, options.epochs());
            if (line != null) log(options, "epoch " + epoch + "/" + options.epochs() + ": " + line);
        }
        Progress progress = new Progress(options.log(), "epoch " + epoch + "/" + options.epochs(), train.size());
        double lossSum = at.lossSum();
        long correct = at.correct(), samples = at.samples(), resumedSamples = at.samples();
        int step = at.step();
        boolean stepCheckpoints = options.checkpointEvery() > 0 && options.checkpoint() != null;
        long start = System.nanoTime();
        for (Iterator<Batch> it = train.iterator(at.step()); it.hasNext(); ) {
            Batch b = it.next();
            step++;
            optimizer.zeroGrad();
            Tensor out = model.call(b.inputs());
            Tensor l = loss.apply(out, b.labels());
            float value = l.item();
            if (!Float.isFinite(value)) {
                throw new TrainingDivergedException(String.format(Locale.ROOT,
                        "loss became %s at epoch %d, step %d/%d (lr %.6g); lower the learning rate or check the data",
                        value, epoch, step, train.size(), optimizer.groups().get(0).lr()));
            }
            l.backward();
            optimizer.step();
            if (scheduler != null) scheduler.step();
            try (var g = Tensor.noGrad()) {
                correct += out.argmax(1, false).countEqual(b.labels());
            }
            lossSum += value;
            samples += b.size();
            progress.update(step, lossSum / step, (double) correct / samples, samples);
            if (stepCheckpoints && step % options.checkpointEvery() == 0 && step < train.size()) {
                Checkpoint.save(options.checkpoint(), model, optimizer, scheduler, epoch - 1, history, options.runInfo(), best,
                        new Checkpoint.Position(step, lossSum, correct, samples));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Evaluation val = validation == null ? null : Evaluation.of(model, validation, dev.tersor.nn.loss.Losses::crossEntropy);
        double testAcc = test == null ? Double.NaN : Evaluation.of(model, test).accuracy();
        return new EpochMetrics(epoch, step == 0 ? Double.NaN : lossSum / step, samples == 0 ? 0 : (double) correct / samples,
                val == null ? Double.NaN : val.loss(), val == null ? Double.NaN : val.accuracy(), testAcc, seconds,
                (samples - resumedSamples) / Math.max(seconds, 1e-9), optimizer.groups().get(0).lr());
    }

    private static void log(Options o, String line) {
        if (o.log() != null) o.log().println(line);
    }

    private static void writeMetrics(Options o, List<EpochMetrics> history) {
        try {
            if (o.metricsCsv() != null) {
                StringBuilder sb = new StringBuilder(EpochMetrics.CSV_HEADER).append('\n');
                for (EpochMetrics m : history) sb.append(m.csv()).append('\n');
                writeAtomically(o.metricsCsv(), sb.toString());
            }
            if (o.metricsJson() != null) {
                StringBuilder sb = new StringBuilder("[\n");
                for (int i = 0; i < history.size(); i++) {
                    EpochMetrics m = history.get(i);
                    sb.append(String.format(Locale.ROOT, "  {\"epoch\": %d, \"train_loss\": %s, \"train_accuracy\": %s, \"val_loss\": %s, "
                                    + "\"val_accuracy\": %s, \"test_accuracy\": %s, \"epoch_seconds\": %s, \"samples_per_second\": %s, \"lr\": %s}%s%n",
                            m.epoch(), num(m.trainLoss()), num(m.trainAccuracy()), num(m.validationLoss()), num(m.validationAccuracy()), num(m.testAccuracy()),
                            num(m.epochSeconds()), num(m.samplesPerSecond()), num(m.lr()), i + 1 < history.size() ? "," : ""));
                }
                writeAtomically(o.metricsJson(), sb.append("]\n").toString());
            }
        } catch (IOException e) {
            // the metrics are a report of the run: failing to write them must not lose the run itself
            log(o, "warning: cannot write the metrics (" + e + "); training goes on, the checkpoint and weights are kept");
        }
    }

    private static String num(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    private static void writeAtomically(Path path, String text) throws IOException {
        Path abs = path.toAbsolutePath();
        // (not Files.createTempFile: its 0600 mode would stay on the metrics file, where the weights
        // beside it get the umask's usual 0644)
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            Files.writeString(tmp, text, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
