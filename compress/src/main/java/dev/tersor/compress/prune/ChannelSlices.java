package dev.tersor.compress.prune;

import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;
import java.util.List;

/**
 * The per-channel slices of some parameters whose axis 0 runs over the same C channels (a
 * layer's weight W[k, …] and bias b[k], a batch norm's γ_k and β_k): channel k's slice is the
 * vector A_k of all their entries [k, …]. Takes a snapshot A⁻ and measures ‖A_k‖ and ‖A_k − A_k⁻‖.
 */
final class ChannelSlices {
    private final List<Parameter> params;
    private final int channels;
    private float[][] before;

    /** @throws IllegalArgumentException if a parameter's axis 0 is not {@code channels} long */
    ChannelSlices(List<Parameter> params, int channels) {
        for (Parameter p : params) {
            if (p.shape().length == 0 || p.shape()[0] != channels) {
                throw new IllegalArgumentException("ChannelSlices: a parameter of shape " + java.util.Arrays.toString(p.shape())
                        + " does not run over " + channels + " channels on axis 0");
            }
        }
        this.params = List.copyOf(params);
        this.channels = channels;
    }

    int channels() {
        return channels;
    }

    /** Remembers the current values as A⁻. */
    void snapshot() {
        before = new float[params.size()][];
        for (int i = 0; i < before.length; i++) before[i] = params.get(i).value().contiguous().toArray();
    }

    /** ‖A_k‖ of each channel. */
    double[] norms() {
        return sumOfSquares(false);
    }

    /** ‖A_k − A_k⁻‖ of each channel (needs {@link #snapshot}). */
    double[] steps() {
        return sumOfSquares(true);
    }

    /** A_k ← A_k − s_k·A_k⁻ (needs {@link #snapshot}). */
    void pull(double[] s) {
        double[] coef = new double[channels];
        for (int k = 0; k < channels; k++) coef[k] = -s[k];
        addScaled(before, coef);
    }

    /** A_k ← f_k·A_k. */
    void scale(double[] f) {
        float[][] now = current();
        double[] coef = new double[channels];
        for (int k = 0; k < channels; k++) coef[k] = f[k] - 1;
        addScaled(now, coef);
    }

    /** A_k ← A_k + coef_k·base_k. */
    private void addScaled(float[][] base, double[] coef) {
        if (java.util.Arrays.stream(coef).allMatch(c -> c == 0)) return;
        try (var g = Tensor.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                float[] v = p.value().contiguous().toArray();
                int per = v.length / channels;
                for (int j = 0; j < v.length; j++) v[j] += (float) (coef[j / per] * base[i][j]);
                p.value().copyInPlace(Tensor.fromArray(v, p.shape()));
            }
        }
    }

    private double[] sumOfSquares(boolean difference) {
        if (difference && before == null) throw new IllegalStateException("ChannelSlices: no snapshot taken");
        float[][] now = current();
        double[] out = new double[channels];
        for (int i = 0; i < now.length; i++) {
            int per = now[i].length / channels;
            for (int j = 0; j < now[i].length; j++) {
                double d = difference ? now[i][j] - before[i][j] : now[i][j];
                out[j / per] += d * d;
            }
        }
        for (int k = 0; k < channels; k++) out[k] = Math.sqrt(out[k]);
        return out;
    }

    private float[][] current() {
        float[][] now = new float[params.size()][];
        for (int i = 0; i < now.length; i++) now[i] = params.get(i).value().contiguous().toArray();
        return now;
    }
}
