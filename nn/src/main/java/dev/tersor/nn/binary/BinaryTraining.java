package dev.tersor.nn.binary;

import dev.tersor.nn.Module;
import dev.tersor.nn.data.DataLoader;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-epoch bookkeeping for every binary layer of a model: RBNN's t/k schedule and bi-rotation
 * update, and the flip fractions it reports.
 * <pre>{@code
 * for (int e = 0; e < epochs; e++) {
 *     Map<String, Double> flips = BinaryTraining.startEpoch(model, e, epochs);   // before the epoch's first batch
 *     ... train one epoch ...
 * }
 * }</pre>
 * With {@link dev.tersor.nn.train.Trainer}, which has no epoch callback, {@link #attach} does the
 * same from a forward pre-hook that watches the training loader's epoch.
 */
public final class BinaryTraining {
    private BinaryTraining() {
    }

    /**
     * Calls {@link BinaryConv2d#startEpoch} on every binary layer; returns the flip fraction of each
     * layer with rotation by its dotted path (empty without RBNN layers).
     */
    public static Map<String, Double> startEpoch(Module model, int epoch, int epochs) {
        Map<String, Double> flips = new LinkedHashMap<>();
        for (var e : model.namedModules().entrySet()) {
            if (e.getValue() instanceof BinaryLayer layer) {
                layer.startEpoch(epoch, epochs);
                if (layer.binaryOptions().rotation()) flips.put(e.getKey(), layer.flipFraction());
            }
        }
        return flips;
    }

    /**
     * Runs {@link #startEpoch} automatically: before the first training-mode forward of each new
     * epoch of {@code train} ({@link DataLoader#epoch()}, which the trainer sets), with
     * {@code epochs} the total. Close the handle to stop.
     * <pre>{@code
     * try (var h = BinaryTraining.attach(model, trainLoader, epochs)) {
     *     new Trainer(model, optimizer, scheduler, Losses::crossEntropy).fit(trainLoader, testLoader, options);
     * }
     * }</pre>
     */
    public static Module.HookHandle attach(Module model, DataLoader train, int epochs) {
        if (epochs < 1) throw new IllegalArgumentException("BinaryTraining.attach: epochs must be >= 1, got " + epochs);
        int[] last = {-1};
        return model.registerForwardPreHook((m, in) -> {
            if (m.isTraining() && train.epoch() != last[0]) {
                last[0] = train.epoch();
                startEpoch(m, Math.min(last[0], epochs - 1), epochs);
            }
            return null;
        });
    }

    /** The mean flip fraction over the model's rotated layers, weighted by their weight counts (NaN if none). */
    public static double meanFlipFraction(Module model) {
        double sum = 0;
        long n = 0;
        for (Module m : model.namedModules().values()) {
            if (m instanceof BinaryLayer layer && layer.binaryOptions().rotation() && !Double.isNaN(layer.flipFraction())) {
                sum += layer.flipFraction() * layer.weight().numel();
                n += layer.weight().numel();
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
