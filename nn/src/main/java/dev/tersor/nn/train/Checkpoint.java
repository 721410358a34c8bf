package dev.tersor.nn.train;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.optim.LrScheduler;
import dev.tersor.nn.optim.Optimizer;
import dev.tersor.nn.optim.OptimizerState;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a training run needs to continue, in one safetensors file written atomically:
 * tensors {@code model.<key>} (the state dict) and {@code optimizer.<key>}; metadata
 * {@code epoch}, {@code optimizer.*}, {@code scheduler.*}, {@code rng} (the default stream's
 * state), {@code history} (one CSV line per finished epoch) and {@code run.*} (the settings of the
 * run that wrote it, when given: {@code tersor train} records its recipe there); with
 * {@link Trainer.Options#keepBest}, also the best epoch's weights ({@code best.<key>},
 * {@code best_epoch}, {@code best_accuracy}); one written inside an epoch
 * ({@link Trainer.Options#checkpointEvery}) also {@code step} and {@code step_sums}.
 */
public final class Checkpoint {
    private static final String MODEL = "model.", OPTIMIZER = "optimizer.", SCHEDULER = "scheduler.", RUN = "run.";

    private Checkpoint() {
    }

    /** Writes the state after {@code epoch} finished epochs. */
    public static void save(Path path, Module model, Optimizer<?> optimizer, LrScheduler scheduler, int epoch,
                            List<EpochMetrics> history) {
        save(path, model, optimizer, scheduler, epoch, history, Map.of());
    }

    /** The same, with the run's settings stored as metadata {@code run.<key>} ({@link #runInfo} reads them back). */
    public static void save(Path path, Module model, Optimizer<?> optimizer, LrScheduler scheduler, int epoch,
                            List<EpochMetrics> history, Map<String, String> runInfo) {
        save(path, model, optimizer, scheduler, epoch, history, runInfo, new BestWeights(), Position.START);
    }

    /**
     * Where inside an epoch a step checkpoint stopped: {@code step} steps done (0: at the epoch's
     * start) and the epoch's running sums so far.
     */
    record Position(int step, double lossSum, long correct, long samples) {
        static final Position START = new Position(0, 0, 0, 0);
    }

    static void save(Path path, Module model, Optimizer<?> optimizer, LrScheduler scheduler, int epoch,
                     List<EpochMetrics> history, Map<String, String> runInfo, BestWeights best, Position at) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        for (var e : model.stateDict().entrySet()) tensors.put(MODEL + e.getKey(), e.getValue());
        OptimizerState os = optimizer.stateDict().withPrefix(OPTIMIZER);
        tensors.putAll(os.tensors());
        meta.putAll(os.metadata());
        if (scheduler != null) scheduler.stateDict().forEach((k, v) -> meta.put(SCHEDULER + k, v));
        meta.put("epoch", Integer.toString(epoch));
        long[] rng = Rng.global().state();
        meta.put("rng", rng[0] + "," + rng[1]);
        StringBuilder h = new StringBuilder();
        for (EpochMetrics m : history) h.append(m.csv()).append('\n');
        meta.put("history", h.toString());
        runInfo.forEach((k, v) -> meta.put(RUN + k, v));
        best.into(tensors, meta);
        if (at.step() > 0) {
            meta.put("step", Integer.toString(at.step()));
            meta.put("step_sums", at.lossSum() + "," + at.correct() + "," + at.samples());
        }
        try {
            Safetensors.write(path, tensors, meta);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + path + ": " + e.getMessage(), e);
        }
    }

    /** The run settings a checkpoint recorded ({@code run.<key>} metadata, keys without the prefix); empty if none. */
    public static Map<String, String> runInfo(Path path) {
        try (SafetensorsFile f = Safetensors.read(path)) {
            Map<String, String> info = new LinkedHashMap<>();
            f.metadata().forEach((k, v) -> {
                if (k.startsWith(RUN)) info.put(k.substring(RUN.length()), v);
            });
            return info;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + path + ": " + e.getMessage(), e);
        }
    }

    /** Where inside the next epoch a checkpoint stopped ({@link Position#START} for one written after an epoch). */
    static Position position(Path path) {
        try (SafetensorsFile f = Safetensors.read(path)) {
            Map<String, String> meta = f.metadata();
            if (!meta.containsKey("step")) return Position.START;
            String[] sums = meta.getOrDefault("step_sums", "").split(",");
            try {
                Position p = new Position(Integer.parseInt(meta.get("step")), Double.parseDouble(sums[0]), Long.parseLong(sums[1]),
                        Long.parseLong(sums[2]));
                if (p.step() < 1 || p.correct() < 0 || p.samples() < p.correct()) throw new NumberFormatException("out of range");
                return p;
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("checkpoint " + path + ": bad step metadata (step " + meta.get("step") + ", step_sums "
                        + meta.get("step_sums") + ")", e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + path + ": " + e.getMessage(), e);
        }
    }

    /** The best epoch's weights a checkpoint holds (an empty record when it holds none). */
    static BestWeights best(Path path) {
        try (SafetensorsFile f = Safetensors.read(path)) {
            Map<String, Tensor> best = new LinkedHashMap<>();
            for (String name : f.names()) if (name.startsWith(BestWeights.PREFIX)) best.put(name, f.tensor(name));
            return BestWeights.from(best, f.metadata(), path.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Restores model, optimizer, scheduler and the default random stream from {@code path}; a
     * checkpoint of another model fails listing every mismatched key. Returns the finished
     * epochs' metrics (their count is the epoch to continue after).
     */
    public static List<EpochMetrics> load(Path path, Module model, Optimizer<?> optimizer, LrScheduler scheduler) {
        try (SafetensorsFile f = Safetensors.read(path)) {
            Map<String, Tensor> modelState = new LinkedHashMap<>();
            Map<String, Tensor> all = new LinkedHashMap<>();
            for (String name : f.names()) {
                Tensor t = f.tensor(name);
                all.put(name, t);
                if (name.startsWith(MODEL)) modelState.put(name.substring(MODEL.length()), t);
            }
            Map<String, String> meta = f.metadata();
            if (!meta.containsKey("epoch")) {
                throw new IllegalArgumentException(path + " is not a Tersor training checkpoint (no 'epoch' in its metadata)");
            }
            try {
                model.loadStateDict(modelState, true);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("checkpoint " + path + " does not match the model: " + e.getMessage(), e);
            }
            optimizer.loadStateDict(OptimizerState.extract(OPTIMIZER, all, meta));
            if (scheduler != null) {
                Map<String, String> s = new LinkedHashMap<>();
                meta.forEach((k, v) -> {
                    if (k.startsWith(SCHEDULER)) s.put(k.substring(SCHEDULER.length()), v);
                });
                scheduler.loadStateDict(s);
            }
            String[] rng = meta.getOrDefault("rng", "").split(",");
            if (rng.length == 2) Rng.restore(Generator.restore(new long[] {Long.parseLong(rng[0]), Long.parseLong(rng[1])}));
            List<EpochMetrics> history = new ArrayList<>();
            for (String line : meta.getOrDefault("history", "").split("\n")) {
                if (!line.isBlank()) history.add(EpochMetrics.parseCsv(line));
            }
            int epoch = Integer.parseInt(meta.get("epoch"));
            if (history.size() != epoch) {
                throw new IllegalArgumentException("checkpoint " + path + " says epoch " + epoch + " but holds "
                        + history.size() + " epochs of history");
            }
            return history;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + path + ": " + e.getMessage(), e);
        }
    }
}
