package dev.tersor.nn;

import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * Batch normalisation over every axis but the channel axis 1, shared by {@link BatchNorm1d} and
 * {@link BatchNorm2d}. Training: {@code y = (x − mean_B)/√(var_B + eps)·γ + β} with batch
 * statistics, and running statistics updated as
 * {@code running = (1 − momentum)·running + momentum·batch} (unbiased variance), or as a
 * cumulative average when momentum is null. Eval: the running statistics.
 */
abstract class BatchNormBase extends Module {
    final int channels;
    final float eps;
    final Float momentum;
    private final Parameter weight, bias;
    private final boolean trackRunningStats;

    BatchNormBase(int channels, float eps, Float momentum, boolean affine, boolean trackRunningStats) {
        if (channels <= 0) throw new IllegalArgumentException(getClass().getSimpleName() + ": channels must be positive, got " + channels);
        if (!(eps > 0f)) throw new IllegalArgumentException(getClass().getSimpleName() + ": eps must be positive, got " + eps);
        if (momentum != null && !(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": momentum must be in [0, 1], got " + momentum);
        }
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        this.trackRunningStats = trackRunningStats;
        this.weight = affine ? registerParameter("weight", Tensor.ones(channels)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(channels)) : null;
        if (trackRunningStats) {
            registerBuffer("running_mean", Tensor.zeros(channels), true);
            registerBuffer("running_var", Tensor.ones(channels), true);
            registerBuffer("num_batches_tracked", Tensor.scalar(0f), true);
        }
    }

    /** Throws unless {@code x} has an accepted rank and {@code channels} on axis 1. */
    abstract void checkInput(Tensor x);

    /** Channels C (the size of axis 1). */
    public int channels() {
        return channels;
    }

    /** The running-statistics momentum, or null for a cumulative average. */
    public Float momentum() {
        return momentum;
    }

    /** Whether running statistics are tracked (and used in eval mode). */
    public boolean tracksRunningStats() {
        return trackRunningStats;
    }

    /** The ε added to the variance. */
    public float eps() {
        return eps;
    }

    /** γ [C], or null without affine. */
    public Parameter weight() {
        return weight;
    }

    /** β [C], or null without affine. */
    public Parameter bias() {
        return bias;
    }

    /** The running mean [C], or null when statistics are not tracked. */
    public Tensor runningMean() {
        return trackRunningStats ? buffer("running_mean") : null;
    }

    /** The running (unbiased) variance [C], or null when statistics are not tracked. */
    public Tensor runningVar() {
        return trackRunningStats ? buffer("running_var") : null;
    }

    @Override
    protected boolean isOptionalStateKey(String localName) {
        return localName.equals("num_batches_tracked");
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        boolean useBatchStats = isTraining() || !trackRunningStats;
        float factor = 0f;
        if (isTraining() && trackRunningStats) {
            Tensor tracked = buffer("num_batches_tracked");
            try (var g = Tensor.noGrad()) {
                tracked.fillInPlace(tracked.item() + 1f);
            }
            factor = momentum != null ? momentum : 1f / tracked.item();
        }
        boolean update = isTraining() && trackRunningStats;
        return Functional.batchNorm(x, weight == null ? null : weight.value(), bias == null ? null : bias.value(),
                update || !useBatchStats ? runningMean() : null, update || !useBatchStats ? runningVar() : null,
                useBatchStats, factor, eps);
    }

    static void requireChannels(String layer, Tensor x, int channels, int... ranks) {
        boolean rankOk = false;
        for (int r : ranks) rankOk |= x.dim() == r;
        if (!rankOk || x.size(1) != channels) {
            throw new IllegalArgumentException(layer + ": expected input of rank " + Arrays.toString(ranks) + " with "
                    + channels + " channels on axis 1, got " + Arrays.toString(x.shape()));
        }
    }

    @Override
    protected String extraRepr() {
        return channels + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + (weight != null)
                + ", track_running_stats=" + trackRunningStats;
    }
}
