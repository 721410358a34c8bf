package dev.tersor.compress.cluster;

import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.train.Trainer;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * Clustering-aware training with the straight-through estimator: the QAT of a DP-Net codebook.
 * Every forward of a chosen layer runs on its clustered weight q = c(w), each latent weight w
 * replaced by the nearest of its layer's k = 2^bits centres; the gradient taken at q is applied to
 * the latent weights (∂L/∂w := ∂L/∂q, as BinaryConnect and QAT do), so weights cross from one
 * cluster to another when the loss asks, which neither the regulariser ({@link ClusterRegularizer})
 * nor shared-centre fine-tuning can do. The centres are the optimal clustering
 * ({@link OptimalClustering}) of the latent weights, recomputed by {@link #update()} (each epoch
 * through {@link #everyEpoch()}); between updates only the assignments move.
 * <pre>{@code
 * StraightThroughClustering ste = StraightThroughClustering.attach(model, 3, List.of());
 * trainer.fit(train, val, Trainer.Options.epochs(3).onEpochStart(ste.everyEpoch()));
 * ste.close();                                   // weights stay at their clustered values
 * Clustering.apply(model, 3);                    // exact: ≤ k distinct values per layer, SSE 0
 * }</pre>
 * It works without touching the layers or the optimizer: a forward pre-hook on each layer first
 * adds whatever the optimizer changed since the last forward (q + Δ → w + Δ) to the latent weights,
 * then sets the parameter to the clustered c(w). Between forwards the parameter so holds q plus the
 * optimizer's update, and weight decay acts on q. Evaluation sees exactly the clustered model.
 * {@link #close()} absorbs the last update, leaves every layer at its clustered weight and removes
 * the hooks.
 */
public final class StraightThroughClustering implements AutoCloseable {
    private final List<Layer> layers = new ArrayList<>();
    private boolean closed;

    private StraightThroughClustering() {
    }

    /**
     * Starts clustered training of the layers at {@code paths} (every plain Conv2d and Linear layer
     * when empty) with {@code bits} (1..8) bits: clusters them now and hooks their forwards.
     *
     * @throws IllegalArgumentException for bits outside 1..8, an unknown path or a non-finite weight,
     *                                  naming it; nothing is hooked then
     */
    public static StraightThroughClustering attach(Module model, int bits, List<String> paths) {
        LayerPaths.clustersFor(bits);
        Map<String, Integer> plan = new LinkedHashMap<>();
        for (String p : LayerPaths.select(model, paths).keySet()) plan.put(p, bits);
        return attach(model, plan);
    }

    /**
     * The same with each layer's bits: {@code bits} maps dotted paths of plain Conv2d/Linear
     * layers to 1..8 (mixed precision), in the order given.
     */
    public static StraightThroughClustering attach(Module model, Map<String, Integer> bits) {
        if (bits.isEmpty()) throw new IllegalArgumentException("no layer to cluster: the map of layer bits is empty");
        StraightThroughClustering ste = new StraightThroughClustering();
        Map<String, Module> chosen = LayerPaths.select(model, new ArrayList<>(bits.keySet()));
        for (var e : chosen.entrySet()) {
            Integer b = bits.get(e.getKey());
            int k;
            try {
                if (b == null) throw new IllegalArgumentException("no bits given");
                k = LayerPaths.clustersFor(b);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("layer '" + e.getKey() + "': " + ex.getMessage(), ex);
            }
            ste.layers.add(new Layer(e.getKey(), e.getValue(), LayerPaths.weight(e.getValue()), k));
        }
        ste.update();
        for (Layer l : ste.layers) l.hook = l.module.registerForwardPreHook((m, x) -> {
            l.sync();
            return null;
        });
        return ste;
    }

    /**
     * Re-clusters every layer's latent weights optimally and snaps the layers to the new centres;
     * returns the total SSE Σ (w − c(w))² of the latent weights.
     */
    public double update() {
        if (closed) throw new IllegalStateException("straight-through clustering was closed");
        Clusters[] next = new Clusters[layers.size()];
        for (int i = 0; i < next.length; i++) {
            Layer l = layers.get(i);
            l.absorb();
            try {
                next[i] = OptimalClustering.cluster(l.latent, l.k);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer '" + l.path + "': " + e.getMessage(), e);
            }
        }
        double sse = 0;
        for (int i = 0; i < next.length; i++) {
            layers.get(i).centres = next[i].centres();
            layers.get(i).snap(false);
            sse += next[i].sse();
        }
        return sse;
    }

    /** A {@link Trainer} hook that calls {@link #update()} before each epoch and logs the SSE and how many weights changed cluster. */
    public Trainer.EpochStart everyEpoch() {
        return (epoch, epochs) -> {
            long moved = 0;
            for (Layer l : layers) moved += l.takeMoves();
            double sse = update();
            return String.format(Locale.ROOT, "straight-through clustering: centres updated, SSE %.5g, %d assignments changed since the last update",
                    sse, moved);
        };
    }

    /** The latent (unclustered) weights of the layer at {@code path}, a copy. */
    public float[] latent(String path) {
        for (Layer l : layers) {
            if (l.path.equals(path)) {
                l.absorb();
                return l.latent.clone();
            }
        }
        throw new IllegalArgumentException("unknown layer path '" + path + "'; clustered here: " + paths());
    }

    /** The layers' dotted paths. */
    public List<String> paths() {
        List<String> out = new ArrayList<>();
        for (Layer l : layers) out.add(l.path);
        return out;
    }

    /** Absorbs the last update, leaves each layer at its clustered weight (≤ 2^bits distinct values) and removes the hooks. */
    @Override
    public void close() {
        if (closed) return;
        for (Layer l : layers) {
            l.sync();
            l.hook.close();
        }
        closed = true;
    }

    /** One hooked layer: its latent weights and what the parameter was last set to. */
    private static final class Layer {
        final String path;
        final Module module;
        final Parameter weight;
        final int k;
        final float[] latent;
        float[] snapped, centres;
        int[] assigned;
        long moves;
        Module.HookHandle hook;

        Layer(String path, Module module, Parameter weight, int k) {
            this.path = path;
            this.k = k;
            this.module = module;
            this.weight = weight;
            this.latent = weight.value().toArray();
        }

        /** Adds the parameter's change since the last snap to the latent weights. */
        synchronized void absorb() {
            if (snapped == null) return;
            float[] now = weight.value().toArray();
            boolean changed = false;
            for (int i = 0; i < now.length; i++) {
                float d = now[i] - snapped[i];
                if (d != 0) {
                    latent[i] += d;
                    changed = true;
                }
            }
            if (changed) snapped = null;   // the parameter no longer holds the clustered weight
        }

        /** Absorbs, then sets the parameter to the clustered latent weights if it does not hold them. */
        synchronized void sync() {
            absorb();
            if (snapped == null) snap(true);
        }

        /** Sets the parameter to each latent weight's nearest centre, counting the changed assignments when {@code count}. */
        synchronized void snap(boolean count) {
            float[] q = new float[latent.length];
            int[] next = new int[latent.length];
            for (int i = 0; i < q.length; i++) {
                next[i] = KMeans.nearest(centres, latent[i]);
                q[i] = centres[next[i]];
                if (count && assigned != null && assigned[i] != next[i]) moves++;
            }
            assigned = next;
            snapped = q;
            weight.set(Tensor.fromArray(q.clone(), weight.shape()));
        }

        synchronized long takeMoves() {
            long m = moves;
            moves = 0;
            return m;
        }
    }
}
