package dev.tersor.compress.slb;

import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.Rng;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * An SLB layer ({@link SlbConv2d} or {@link SlbLinear}) (Yang et al., "Searching for Low-Bit Weights
 * in Quantized Neural Networks", NeurIPS 2020, §3): each weight holds logits over the n = 2^b
 * values v of its grid, and
 * <pre>
 * training   W = Σ_i softmax(A·T)_i · v_i        A [..., n] (the weight's shape, then n), v = α·unit grid
 * discrete   W = v[argmax_i A_i]                 (eval mode, and training once the schedule ends)
 * ∂W/∂A_i = T · p_i · (v_i − W)                  (ordinary autograd through softmax, mul, sum)
 * </pre>
 * Logits start as {@link SlbInit} says (random as the official code, drawn from
 * {@link Rng#global()}, or from the float weights). State-dict names:
 * {@code logits}, {@code bias}, buffer {@code grid} (the n values, α included).
 */
public abstract sealed class SlbLayer extends Module permits SlbConv2d, SlbLinear {
    final int[] weightShape;
    final int out, fanIn, bits;
    private final Parameter logits, bias;
    private final SlbSchedule schedule;
    private double temperature;
    private boolean discrete;

    SlbLayer(int[] weightShape, Tensor floatWeight, Tensor floatBias, SlbConfig config) {
        this.weightShape = weightShape.clone();
        this.out = weightShape[0];
        this.fanIn = Arrays.stream(weightShape).reduce(1, (a, b) -> a * b) / out;
        this.bits = config.bits();
        float alpha = 1f;
        if (config.scale() == SlbScale.MAX_ABS) {
            try (var g = Tensor.noGrad()) {
                alpha = floatWeight.abs().max().item();
            }
            if (!(alpha > 0) || !Float.isFinite(alpha)) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": scale MAX_ABS needs a finite, non-zero float weight, got max |W| = " + alpha);
            }
        }
        float[] unit = config.unitGrid();
        float[] grid = new float[unit.length];
        for (int i = 0; i < unit.length; i++) grid[i] = unit[i] * alpha;
        int n = grid.length;
        int[] logitShape = Arrays.copyOf(weightShape, weightShape.length + 1);
        logitShape[weightShape.length] = n;
        int fanOut = logitShape[0];
        for (int d = 2; d < logitShape.length; d++) fanOut *= logitShape[d];
        Tensor a = config.init() == SlbInit.RANDOM ? Tensor.randn(Rng.global(), logitShape).mul((float) Math.sqrt(2.0 / fanOut))
                : nearestLogits(floatWeight, unit, alpha, logitShape);
        this.logits = registerParameter("logits", a.contiguous());
        this.bias = floatBias == null ? null : registerParameter("bias", floatBias.detach().copy());
        registerBuffer("grid", Tensor.fromArray(grid, n), true);
        this.schedule = config.schedule();
        this.temperature = schedule.initial();
    }

    /** {@code A_i = −((W/α − u_i)/δ)²}, δ the unit grid's step ({@link SlbInit#FROM_WEIGHTS}). */
    private static Tensor nearestLogits(Tensor floatWeight, float[] unit, float alpha, int[] logitShape) {
        float[] w = floatWeight.contiguous().toArray();
        int n = unit.length;
        double step = 2.0 / (n - 1);
        float[] a = new float[w.length * n];
        for (int k = 0; k < w.length; k++) {
            for (int i = 0; i < n; i++) {
                double d = (w[k] / alpha - unit[i]) / step;
                a[k * n + i] = (float) (-d * d);
            }
        }
        return Tensor.fromArray(a, logitShape);
    }

    /** The logits A [weight shape..., 2^b]. */
    public Parameter logits() {
        return logits;
    }

    /** The bias (copied from the float layer), or null. */
    public Parameter bias() {
        return bias;
    }

    /** The bit width b. */
    public int bits() {
        return bits;
    }

    /** The 2^b values a weight can take, ascending: the unit grid times α (the {@code grid} buffer, so a loaded state dict counts). */
    public float[] grid() {
        return buffer("grid").toArray();
    }

    /** α, the factor of the unit grid (its largest value). */
    public float scale() {
        float[] g = grid();
        return g[g.length - 1];
    }

    /** The temperature schedule this layer was made with. */
    public SlbSchedule schedule() {
        return schedule;
    }

    /** The temperature T of the softmax. */
    public double temperature() {
        return temperature;
    }

    /** Sets T (> 0). */
    public void setTemperature(double t) {
        if (!(t > 0) || Double.isInfinite(t)) throw new IllegalArgumentException(getClass().getSimpleName() + ": temperature must be positive and finite, got " + t);
        this.temperature = t;
    }

    /** Whether the training forward uses the discrete (argmax) weights. */
    public boolean isDiscrete() {
        return discrete;
    }

    /** Makes the training forward use the argmax weights (no gradient to the logits), or the relaxation again. */
    public void setDiscrete(boolean on) {
        this.discrete = on;
    }

    /** {@code Σ_i softmax(A·T)_i · v_i}, with graph: the weight [weight shape] the training forward uses. */
    public Tensor relaxedWeight() {
        Tensor p = logits.value().mul((float) temperature).softmax(-1);
        return p.mul(buffer("grid")).sum(new int[] {weightShape.length}, false);
    }

    /** The index into {@link #grid()} of each weight, {@code argmax_i A_i} (first maximum on ties): [weight shape]. */
    public IntTensor indices() {
        try (var g = Tensor.noGrad()) {
            return logits.value().argmax(-1, false);
        }
    }

    /** {@code grid[indices]}: the discrete weight [weight shape], without graph. */
    public Tensor discreteWeight() {
        int[] idx = indices().toArray();
        float[] grid = grid();
        float[] w = new float[idx.length];
        for (int i = 0; i < idx.length; i++) w[i] = grid[idx[i]];
        return Tensor.fromArray(w, weightShape.clone());
    }

    /** The relaxed weight in training (until {@link #setDiscrete}), the discrete one otherwise. */
    Tensor forwardWeight() {
        return isTraining() && !discrete ? relaxedWeight() : discreteWeight();
    }

    Tensor biasValue() {
        return bias == null ? null : bias.value();
    }

    @Override
    public long multiplyAccumulates(Tensor input, Tensor output) {
        return (long) output.numel() * fanIn;
    }

    String slbRepr() {
        return "bits=" + bits + ", scale=" + scale() + ", T=" + (float) temperature + (discrete ? ", discrete" : "");
    }
}
