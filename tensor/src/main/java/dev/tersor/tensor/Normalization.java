package dev.tersor.tensor;

import dev.tersor.tensor.backend.Parallel;

/**
 * Batch normalisation as one fused op over x [N, C, *]: per channel c,
 * {@code y = (x − μ_c)·σ̂_c·γ_c + β_c} with {@code σ̂ = 1/√(var + eps)}, batch statistics in
 * training (biased variance; running statistics updated with the unbiased one) and running
 * statistics in eval. Backward, with M = N·S values per channel and x̂ the normalised input:
 * {@code dx = γσ̂/M·(M·dy − Σdy − x̂·Σ(dy·x̂))}, {@code dγ = Σ(dy·x̂)}, {@code dβ = Σdy}
 * (in eval: {@code dx = γσ̂·dy}).
 */
final class Normalization {
    private Normalization() {
    }

    static Tensor batchNorm(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                            boolean training, float momentum, float eps) {
        if (x.dim() < 2) throw new IllegalArgumentException("batchNorm: input needs [N, C, ...], got " + Shape.str(x.shape));
        int n = x.shape[0], c = x.shape[1];
        int s = x.numel() / Math.max(1, n * c);
        checkVector("weight", weight, c, x);
        checkVector("bias", bias, c, x);
        checkVector("runningMean", runningMean, c, x);
        checkVector("runningVar", runningVar, c, x);
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException("batchNorm: eval mode needs running statistics");
        }
        int m = n * s;
        if (training && m <= 1) {
            throw new IllegalArgumentException("batchNorm: expected more than 1 value per channel when training, got input "
                    + Shape.str(x.shape));
        }
        Tensor xc = x.contiguous();
        float[] xd = xc.storage.data;
        int xo = xc.offset;
        float[] mean = new float[c], invStd = new float[c];
        float[] out = new float[x.numel()];
        float[] w = weight == null ? null : weight.contiguous().toArray();
        float[] b = bias == null ? null : bias.contiguous().toArray();
        float[] rm = runningMean == null ? null : runningMean.toArray();
        float[] rv = runningVar == null ? null : runningVar.toArray();
        Parallel.forRange(c, 1, (lo, hi) -> {
            for (int ch = lo; ch < hi; ch++) {
                float mu, is;
                if (training) {
                    double sum = 0;
                    for (int i = 0; i < n; i++) {
                        int base = xo + (i * c + ch) * s;
                        for (int j = 0; j < s; j++) sum += xd[base + j];
                    }
                    double mu64 = sum / m;
                    double sq = 0;
                    for (int i = 0; i < n; i++) {
                        int base = xo + (i * c + ch) * s;
                        for (int j = 0; j < s; j++) {
                            double d = xd[base + j] - mu64;
                            sq += d * d;
                        }
                    }
                    double var = sq / m;
                    mu = (float) mu64;
                    is = (float) (1.0 / Math.sqrt(var + eps));
                    if (rm != null) {
                        rm[ch] = (1 - momentum) * rm[ch] + momentum * mu;
                        rv[ch] = (float) ((1 - momentum) * rv[ch] + momentum * sq / (m - 1));
                    }
                } else {
                    mu = rm[ch];
                    is = (float) (1.0 / Math.sqrt(rv[ch] + (double) eps));
                }
                mean[ch] = mu;
                invStd[ch] = is;
                float scale = is * (w == null ? 1f : w[ch]);
                float shift = (b == null ? 0f : b[ch]) - mu * scale;
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * s;
                    for (int j = 0; j < s; j++) out[base + j] = xd[xo + base + j] * scale + shift;
                }
            }
        });
        if (training && rm != null) {
            runningMean.copyInPlace(Tensor.wrap(rm, new int[] {c}));
            runningVar.copyInPlace(Tensor.wrap(rv, new int[] {c}));
        }
        Tensor y = Tensor.wrap(out, x.shape);
        Tensor[] inputs = {x, weight, bias};
        return Autograd.record("batchNorm", y, inputs, new Tensor[] {xc}, g -> backward(g, xc, w, mean, invStd, training,
                n, c, s, x.requiresGrad(), weight, bias));
    }

    private static Tensor[] backward(Tensor g, Tensor xc, float[] w, float[] mean, float[] invStd, boolean training,
                                     int n, int c, int s, boolean needX, Tensor weight, Tensor bias) {
        Tensor gc = g.contiguous();
        float[] gd = gc.storage.data, xd = xc.storage.data;
        int go = gc.offset, xo = xc.offset;
        float[] dx = needX ? new float[xc.numel()] : null;
        float[] dw = new float[c], db = new float[c];
        int m = n * s;
        Parallel.forRange(c, 1, (lo, hi) -> {
            for (int ch = lo; ch < hi; ch++) {
                double sumDy = 0, sumDyXhat = 0;
                float mu = mean[ch], is = invStd[ch];
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * s;
                    for (int j = 0; j < s; j++) {
                        float dy = gd[go + base + j];
                        sumDy += dy;
                        sumDyXhat += dy * ((xd[xo + base + j] - mu) * is);
                    }
                }
                dw[ch] = (float) sumDyXhat;
                db[ch] = (float) sumDy;
                if (dx == null) continue;
                float gamma = w == null ? 1f : w[ch];
                float k = gamma * is;
                float a = training ? (float) (sumDy / m) : 0f;
                float bcoef = training ? (float) (sumDyXhat / m) : 0f;
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * s;
                    for (int j = 0; j < s; j++) {
                        float xhat = (xd[xo + base + j] - mu) * is;
                        dx[base + j] = k * (gd[go + base + j] - a - xhat * bcoef);
                    }
                }
            }
        });
        return new Tensor[] {
            dx == null ? null : Tensor.wrap(dx, xc.shape),
            weight != null && weight.requiresGrad() ? Tensor.wrap(dw, new int[] {c}) : null,
            bias != null && bias.requiresGrad() ? Tensor.wrap(db, new int[] {c}) : null};
    }

    private static void checkVector(String name, Tensor t, int c, Tensor x) {
        if (t != null && (t.dim() != 1 || t.shape[0] != c)) {
            throw new IllegalArgumentException("batchNorm: " + name + " " + Shape.str(t.shape) + " does not match the "
                    + c + " channels of input " + Shape.str(x.shape));
        }
    }
}
