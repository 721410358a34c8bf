package dev.tersor.nn.binary;

import dev.tersor.nn.Module;
import dev.tersor.nn.train.Trainer;
import java.util.LinkedHashMap;
import java.util.Locale;
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
 * With {@link Trainer}, pass {@link #epochStart} as its epoch hook.
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
     * {@link #startEpoch} as a trainer hook, logging the flipped-sign fraction of each RBNN layer.
     * A model without binary layers makes it a no-op, so a command line can pass it for any model.
     * <pre>{@code
     * trainer.fit(train, test, Trainer.Options.epochs(10).onEpochStart(BinaryTraining.epochStart(model)));
     * }</pre>
     */
    public static Trainer.EpochStart epochStart(Module model) {
        return new Trainer.EpochStart() {
            @Override
            public String starting(int epoch, int epochs) {
                Map<String, Double> flips = startEpoch(model, epoch - 1, epochs);
                if (flips.isEmpty()) return null;
                StringBuilder sb = new StringBuilder("flipped weight signs");
                flips.forEach((name, f) -> sb.append(String.format(Locale.ROOT, " %s %.1f%%", name, 100 * f)));
                return sb.toString();
            }

            /** Inside an epoch the rotation was already updated (the checkpoint holds it): only the schedules are set again. */
            @Override
            public String resumed(int epoch, int epochs) {
                for (Module m : model.namedModules().values()) if (m instanceof BinaryLayer layer) layer.setSchedule(epoch - 1, epochs);
                return null;
            }
        };
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
