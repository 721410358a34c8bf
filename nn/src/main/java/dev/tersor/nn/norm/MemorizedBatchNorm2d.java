package dev.tersor.nn.norm;

import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.optim.Optimizer;
import dev.tersor.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Memorized batch normalisation (Guo et al., "Double Forward Propagation for Memorized Batch
 * Normalization", AAAI 2018): batch normalisation of [N, C, H, W] whose training statistics pool
 * the current batch with the {@code m − 1} batches before it. A drop-in for {@link BatchNorm2d}
 * (it is one): same parameters and buffers ({@code weight}, {@code bias}, {@code running_mean},
 * {@code running_var}, {@code num_batches_tracked}), same eval behaviour.
 *
 * <p>Training, with the current batch's per-channel mean μ₀, biased variance σ₀² and count n₀
 * (values per channel), and the remembered batches i = 1..k (k ≤ m − 1, newest first):
 * <pre>
 *   w_i = n_i·λ^i / Σ_j n_j·λ^j            (i = 0..k; λ = decay, 1 by default)
 *   μ   = Σ_i w_i·μ_i
 *   σ²  = Σ_i w_i·(σ_i² + (μ_i − μ)²)       (law of total variance)
 *   y   = (x − μ)/√(σ² + eps)·γ + β
 * </pre>
 * With λ = 1 these are exactly the mean and biased variance of all remembered values pooled
 * into one batch. μ₀ and σ₀² carry gradients; remembered statistics are detached constants.
 * With no remembered batch (m = 1, or the first step) the layer computes exactly what
 * BatchNorm2d computes, op for op. The running statistics are updated once per step from the
 * pooled ones: {@code running = (1 − momentum)·running + momentum·pooled}, the variance
 * unbiased by {@code M/(M − 1)} with M = Σ n_i; with momentum 1 eval uses the last pooled
 * statistics, the paper's train/inference-consistent rule. The memory is transient: it is not
 * in the state dict and starts empty after loading.
 *
 * <p>Double-Forward (the paper's fix for the distribution shift that a weight update causes in
 * the statistics it just remembered): after the optimizer step, forward the same batch again
 * with {@link #refresh}; every MemorizedBatchNorm2d recomputes that batch's statistics with the
 * updated weights and overwrites the entry the first forward remembered (no graph, running
 * statistics untouched). One step:
 * <pre>{@code
 * Tensor loss = lossFn.apply(model.call(x));   // forward 1: normalise with memory ∪ batch, remember the batch
 * loss.backward();
 * opt.step();
 * opt.zeroGrad();
 * MemorizedBatchNorm2d.refresh(model, x);      // forward 2: re-remember the batch under the new weights
 * }</pre>
 * or {@link #doubleForwardStep}. Without the second forward the layer is plain MBN. Other layers
 * with state run twice too (a plain BatchNorm2d updates its running statistics again, dropout
 * draws again): use MBN for every batch norm of a model trained this way.
 */
public class MemorizedBatchNorm2d extends BatchNorm2d {
    private final int channels, memory;
    private final float decay, eps;
    private final Float momentum;
    private final boolean trackRunningStats;
    private final ArrayDeque<Stats> past = new ArrayDeque<>();   // newest first, at most memory − 1
    private boolean refreshing;
    private Tensor pooledMean, pooledVar;

    /** Detached statistics of one batch: mean and biased variance [C], values per channel. */
    private record Stats(Tensor mean, Tensor var, int count) {
    }

    /** Memory of {@code memory} batches (the current one included), decay 1, and BatchNorm2d's defaults. */
    public MemorizedBatchNorm2d(int channels, int memory) {
        this(channels, memory, 1f, 1e-5f, 0.1f, true, true);
    }

    /**
     * Full control: {@code memory} m ≥ 1 batches pooled (m = 1 is BatchNorm2d), {@code decay}
     * λ ∈ (0, 1] down-weighting older batches, and BatchNorm2d's eps, momentum (null: cumulative
     * average), affine and running-statistics flags.
     */
    public MemorizedBatchNorm2d(int channels, int memory, float decay, float eps, Float momentum, boolean affine,
                                boolean trackRunningStats) {
        super(channels, eps, momentum, affine, trackRunningStats);
        if (memory < 1) throw new IllegalArgumentException("MemorizedBatchNorm2d: memory must be >= 1 batch, got " + memory);
        if (!(decay > 0f && decay <= 1f)) throw new IllegalArgumentException("MemorizedBatchNorm2d: decay must be in (0, 1], got " + decay);
        this.channels = channels;
        this.memory = memory;
        this.decay = decay;
        this.eps = eps;
        this.momentum = momentum;
        this.trackRunningStats = trackRunningStats;
    }

    /** Batches pooled, the current one included. */
    public int memory() {
        return memory;
    }

    /** λ, the per-batch weight decay with age. */
    public float decay() {
        return decay;
    }

    /** Number of batches remembered now (at most memory − 1). */
    public int remembered() {
        return past.size();
    }

    /** Forgets every remembered batch (e.g. between training phases). */
    public void forget() {
        past.clear();
    }

    /** The pooled mean [C] the last training forward normalised with (detached), or null before one. */
    public Tensor pooledMean() {
        return pooledMean;
    }

    /** The pooled biased variance [C] the last training forward normalised with (detached), or null before one. */
    public Tensor pooledVar() {
        return pooledVar;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != channels) {
            throw new IllegalArgumentException("MemorizedBatchNorm2d: expected input [N, " + channels + ", H, W]"
                    + ", got " + Arrays.toString(x.shape()));
        }
        if (!isTraining()) return super.forward(x);
        int[] axes = {0, 2, 3}, cshape = {1, channels, 1, 1};
        int count = x.numel() / channels;
        Tensor mean0 = x.mean(axes, true);
        Tensor centred = x.sub(mean0);
        Tensor var0 = centred.mul(centred).mean(axes, true);
        List<Stats> used = new ArrayList<>(past);
        if (refreshing && !used.isEmpty()) used.remove(0);   // the entry forward 1 made for this very batch
        Tensor mu, var, y;
        int total = count;
        if (used.isEmpty()) {
            mu = mean0;
            var = var0;
            y = centred.mul(var0.add(eps).pow(-0.5f));
        } else {
            double[] w = new double[used.size() + 1];
            w[0] = count;
            double a = 1, sum = count;
            for (int i = 0; i < used.size(); i++) {
                a *= decay;
                w[i + 1] = used.get(i).count() * a;
                sum += w[i + 1];
                total += used.get(i).count();
            }
            float w0 = (float) (w[0] / sum);
            Tensor pastMean = Tensor.zeros(cshape);   // Σ_{i≥1} w_i μ_i, a constant
            try (var g = Tensor.noGrad()) {
                for (int i = 0; i < used.size(); i++) pastMean = pastMean.add(used.get(i).mean().reshape(cshape).mul((float) (w[i + 1] / sum)));
            }
            mu = mean0.mul(w0).add(pastMean);
            Tensor d0 = mean0.sub(mu);
            var = var0.add(d0.mul(d0)).mul(w0);
            for (int i = 0; i < used.size(); i++) {
                Stats s = used.get(i);
                Tensor di = s.mean().reshape(cshape).sub(mu);
                var = var.add(s.var().reshape(cshape).add(di.mul(di)).mul((float) (w[i + 1] / sum)));
            }
            y = x.sub(mu).mul(var.add(eps).pow(-0.5f));
        }
        Stats current;
        try (var g = Tensor.noGrad()) {
            current = new Stats(mean0.detach().reshape(channels).copy(), var0.detach().reshape(channels).copy(), count);
            pooledMean = mu.detach().reshape(channels).copy();
            pooledVar = var.detach().reshape(channels).copy();
        }
        if (trackRunningStats && !refreshing) updateRunning(mu, var, count, total);
        remember(current);
        if (weight() != null) y = y.mul(weight().value().reshape(cshape)).add(bias().value().reshape(cshape));
        return y;
    }

    private void remember(Stats current) {
        if (refreshing && !past.isEmpty()) past.removeFirst();
        if (memory > 1) past.addFirst(current);
        while (past.size() > memory - 1) past.removeLast();
    }

    /** BatchNorm2d's running update (same ops, so m = 1 matches it bit for bit), from the pooled statistics. */
    private void updateRunning(Tensor mu, Tensor var, int count, int total) {
        if (count <= 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected more than 1 value per channel"
                    + " when training, got input with " + count);
        }
        try (var g = Tensor.noGrad()) {
            Tensor tracked = buffer("num_batches_tracked");
            tracked.fillInPlace(tracked.item() + 1f);
            float f = momentum != null ? momentum : 1f / tracked.item();
            Tensor mean = mu.reshape(channels);
            Tensor unbiased = var.reshape(channels).mul((float) total / (total - 1));
            runningMean().mulInPlace(1f - f).addInPlace(mean, f);
            runningVar().mulInPlace(1f - f).addInPlace(unbiased, f);
        }
    }

    // ---- Double-Forward ----

    /**
     * The second forward of the Double-Forward scheme: runs {@code model} on {@code x} without
     * recording a graph while every MemorizedBatchNorm2d in it replaces the statistics it
     * remembered for this batch (in the first forward, before the weight update) with the
     * statistics under the current weights. Running statistics are not updated. The model must
     * be in training mode. Returns the number of layers refreshed.
     */
    public static int refresh(Module model, Tensor x) {
        List<MemorizedBatchNorm2d> layers = new ArrayList<>();
        for (Module m : model.namedModules().values()) if (m instanceof MemorizedBatchNorm2d b) layers.add(b);
        for (MemorizedBatchNorm2d b : layers) {
            if (!b.isTraining()) throw new IllegalStateException("MemorizedBatchNorm2d.refresh: the model must be in training mode");
        }
        layers.forEach(b -> b.refreshing = true);
        try (var g = Tensor.noGrad()) {
            model.call(x);
        } finally {
            layers.forEach(b -> b.refreshing = false);
        }
        return layers.size();
    }

    /**
     * One Double-Forward training step: forward and loss, backward, {@code opt.step()},
     * {@code opt.zeroGrad()}, then {@link #refresh}. Returns the (detached) loss of the first
     * forward.
     */
    public static Tensor doubleForwardStep(Module model, Tensor x, Function<Tensor, Tensor> loss, Optimizer<?> opt) {
        Tensor l = loss.apply(model.call(x));
        l.backward();
        opt.step();
        opt.zeroGrad();
        refresh(model, x);
        return l.detach();
    }

    /** Every remembered batch's statistics, newest first, as [mean [C], biased var [C]] pairs (for inspection). */
    public List<Tensor[]> rememberedStatistics() {
        List<Tensor[]> out = new ArrayList<>();
        for (Stats s : past) out.add(new Tensor[] {s.mean(), s.var()});
        return out;
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + ", memory=" + memory + ", decay=" + decay;
    }
}
