package dev.tersor.compress.abs;

import dev.tersor.tensor.Function;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * The super-bit quantizer as one differentiable op (ABS, arXiv 2101.04935): inputs
 * x (any shape; weights [C, ...] when a per-channel input has C values), the clip α ([1] or [C]),
 * the channel gates c ([1] or [C]: the filter-wise 0-bit gate of weights, 1 for activations) and
 * the layer gates g [m] (g_0 switches the lowest bit width on, g_j the offset of candidate j):
 * <pre>
 * G_j = c·g_0·g_1···g_j                                   (a higher offset counts only if every lower one does)
 * x̂  = α · Σ_j G_j·δ_j/M_j                                ({@link NestedGrid#offsets} of ū = clamp(x/α, lo, 1))
 * </pre>
 * With 0/1 gates that stop at candidate j (G_0..G_j = 1, the rest 0) x̂ is bit for bit the
 * direct b_j-bit value {@code fl(α·q_j/M_j)} (computed as the summed code on the finest grid, in
 * double); a channel with c = 0 is exactly 0 (0-bit: a pruned filter). Gates of other values
 * (finite-difference checks) use the same formula in double.
 * <p>
 * Backward, with the straight-through estimator for the rounding in each offset (so the offsets
 * above the lowest carry no gradient to x: {@code ∂δ_j/∂x} cancels, as for the paper's
 * {@code D(z − z_{b_{j−1}}, s_{b_j})}) and the clip window {@code lo < x/α < 1}:
 * <pre>
 * ∂x̂/∂x   = G_0 · 1[inside]
 * ∂x̂/∂α   = x̂/α − G_0·(x/α)·1[inside]                     (LSQ's step gradient in units of α)
 * ∂x̂/∂c   = α·Σ_j g_0···g_j·δ_j/M_j,    ∂x̂/∂g_k = α·c·Σ_{j≥k} (Π_{l≤j, l≠k} g_l)·δ_j/M_j
 * </pre>
 * The gate gradients are exact (x̂ is multilinear in the gates).
 */
final class SuperBitQuantize extends Function {
    private final NestedGrid grid;

    private SuperBitQuantize(NestedGrid grid) {
        this.grid = grid;
    }

    /** x̂ of {@code x} with clip {@code alpha}, channel gates {@code channel} and layer gates {@code gates} [m]. */
    static Tensor apply(NestedGrid grid, Tensor x, Tensor alpha, Tensor channel, Tensor gates) {
        if (gates.numel() != grid.size()) {
            throw new IllegalArgumentException("SuperBitQuantize: " + grid.size() + " candidates need " + grid.size() + " gates, got "
                    + gates.numel());
        }
        channels(x, alpha.numel(), channel.numel());
        for (float a : alpha.toArray()) {
            if (!(a > 0) || !Float.isFinite(a)) throw new IllegalArgumentException("SuperBitQuantize: the clip α must be positive and finite, got " + a);
        }
        return new SuperBitQuantize(grid).apply(x, alpha, channel, gates);
    }

    /** The number of dim-0 channels the per-channel inputs index (1 when both are per tensor). */
    private static int channels(Tensor x, int alphas, int gates) {
        int c = Math.max(alphas, gates);
        if (c > 1 && (x.dim() == 0 || x.size(0) != c || (alphas != 1 && alphas != c) || (gates != 1 && gates != c))) {
            throw new IllegalArgumentException("SuperBitQuantize: " + alphas + " clips and " + gates + " channel gates do not fit shape "
                    + Arrays.toString(x.shape()) + " (per-channel values index dimension 0)");
        }
        return c;
    }

    @Override
    public String name() {
        return "SuperBitQuantize" + grid.bitList();
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        ctx.save(in);
        float[] x = in[0].contiguous().toArray(), a = in[1].toArray(), c = in[2].toArray(), g = in[3].toArray();
        int inner = inner(x.length, channels(in[0], a.length, c.length));
        boolean binary = isBinary(c) && isBinary(g);
        int m = grid.size(), top = m - 1, last = -1;
        while (last + 1 < m && g[last + 1] == 1f) last++;
        double[] prefix = prefix(g);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int k = i / inner;
            float alpha = a[a.length == 1 ? 0 : k], gate = c[c.length == 1 ? 0 : k];
            int[] d = grid.offsets(grid.clamp(x[i] / alpha));
            if (binary) {
                out[i] = gate == 0f || last < 0 ? 0f : grid.value(alpha, grid.sum(d, last, top), top);
            } else {
                double s = 0;
                for (int j = 0; j < m; j++) s += prefix[j] * d[j] / grid.levels(j);
                out[i] = (float) (alpha * (gate * s));
            }
        }
        return Tensor.fromArray(out, in[0].shape());
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
        Tensor xt = ctx.saved(0), at = ctx.saved(1), ct = ctx.saved(2), gt = ctx.saved(3);
        float[] x = xt.contiguous().toArray(), a = at.toArray(), c = ct.toArray(), g = gt.toArray(), dy = grad.contiguous().toArray();
        int inner = inner(x.length, channels(xt, a.length, c.length));
        int m = grid.size();
        double[] prefix = prefix(g);
        double[][] without = new double[m][m];   // without[k][j] = Π_{l≤j, l≠k} g_l, for j ≥ k
        for (int k = 0; k < m; k++) {
            double p = 1;
            for (int j = 0; j < m; j++) {
                if (j != k) p *= g[j];
                without[k][j] = p;
            }
        }
        boolean needX = ctx.needsInputGrad(0), needA = ctx.needsInputGrad(1), needC = ctx.needsInputGrad(2), needG = ctx.needsInputGrad(3);
        float[] dx = needX ? new float[x.length] : null;
        double[] da = new double[a.length], dc = new double[c.length], dg = new double[m];
        double[] level = new double[m];
        for (int i = 0; i < x.length; i++) {
            int k = i / inner, ka = a.length == 1 ? 0 : k, kc = c.length == 1 ? 0 : k;
            float alpha = a[ka], gate = c[kc], u = x[i] / alpha;
            boolean inside = u > grid.lower() && u < 1f;
            int[] d = grid.offsets(grid.clamp(u));
            double s = 0;
            for (int j = 0; j < m; j++) {
                level[j] = (double) d[j] / grid.levels(j);
                s += prefix[j] * level[j];
            }
            double g0 = gate * prefix[0];
            if (needX && inside) dx[i] = (float) (dy[i] * g0);
            if (needA) da[ka] += dy[i] * (gate * s - (inside ? g0 * u : 0));
            if (needC) dc[kc] += dy[i] * alpha * s;
            if (needG) {
                for (int q = 0; q < m; q++) {
                    double t = 0;
                    for (int j = q; j < m; j++) t += without[q][j] * level[j];
                    dg[q] += dy[i] * alpha * gate * t;
                }
            }
        }
        return new Tensor[] {needX ? Tensor.fromArray(dx, xt.shape()) : null, needA ? like(da, at) : null, needC ? like(dc, ct) : null,
                needG ? like(dg, gt) : null};
    }

    private static int inner(int n, int channels) {
        return n == 0 ? 1 : n / channels;
    }

    /** Prefix products {@code g_0···g_j}. */
    private static double[] prefix(float[] g) {
        double[] p = new double[g.length];
        double run = 1;
        for (int j = 0; j < g.length; j++) {
            run *= g[j];
            p[j] = run;
        }
        return p;
    }

    private static boolean isBinary(float[] v) {
        for (float f : v) if (f != 0f && f != 1f) return false;
        return true;
    }

    private static Tensor like(double[] v, Tensor shapeOf) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return Tensor.fromArray(f, shapeOf.shape());
    }
}
