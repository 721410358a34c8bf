package dev.tersor.nn.shift;

import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.Rng;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.lowbit.Shift;
import java.util.Arrays;

/**
 * The cheap half of a GhostSR ghost module (Nie et al., arXiv 2101.08525): takes the intrinsic
 * features [N, I, H, W] and returns [N, O, H, W], the intrinsic features and O − I ghost features
 * that are one-pixel shifted copies of them. Ghost j copies intrinsic channel {@code source[j]}
 * moved by one of the nine {@link Shift} moves, chosen by its learned logits [O − I, 9].
 * <ul>
 * <li>Training: straight-through Gumbel-softmax. Per ghost, {@code z = (logits + s·G)/τ} with
 * Gumbel noise {@code G = −log(−log U)} drawn from the global training stream ({@link Rng#global},
 * which every checkpoint saves, so a resumed run draws the same noise), noise scale s and
 * temperature τ; the forward uses the one-hot {@code argmax z} (a pure move, as at inference),
 * the backward the gradient of {@code softmax(z)}. Lower τ and s over training with
 * {@link GhostConv2d#anneal}.</li>
 * <li>Eval: the hard move {@code argmax logits} (no noise, no FLOPs).</li>
 * </ul>
 * The output is {@code cat(intrinsic, ghosts)} along channels, permuted by {@code order}
 * ({@code out[:, o] = cat[:, order[o]]}) so that a layer converted from a Conv2d keeps its
 * channel order. State: parameter {@code logits} [O − I, 9], buffers {@code source} [O − I] and
 * {@code order} [O] (channel indices stored as floats).
 */
public class GhostShift extends Module {
    private final int intrinsic, out;
    private final Parameter logits;
    private float temperature = 1f;
    private float noiseScale = 1f;

    /**
     * Appends {@code out − intrinsic} ghosts; ghost j copies intrinsic channel {@code j mod I}.
     * Logits start uniform in ±1/3 (PyTorch's default for a 3×3 kernel, as GhostSR's code) from
     * {@code g}.
     */
    public GhostShift(int intrinsic, int out, Generator g) {
        if (intrinsic < 1 || out <= intrinsic) {
            throw new IllegalArgumentException("GhostShift: need 1 <= intrinsic < out, got intrinsic=" + intrinsic + ", out=" + out);
        }
        this.intrinsic = intrinsic;
        this.out = out;
        int ghosts = out - intrinsic;
        this.logits = registerParameter("logits", Tensor.rand(g, ghosts, Shift.DIRECTIONS).mul(2f / 3f).sub(1f / 3f));
        float[] source = new float[ghosts], order = new float[out];
        for (int j = 0; j < ghosts; j++) source[j] = j % intrinsic;
        for (int o = 0; o < out; o++) order[o] = o;
        registerBuffer("source", Tensor.fromArray(source, ghosts), true);
        registerBuffer("order", Tensor.fromArray(order, out), true);
    }

    /** The learned orientation logits [O − I, 9]. */
    public Parameter logits() {
        return logits;
    }

    /** Intrinsic channels I (the input's channels). */
    public int intrinsicChannels() {
        return intrinsic;
    }

    /** Output channels O. */
    public int outChannels() {
        return out;
    }

    /** Ghost channels O − I. */
    public int ghostChannels() {
        return out - intrinsic;
    }

    /** The Gumbel-softmax temperature τ (1 at start). */
    public float temperature() {
        return temperature;
    }

    /** Sets τ > 0: lower makes the backward's softmax closer to the one-hot forward. */
    public void setTemperature(float temperature) {
        if (!(temperature > 0f) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("GhostShift: temperature must be positive and finite, got " + temperature);
        }
        this.temperature = temperature;
    }

    /** The scale s of the Gumbel noise (1 at start). */
    public float noiseScale() {
        return noiseScale;
    }

    /** Sets s ≥ 0: 0 makes training pick {@code argmax logits}, as eval does. */
    public void setNoiseScale(float noiseScale) {
        if (!(noiseScale >= 0f) || Float.isInfinite(noiseScale)) {
            throw new IllegalArgumentException("GhostShift: noise scale must be finite and >= 0, got " + noiseScale);
        }
        this.noiseScale = noiseScale;
    }

    /** The hard move of each ghost, {@code argmax logits} (first on ties): what eval applies. */
    public int[] directions() {
        return argmaxRows(logits.value().toArray());
    }

    /** The intrinsic channel each ghost copies. */
    public int[] sources() {
        return indices("source", intrinsic);
    }

    /** The output permutation: output channel o is channel {@code order[o]} of cat(intrinsic, ghosts). */
    public int[] order() {
        return indices("order", out);
    }

    /**
     * Sets the ghosts' sources, the output order and a starting orientation (used by
     * {@link GhostConv2d#fromConv}): logits become {@code confidence} at {@code directions[j]}
     * and 0 elsewhere.
     */
    void assign(int[] sources, int[] order, int[] directions, float confidence) {
        int ghosts = out - intrinsic;
        float[] s = new float[ghosts], o = new float[out], l = new float[ghosts * Shift.DIRECTIONS];
        for (int j = 0; j < ghosts; j++) {
            s[j] = sources[j];
            l[j * Shift.DIRECTIONS + directions[j]] = confidence;
        }
        for (int c = 0; c < out; c++) o[c] = order[c];
        try (var g = Tensor.noGrad()) {
            buffer("source").copyInPlace(Tensor.fromArray(s, ghosts));
            buffer("order").copyInPlace(Tensor.fromArray(o, out));
        }
        logits.set(Tensor.fromArray(l, ghosts, Shift.DIRECTIONS));
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != intrinsic) {
            throw new IllegalArgumentException("GhostShift: expected intrinsic features [N, " + intrinsic + ", H, W], got "
                    + Arrays.toString(x.shape()));
        }
        int ghosts = out - intrinsic;
        int[] source = sources();
        Tensor src = isPrefix(source) ? x.narrow(1, 0, ghosts) : Functional.indexSelect(x, 1, IntTensor.of(source, ghosts));
        Tensor ghost = isTraining() ? Shift.mix(src, straightThroughWeights()) : Shift.shiftChannels(src, directions());
        Tensor y = Tensor.cat(1, x, ghost);
        int[] order = order();
        return isPrefix(order) ? y : Functional.indexSelect(y, 1, IntTensor.of(order, out));
    }

    /** One-hot {@code argmax z} in value, {@code softmax(z)} in gradient, z = (logits + s·G)/τ. */
    private Tensor straightThroughWeights() {
        int ghosts = out - intrinsic, n = ghosts * Shift.DIRECTIONS;
        float[] gumbel = new float[n];
        Generator noise = Rng.global();
        for (int i = 0; i < n; i++) {
            double u = Math.min(Math.max(noise.nextDouble(), 1e-12), 1 - 1e-12);
            gumbel[i] = (float) -Math.log(-Math.log(u));
        }
        Tensor z = logits.value().add(Tensor.fromArray(gumbel, ghosts, Shift.DIRECTIONS).mul(noiseScale)).div(temperature);
        int[] pick = argmaxRows(z.toArray());
        float[] hard = new float[n];
        for (int j = 0; j < ghosts; j++) hard[j * Shift.DIRECTIONS + pick[j]] = 1f;
        Tensor soft = z.softmax(1);
        return soft.sub(soft.detach()).add(Tensor.fromArray(hard, ghosts, Shift.DIRECTIONS));   // exactly one-hot in value
    }

    private static int[] argmaxRows(float[] v) {
        int rows = v.length / Shift.DIRECTIONS;
        int[] best = new int[rows];
        for (int j = 0; j < rows; j++) {
            int b = 0;
            for (int k = 1; k < Shift.DIRECTIONS; k++) if (v[j * Shift.DIRECTIONS + k] > v[j * Shift.DIRECTIONS + b]) b = k;
            best[j] = b;
        }
        return best;
    }

    private int[] indices(String name, int bound) {
        float[] v = buffer(name).toArray();
        int[] idx = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            idx[i] = (int) v[i];
            if (idx[i] != v[i] || idx[i] < 0 || idx[i] >= bound) {
                throw new IllegalStateException("GhostShift: buffer '" + name + "' holds " + v[i] + " at " + i
                        + "; expected an integer channel index in [0, " + bound + ")");
            }
        }
        return idx;
    }

    private static boolean isPrefix(int[] idx) {
        for (int i = 0; i < idx.length; i++) if (idx[i] != i) return false;
        return true;
    }

    @Override
    protected String extraRepr() {
        return "intrinsic=" + intrinsic + ", out=" + out + ", temperature=" + temperature + ", noise_scale=" + noiseScale;
    }
}
