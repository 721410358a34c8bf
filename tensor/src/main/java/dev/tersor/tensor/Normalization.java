package dev.tersor.tensor;

import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.BinaryOp;
import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.backend.ReduceOp;

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
        Backend be = Backends.current();
        Parallel.forRange(c, channelGrain(m), (lo, hi) -> {
            float[] centred = training ? new float[s] : null;
            for (int ch = lo; ch < hi; ch++) {
                float mu, is;
                if (training) {
                    double sum = 0;
                    for (int i = 0; i < n; i++) sum += be.reduce(ReduceOp.SUM, xd, xo + (i * c + ch) * s, s);
                    double mu64 = sum / m;
                    double sq = 0;
                    for (int i = 0; i < n; i++) {
                        be.binaryScalarRight(BinaryOp.SUB, xd, xo + (i * c + ch) * s, (float) mu64, centred, 0, s);
                        sq += be.dot(centred, 0, centred, 0, s);
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
                for (int i = 0; i < n; i++) affine(xd, xo + (i * c + ch) * s, scale, shift, out, (i * c + ch) * s, s);
            }
        });
        if (training && rm != null) {
            runningMean.copyInPlace(Tensor.wrap(rm, new int[] {c}));
            runningVar.copyInPlace(Tensor.wrap(rv, new int[] {c}));
        }
        Tensor y = Tensor.wrap(out, x.shape);
        Tensor[] inputs = {x, weight, bias};
        return Autograd.record("batchNorm", y, inputs, new Tensor[] {xc}, g -> backward(g, xc, w, mean, invStd, training,
                n, c, s, x.requiresGrad(), weight, bias), g -> graphBackward(g, x, weight, bias, mean, invStd, training, eps));
    }

    /**
     * The same gradients from recorded ops, for a create-graph pass. In training the statistics
     * are recomputed from x with tensor ops, so the second derivative includes their dependence
     * on x; in eval μ and σ̂ are the (constant) running ones:
     * {@code dx = γσ̂·(dy − mean(dy) − x̂·mean(dy·x̂))} (eval: {@code γσ̂·dy}).
     */
    private static Tensor[] graphBackward(Tensor g, Tensor x, Tensor weight, Tensor bias, float[] mean, float[] invStd,
                                          boolean training, float eps) {
        int c = x.shape[1];
        int[] axes = new int[x.dim() - 1];
        int[] channel = new int[x.dim()];
        java.util.Arrays.fill(channel, 1);
        channel[1] = c;
        for (int d = 0, k = 0; d < x.dim(); d++) if (d != 1) axes[k++] = d;
        Tensor xHat, is;
        if (training) {
            Tensor centred = x.sub(x.mean(axes, true));
            is = centred.mul(centred).mean(axes, true).add(eps).pow(-0.5f);
            xHat = centred.mul(is);
        } else {
            is = Tensor.wrap(invStd.clone(), channel);
            xHat = x.sub(Tensor.wrap(mean.clone(), channel)).mul(is);
        }
        Tensor gamma = weight == null ? null : weight.reshape(channel);
        Tensor gx = null;
        if (x.requiresGrad()) {
            Tensor k = gamma == null ? is : is.mul(gamma);
            Tensor inner = training ? g.sub(g.mean(axes, true)).sub(xHat.mul(g.mul(xHat).mean(axes, true))) : g;
            gx = k.mul(inner);
        }
        return new Tensor[] {
            gx,
            weight != null && weight.requiresGrad() ? g.mul(xHat).sum(axes) : null,
            bias != null && bias.requiresGrad() ? g.sum(axes) : null};
    }

    /** Channels per chunk: at least {@link Elementwise#GRAIN} values, so small maps are not split over threads. */
    private static int channelGrain(int valuesPerChannel) {
        return Math.max(1, Elementwise.GRAIN / Math.max(1, valuesPerChannel));
    }

    private static Tensor[] backward(Tensor g, Tensor xc, float[] w, float[] mean, float[] invStd, boolean training,
                                     int n, int c, int s, boolean needX, Tensor weight, Tensor bias) {
        Tensor gc = g.contiguous();
        float[] gd = gc.storage.data, xd = xc.storage.data;
        int go = gc.offset, xo = xc.offset;
        float[] dx = needX ? new float[xc.numel()] : null;
        float[] dw = new float[c], db = new float[c];
        int m = n * s;
        Backend be = Backends.current();
        Parallel.forRange(c, channelGrain(m), (lo, hi) -> {
            float[] centred = new float[s];
            for (int ch = lo; ch < hi; ch++) {
                double sumDy = 0, sumDyXc = 0;     // Σdy and Σdy·(x − μ)
                float mu = mean[ch], is = invStd[ch];
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * s;
                    sumDy += be.reduce(ReduceOp.SUM, gd, go + base, s);
                    be.binaryScalarRight(BinaryOp.SUB, xd, xo + base, mu, centred, 0, s);
                    sumDyXc += be.dot(gd, go + base, centred, 0, s);
                }
                double sumDyXhat = sumDyXc * is;
                dw[ch] = (float) sumDyXhat;
                db[ch] = (float) sumDy;
                if (dx == null) continue;
                // dx = k·(dy − a − x̂·b) = k·dy + (−k·σ̂·b)·x + k·(σ̂·b·μ − a)
                float gamma = w == null ? 1f : w[ch];
                float k = gamma * is;
                float a = training ? (float) (sumDy / m) : 0f;
                float bcoef = training ? (float) (sumDyXhat / m) : 0f;
                float xCoef = -k * is * bcoef, shift = k * (is * bcoef * mu - a);
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * s;
                    combine(gd, go + base, k, xd, xo + base, xCoef, shift, dx, base, s);
                }
            }
        });
        return new Tensor[] {
            dx == null ? null : Tensor.wrap(dx, xc.shape),
            weight != null && weight.requiresGrad() ? Tensor.wrap(dw, new int[] {c}) : null,
            bias != null && bias.requiresGrad() ? Tensor.wrap(db, new int[] {c}) : null};
    }

    /** {@code y[yOff + j] = x[xOff + j]·scale + shift} for {@code j < n} (a loop C2 vectorises). */
    private static void affine(float[] x, int xOff, float scale, float shift, float[] y, int yOff, int n) {
        for (int j = 0; j < n; j++) y[yOff + j] = x[xOff + j] * scale + shift;
    }

    /** {@code y[yOff + j] = p·u[uOff + j] + q·v[vOff + j] + r} for {@code j < n}. */
    private static void combine(float[] u, int uOff, float p, float[] v, int vOff, float q, float r,
                                float[] y, int yOff, int n) {
        for (int j = 0; j < n; j++) y[yOff + j] = p * u[uOff + j] + q * v[vOff + j] + r;
    }

    private static void checkVector(String name, Tensor t, int c, Tensor x) {
        if (t != null && (t.dim() != 1 || t.shape[0] != c)) {
            throw new IllegalArgumentException("batchNorm: " + name + " " + Shape.str(t.shape) + " does not match the "
                    + c + " channels of input " + Shape.str(x.shape));
        }
    }
}
