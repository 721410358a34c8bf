package dev.tersor.compress.abs;

import dev.tersor.compress.quant.QParams;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A super-bit quantizer (ABS, Liu et al., arXiv 2101.04935): one tensor quantized on every
 * candidate bit width at once, {@code x̂ = α·Σ_j G_j·δ_j/M_j} ({@link SuperBitQuantize},
 * {@link NestedGrid}), with learned binary gates choosing how many offsets count:
 * <pre>
 * g_0 = 1,  g_j = 1[θ_{j−1} > 0]                 layer gates: the bit width is b_J, J = the last j with g_0..g_j = 1
 * c_k = 1[z_k > t],  z_k = (‖w_k‖ − mean)/std     filter-wise 0-bit gate (weights with pruning only; norms over filters k)
 * </pre>
 * θ [m−1] (parameter {@code theta}, starting at {@value #GATE_INIT}: every candidate on, the
 * search starts from the highest bit width) learns through the plain straight-through gate, the
 * threshold t [1] (parameter {@code threshold}, starting at {@value #THRESHOLD_INIT} standard
 * deviations below the mean filter norm) through the sigmoid-slope one ({@link HardGate}: the
 * gradient of the relaxed keep fraction, so t moves slowly while no filter is near it); the clip
 * α (parameter {@code alpha}, [1] or one per output channel) through the LSQ-style step gradient.
 * The filter norms are read from the weights without gradient; the largest filter is never
 * pruned, so a layer cannot vanish. The standardised norm criterion of the 0-bit gate is this
 * implementation's choice.
 * <p>
 * Weights use a signed grid; activations an unsigned grid, or a signed one if the first batch has a
 * negative value (buffer {@code signed}). α starts at {@code max|x|} of the weights (per channel or
 * per tensor) or of the first batch.
 */
public final class SuperBitQuantizer extends Module {
    /** The initial gate logit θ. */
    public static final float GATE_INIT = 1f;
    /** The initial 0-bit threshold t, in standard deviations of the filter norms around their mean. */
    public static final float THRESHOLD_INIT = -3f;
    private static final float KEEP = 1e30f;
    private final List<Integer> bits;
    private final boolean weights, prune;
    private final Parameter alpha, theta, threshold;

    private SuperBitQuantizer(List<Integer> bits, boolean weights, int alphas, boolean prune) {
        this.bits = List.copyOf(bits);
        new NestedGrid(this.bits, true);   // validates the candidates
        this.weights = weights;
        this.prune = prune;
        this.alpha = registerParameter("alpha", Tensor.ones(alphas));
        this.theta = bits.size() > 1 ? registerParameter("theta", Tensor.full(GATE_INIT, bits.size() - 1)) : null;
        this.threshold = prune ? registerParameter("threshold", Tensor.full(THRESHOLD_INIT, 1)) : null;
        registerBuffer("initialized", Tensor.zeros(1), true);
        registerBuffer("signed", Tensor.full(weights ? 1f : 0f, 1), true);
    }

    /**
     * A weight quantizer for {@code weight} [C, ...] with candidates {@code bits}, one α per
     * output channel if {@code perChannel}, and the filter-wise 0-bit gate if {@code prune}.
     */
    public static SuperBitQuantizer weights(List<Integer> bits, Tensor weight, boolean perChannel, boolean prune) {
        int c = weight.size(0);
        SuperBitQuantizer q = new SuperBitQuantizer(bits, true, perChannel ? c : 1, prune);
        q.initialize(weight, perChannel ? c : 1);
        return q;
    }

    /** An activation quantizer with candidates {@code bits}; α is set by the first batch. */
    public static SuperBitQuantizer activations(List<Integer> bits) {
        return new SuperBitQuantizer(bits, false, 1, false);
    }

    /** Whether it quantizes weights (else a layer's input). */
    public boolean isWeightQuantizer() {
        return weights;
    }

    /** The candidate grids (signed for weights and for activations that were negative). */
    public NestedGrid grid() {
        return new NestedGrid(bits, buffer("signed").item() >= 0.5f);
    }

    /** Whether α has been set (by construction for weights, by the first batch for activations). */
    public boolean isInitialized() {
        return buffer("initialized").item() >= 0.5f;
    }

    /** The clip α [1] or [C]. */
    public Parameter alpha() {
        return alpha;
    }

    /** The gate logits θ [m−1], or null with a single candidate. */
    public Parameter theta() {
        return theta;
    }

    /** The 0-bit threshold t [1], or null without filter pruning. */
    public Parameter threshold() {
        return threshold;
    }

    /** θ and t: the parameters the search learns besides weights and clips. */
    public List<Parameter> gateParameters() {
        List<Parameter> out = new ArrayList<>();
        if (theta != null) out.add(theta);
        if (threshold != null) out.add(threshold);
        return out;
    }

    /** The layer gates [m]: {@code g_0 = 1} and {@code g_j = 1[θ_{j−1} > 0]} (straight-through). */
    public Tensor gates() {
        return theta == null ? Tensor.ones(1) : Tensor.cat(0, Tensor.ones(1), HardGate.of(theta.value()));
    }

    /** The channel gates for {@code x}: {@code 1[z_k > t]} [C] for a pruning weight quantizer, else a constant [1] of 1. */
    public Tensor channelGate(Tensor x) {
        if (!prune) return Tensor.ones(1);
        return HardGate.sigmoidSlope(Tensor.fromArray(norms(x), x.size(0)).sub(threshold.value()));
    }

    /** z_k = (‖x_k‖ − mean)/std over the filters (0 when they are all alike), the largest replaced by a huge value (never pruned). */
    static float[] norms(Tensor x) {
        float[] v = x.detach().contiguous().toArray();
        int c = x.size(0), inner = v.length / c, best = 0;
        double[] n = new double[c];
        double mean = 0;
        for (int k = 0; k < c; k++) {
            double s = 0;
            for (int i = k * inner; i < (k + 1) * inner; i++) s += (double) v[i] * v[i];
            n[k] = Math.sqrt(s);
            mean += n[k] / c;
            if (n[k] > n[best]) best = k;
        }
        double var = 0;
        for (int k = 0; k < c; k++) var += (n[k] - mean) * (n[k] - mean) / c;
        double std = Math.sqrt(var);
        float[] z = new float[c];
        for (int k = 0; k < c; k++) z[k] = std > 0 ? (float) ((n[k] - mean) / std) : 0f;
        z[best] = KEEP;
        return z;
    }

    /** x̂ of {@code x} with the given channel gates and the current layer gates and clip. */
    public Tensor quantize(Tensor x, Tensor channel) {
        if (!isInitialized()) initialize(x, alpha.numel());
        Tensor a = alpha.value().clamp(QParams.EPS, Float.MAX_VALUE);
        return SuperBitQuantize.apply(grid(), x, a, channel, gates());
    }

    @Override
    public Tensor forward(Tensor x) {
        return quantize(x, channelGate(x));
    }

    /** The chosen candidate: the last j whose gates g_0..g_j are all on. */
    public int chosen() {
        if (theta == null) return 0;
        float[] t = theta.value().toArray();
        int j = 0;
        while (j < t.length && t[j] > 0f) j++;
        return j;
    }

    /** The chosen bit width. */
    public int chosenBits() {
        return bits.get(chosen());
    }

    /** The candidate bit widths. */
    public List<Integer> candidates() {
        return bits;
    }

    /** Turns every gate above candidate {@code j} off (θ mirrored below 0); lower gates are left as they are. */
    public void limitTo(int j) {
        if (theta == null || j >= theta.numel()) return;
        float[] t = theta.value().toArray();
        for (int q = j; q < t.length; q++) if (t[q] > 0f) t[q] = -t[q];
        try (var g = Tensor.noGrad()) {
            theta.value().copyInPlace(Tensor.fromArray(t, t.length));
        }
    }

    /** The output channels of {@code weight} whose 0-bit gate is off, ascending. */
    public List<Integer> prunedChannels(Tensor weight) {
        List<Integer> out = new ArrayList<>();
        if (!prune) return out;
        float[] c = channelGate(weight.detach()).toArray();
        for (int k = 0; k < c.length; k++) if (c[k] == 0f) out.add(k);
        return out;
    }

    /**
     * The integer mapping of candidate j: scale {@code α/M_j} per α channel, zero point 0, codes
     * {@code [qmin_j, M_j]}, as {@link dev.tersor.compress.quant.QuantLayer} reports it.
     */
    public QParams qparams(int j) {
        if (!isInitialized()) throw new IllegalStateException("SuperBitQuantizer: the clip α is not set yet (run a forward first)");
        NestedGrid grid = grid();
        float[] a = alpha.value().toArray(), s = new float[a.length];
        for (int k = 0; k < a.length; k++) s[k] = (float) (Math.max(a[k], QParams.EPS) / (double) grid.levels(j));
        return new QParams(s, new int[a.length], grid.qmin(j), grid.qmax(j));
    }

    private void initialize(Tensor x, int channels) {
        float[] v = x.detach().contiguous().toArray();
        if (v.length == 0) throw new IllegalArgumentException("SuperBitQuantizer: cannot set the clip from an empty tensor");
        if (channels > 1 && x.size(0) != channels) {
            throw new IllegalArgumentException("SuperBitQuantizer: " + channels + " clips need dimension 0 of size " + channels + ", got "
                    + Arrays.toString(x.shape()));
        }
        int inner = v.length / channels;
        float[] a = new float[channels];
        boolean negative = false;
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) throw new IllegalArgumentException("SuperBitQuantizer: non-finite value " + v[i] + " at element " + i);
            a[i / inner] = Math.max(a[i / inner], Math.abs(v[i]));
            negative |= v[i] < 0;
        }
        for (int k = 0; k < channels; k++) a[k] = Math.max(a[k], QParams.EPS);
        try (var g = Tensor.noGrad()) {
            alpha.value().copyInPlace(Tensor.fromArray(a, channels));
            if (!weights) buffer("signed").fillInPlace(negative ? 1f : 0f);
            buffer("initialized").fillInPlace(1f);
        }
    }

    @Override
    protected String extraRepr() {
        return (weights ? "weights" : "activations") + ", bits=" + bits + ", chosen=" + chosenBits() + (prune ? ", filter pruning" : "");
    }
}
