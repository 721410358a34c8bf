package dev.tersor.compress.sparse;

import dev.tersor.compress.prune.AgpSchedule;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.train.Trainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Unstructured magnitude pruning of a model's Conv2d/Linear weights, held during fine-tuning:
 * {@link #attach} swaps the chosen layers for {@link MaskedConv2d}/{@link MaskedLinear} (every
 * weight kept), {@link #prune} sets the masks to a sparsity ({@link MagnitudePruning}, global or
 * per layer; masks only shrink), and {@link #agp} prunes gradually during training
 * ({@link AgpSchedule}, the mask recomputed at its pruning steps).
 * <pre>{@code
 * Sparsifier s = Sparsifier.attach(model, new SparsifyConfig(0.9, PruningScope.GLOBAL, List.of(), true));
 * s.prune(0.9);                                          // one shot ...
 * Trainer.EpochStart hook = s.agp(AgpSchedule.until(0, 0.9, steps * 3 / 4, 50), stepsPerEpoch);   // ... or gradual
 * // train; then SparseConversion.convert(model, sample, SpeedCheck.measured()) makes the inference layers
 * }</pre>
 */
public final class Sparsifier {
    private final Module model;
    private final SparsifyConfig config;
    private final Map<String, MaskedLayer> layers;
    private long step;
    private Module.HookHandle stepHook;

    private Sparsifier(Module model, SparsifyConfig config, Map<String, MaskedLayer> layers) {
        this.model = model;
        this.config = config;
        this.layers = layers;
    }

    /**
     * Replaces the layers {@code config} chooses by masked ones, in place.
     *
     * @throws IllegalArgumentException naming an unknown path, a layer that is not a Conv2d/Linear, or an empty choice
     */
    public static Sparsifier attach(Module model, SparsifyConfig config) {
        Map<String, Module> chosen = choose(model, config);
        Map<String, MaskedLayer> masked = new LinkedHashMap<>();
        for (var e : chosen.entrySet()) {
            MaskedLayer m = e.getValue() instanceof Conv2d c ? new MaskedConv2d(c) : new MaskedLinear((Linear) e.getValue());
            masked.put(e.getKey(), m);
        }
        masked.forEach((p, m) -> model.replace(p, (Module) m));
        return new Sparsifier(model, config, masked);
    }

    /** The Conv2d/Linear layers {@code config} names (all when empty), without the first and last when asked. */
    static Map<String, Module> choose(Module model, SparsifyConfig config) {
        Map<String, Module> all = model.namedModules();
        List<String> eligible = new ArrayList<>();
        for (var e : all.entrySet()) {
            if (!e.getKey().isEmpty() && prunable(e.getValue())) eligible.add(e.getKey());
        }
        List<String> paths = new ArrayList<>();
        if (config.layers().isEmpty()) {
            paths.addAll(eligible);
        } else {
            for (String p : config.layers()) {
                Module m = all.get(p);
                if (m == null || p.isEmpty()) throw new IllegalArgumentException("unknown layer path '" + p + "'; Conv2d and Linear layers are " + eligible);
                if (!prunable(m)) {
                    throw new IllegalArgumentException("layer '" + p + "' is a " + m.getClass().getSimpleName()
                            + ", not a Conv2d or Linear layer; those are " + eligible);
                }
                if (paths.contains(p)) throw new IllegalArgumentException("layer '" + p + "' is named twice");
                paths.add(p);
            }
        }
        if (config.keepFirstLast() && !eligible.isEmpty()) {
            paths.remove(eligible.get(0));
            paths.remove(eligible.get(eligible.size() - 1));
        }
        if (paths.isEmpty()) throw new IllegalArgumentException("no Conv2d or Linear layer left to prune (of " + eligible + ")");
        Map<String, Module> out = new LinkedHashMap<>();
        for (String p : paths) out.put(p, all.get(p));
        return out;
    }

    private static boolean prunable(Module m) {
        return m.getClass() == Conv2d.class || m.getClass() == Linear.class;
    }

    /** The masked layers by path, in model order. */
    public Map<String, MaskedLayer> layers() {
        return java.util.Collections.unmodifiableMap(layers);
    }

    /** The settings. */
    public SparsifyConfig config() {
        return config;
    }

    /**
     * Recomputes every mask for {@code sparsity} with the configured scope, among the weights
     * still kept, and zeroes the pruned weights. Returns the fraction of pruned weights.
     */
    public double prune(double sparsity) {
        List<float[]> w = new ArrayList<>();
        List<boolean[]> alive = new ArrayList<>();
        for (MaskedLayer l : layers.values()) {
            w.add(l.weight().value().contiguous().toArray());
            alive.add(l.keep());
        }
        List<boolean[]> keep = MagnitudePruning.select(w, alive, sparsity, config.scope());
        int i = 0;
        for (MaskedLayer l : layers.values()) l.setMask(keep.get(i++));
        return sparsity();
    }

    /** The fraction of pruned weights over all masked layers. */
    public double sparsity() {
        long n = 0, pruned = 0;
        for (MaskedLayer l : layers.values()) {
            for (boolean k : l.keep()) {
                n++;
                if (!k) pruned++;
            }
        }
        return n == 0 ? 0 : (double) pruned / n;
    }

    /**
     * Gradual pruning during training: installs a forward pre-hook on the model that, on each
     * training-mode forward (one per optimizer step), prunes to {@code schedule.sparsityAt(t)}
     * when {@code t} is a pruning step; returns the {@link Trainer.EpochStart} hook that sets
     * {@code t = (epoch − 1)·stepsPerEpoch} (so a resumed run continues the schedule) and logs
     * the sparsity. Replaces an earlier schedule's hook.
     */
    public Trainer.EpochStart agp(AgpSchedule schedule, int stepsPerEpoch) {
        if (stepsPerEpoch < 1) throw new IllegalArgumentException("steps per epoch must be >= 1, got " + stepsPerEpoch);
        if (stepHook != null) stepHook.close();
        stepHook = model.registerForwardPreHook((m, x) -> {
            if (m.isTraining()) {
                if (schedule.isPruningStep(step)) prune(schedule.sparsityAt(step));
                step++;
            }
            return null;
        });
        return (epoch, epochs) -> {
            step = (long) (epoch - 1) * stepsPerEpoch;
            return String.format(Locale.ROOT, "sparsity %.1f%% (AGP target %.1f%% at step %d)", 100 * sparsity(),
                    100 * schedule.sparsityAt(step), step);
        };
    }

    /** Removes the gradual-pruning hook (the masks stay). */
    public void stopSchedule() {
        if (stepHook != null) stepHook.close();
        stepHook = null;
    }
}
