package dev.tersor.compress.quant;

import dev.tersor.nn.BatchNorm1d;
import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;

/**
 * A batch norm in evaluation mode as a per-channel affine map {@code y = k·x + t} with
 * {@code k = γ/√(σ² + eps)} and {@code t = β − μ·k} (γ = 1, β = 0 without affine parameters).
 * The one place batch-norm folding is computed: {@link BatchNormFolding} (PTQ) and the QAT
 * layers' {@code foldBatchNorm} use it.
 */
record BatchNormAffine(float[] scale, float[] shift) {

    static BatchNormAffine of(Module bn, int channels) {
        Tensor mean, var;
        Parameter gamma, beta;
        if (bn instanceof BatchNorm2d b) {
            mean = b.runningMean();
            var = b.runningVar();
            gamma = b.weight();
            beta = b.bias();
        } else if (bn instanceof BatchNorm1d b) {
            mean = b.runningMean();
            var = b.runningVar();
            gamma = b.weight();
            beta = b.bias();
        } else {
            throw new IllegalArgumentException("batch-norm folding needs a BatchNorm1d or BatchNorm2d, got " + bn.getClass().getSimpleName());
        }
        if (mean == null) throw new IllegalArgumentException("batch-norm folding needs running statistics (track_running_stats=True)");
        if (mean.numel() != channels) {
            throw new IllegalArgumentException("batch-norm folding: the batch norm has " + mean.numel() + " channels, the layer " + channels);
        }
        float eps = bn instanceof BatchNorm2d b2 ? b2.eps() : ((BatchNorm1d) bn).eps();
        float[] mu = mean.toArray(), v = var.toArray();
        float[] g = gamma == null ? null : gamma.value().toArray(), b = beta == null ? null : beta.value().toArray();
        float[] k = new float[channels], t = new float[channels];
        for (int c = 0; c < channels; c++) {
            k[c] = (float) ((g == null ? 1.0 : g[c]) / Math.sqrt((double) v[c] + eps));
            t[c] = (b == null ? 0f : b[c]) - mu[c] * k[c];
        }
        return new BatchNormAffine(k, t);
    }

    /** Folds into a weight [K, ...] (rows times k) and returns the new bias {@code k·b + t} (b = 0 when null). */
    float[] foldInto(Tensor weight, Tensor bias) {
        int channels = scale.length;
        float[] w = weight.contiguous().toArray();
        int inner = w.length / channels;
        for (int c = 0; c < channels; c++) for (int i = c * inner; i < (c + 1) * inner; i++) w[i] *= scale[c];
        float[] b = bias == null ? new float[channels] : bias.toArray();
        for (int c = 0; c < channels; c++) b[c] = b[c] * scale[c] + shift[c];
        try (var g = Tensor.noGrad()) {
            weight.copyInPlace(Tensor.fromArray(w, weight.shape()));
        }
        return b;
    }
}
