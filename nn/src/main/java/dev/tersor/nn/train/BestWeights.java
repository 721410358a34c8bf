package dev.tersor.nn.train;

import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The weights of the epoch with the best validation accuracy so far (the first of equals), for
 * {@link Trainer.Options#keepBest}: a copy of the model's state dict, kept in memory and in each
 * checkpoint (tensors {@code best.<key>}, metadata {@code best_epoch}, {@code best_accuracy}) so
 * a resumed run still ends with them.
 */
final class BestWeights {
    static final String PREFIX = "best.";
    private int epoch;
    private double accuracy = Double.NEGATIVE_INFINITY;
    private Map<String, Tensor> state;

    /** Keeps a copy of {@code model}'s state when {@code accuracy} beats the best so far; true if it did. */
    boolean offer(int epoch, double accuracy, Module model) {
        if (!(accuracy > this.accuracy)) return false;
        Map<String, Tensor> copy = new LinkedHashMap<>();
        for (var e : model.stateDict().entrySet()) copy.put(e.getKey(), e.getValue().detach().copy());   // own storage, outside any graph
        this.epoch = epoch;
        this.accuracy = accuracy;
        this.state = copy;
        return true;
    }

    /** The epoch of the kept weights, 0 before any. */
    int epoch() {
        return epoch;
    }

    /** Their validation accuracy. */
    double accuracy() {
        return accuracy;
    }

    /** Loads the kept weights into {@code model}; nothing kept is an error. */
    void restore(Module model) {
        if (state == null) throw new IllegalStateException("no best weights kept yet");
        model.loadStateDict(state, true);
    }

    /** Adds the kept weights to a checkpoint's tensors and metadata (nothing before any). */
    void into(Map<String, Tensor> tensors, Map<String, String> meta) {
        if (state == null) return;
        state.forEach((k, v) -> tensors.put(PREFIX + k, v));
        meta.put("best_epoch", Integer.toString(epoch));
        meta.put("best_accuracy", Double.toString(accuracy));
    }

    /** The kept weights a checkpoint holds ({@code all}: its tensors by name), or an empty record when it holds none. */
    static BestWeights from(Map<String, Tensor> all, Map<String, String> meta, String source) {
        BestWeights b = new BestWeights();
        if (!meta.containsKey("best_epoch")) return b;
        Map<String, Tensor> state = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(PREFIX)) state.put(k.substring(PREFIX.length()), v);
        });
        try {
            b.epoch = Integer.parseInt(meta.get("best_epoch"));
            b.accuracy = Double.parseDouble(meta.getOrDefault("best_accuracy", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("checkpoint " + source + ": bad best_epoch/best_accuracy metadata", e);
        }
        if (state.isEmpty()) throw new IllegalArgumentException("checkpoint " + source + " names best epoch " + b.epoch + " but holds no best.* tensors");
        b.state = state;
        return b;
    }
}
