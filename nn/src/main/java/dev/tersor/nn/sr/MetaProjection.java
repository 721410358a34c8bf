package dev.tersor.nn.sr;

import dev.tersor.tensor.Function;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Meta-SR's feature-to-output projection with per-position weights, one differentiable op:
 * <pre>
 * y[n, o, i, j] = Σ_{c, a, b} F[n, c, r_i + a − 1, c_j + b − 1] · W[q(i, j), ((c·3 + a)·3 + b)·O + o]
 * q(i, j) = rowClass(i) · colClasses + colClass(j)
 * ∂L/∂F[n, c, y, x] = Σ over the (i, j, a, b) reading it of Σ_o g[n, o, i, j] · W[q, k·O + o]
 * ∂L/∂W[q, k·O + o] = Σ_{n, (i, j) of class q} g[n, o, i, j] · F[n, c, r_i + a − 1, c_j + b − 1]
 * </pre>
 * F [N, C, h, w], W [Q, C·9·O], y [N, O, out_h, out_w]; (r_i, c_j) are the source pixels of the
 * {@link MetaUpscale.Axis} pair, reads outside F are zeros. A new instance per call.
 */
final class MetaProjection extends Function {
    private final MetaUpscale.Axis rows, cols;
    private final int out;

    MetaProjection(MetaUpscale.Axis rows, MetaUpscale.Axis cols, int outChannels) {
        this.rows = rows;
        this.cols = cols;
        this.out = outChannels;
    }

    @Override
    public String name() {
        return "meta_projection";
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        Tensor f = in[0].contiguous(), w = in[1].contiguous();
        int n = f.size(0), c = f.size(1), h = f.size(2), wd = f.size(3);
        int q = rows.classes() * cols.classes(), k = c * 9 * out;
        if (h != rows.in() || wd != cols.in()) {
            throw new IllegalArgumentException("meta_projection: features " + Arrays.toString(f.shape()) + " but the grid is for "
                    + rows.in() + "x" + cols.in());
        }
        if (w.dim() != 2 || w.size(0) != q || w.size(1) != k) {
            throw new IllegalArgumentException("meta_projection: weights must be [" + q + ", " + k + "], got " + Arrays.toString(w.shape()));
        }
        int oh = rows.out(), ow = cols.out();
        Tensor y = Tensor.zeros(n, out, oh, ow);
        float[] fd = f.data(), wdat = w.data(), yd = y.data();
        int fo = f.dataOffset(), wo = w.dataOffset();
        Parallel.forRange(n * oh, 4, (from, to) -> {
            float[] acc = new float[out];
            for (int r = from; r < to; r++) {
                int b = r / oh, i = r % oh, sy = rows.source()[i], rowQ = rows.cls()[i] * cols.classes();
                for (int j = 0; j < ow; j++) {
                    int sx = cols.source()[j], base = wo + (rowQ + cols.cls()[j]) * k;
                    Arrays.fill(acc, 0f);
                    for (int ch = 0; ch < c; ch++) {
                        for (int a = 0; a < 3; a++) {
                            int yy = sy + a - 1;
                            if (yy < 0 || yy >= h) continue;
                            int frow = fo + ((b * c + ch) * h + yy) * wd;
                            for (int e = 0; e < 3; e++) {
                                int xx = sx + e - 1;
                                if (xx < 0 || xx >= wd) continue;
                                float v = fd[frow + xx];
                                int wb = base + ((ch * 3 + a) * 3 + e) * out;
                                for (int o = 0; o < out; o++) acc[o] += v * wdat[wb + o];
                            }
                        }
                    }
                    for (int o = 0; o < out; o++) yd[((b * out + o) * oh + i) * ow + j] = acc[o];
                }
            }
        });
        ctx.save(f, w);
        return y;
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor grad) {
        Tensor f = ctx.saved(0), w = ctx.saved(1), g = grad.contiguous();
        int n = f.size(0), c = f.size(1), h = f.size(2), wd = f.size(3), oh = rows.out(), ow = cols.out();
        int k = c * 9 * out;
        float[] fd = f.data(), wdat = w.data(), gd = g.data();
        int fo = f.dataOffset(), wo = w.dataOffset(), go = g.dataOffset();
        Tensor df = null, dw = null;
        if (ctx.needsInputGrad(0)) {
            df = Tensor.zeros(f.shape());
            float[] d = df.data();
            int dOff = df.dataOffset();
            Parallel.forEachTask(n * c, (from, to) -> {
                for (int t = from; t < to; t++) {
                    int b = t / c, ch = t % c;
                    for (int i = 0; i < oh; i++) {
                        int sy = rows.source()[i], rowQ = rows.cls()[i] * cols.classes();
                        for (int j = 0; j < ow; j++) {
                            int sx = cols.source()[j], base = wo + (rowQ + cols.cls()[j]) * k;
                            for (int a = 0; a < 3; a++) {
                                int yy = sy + a - 1;
                                if (yy < 0 || yy >= h) continue;
                                for (int e = 0; e < 3; e++) {
                                    int xx = sx + e - 1;
                                    if (xx < 0 || xx >= wd) continue;
                                    int wb = base + ((ch * 3 + a) * 3 + e) * out;
                                    float s = 0f;
                                    for (int o = 0; o < out; o++) s += gd[go + ((b * out + o) * oh + i) * ow + j] * wdat[wb + o];
                                    d[dOff + ((b * c + ch) * h + yy) * wd + xx] += s;
                                }
                            }
                        }
                    }
                }
            });
        }
        if (ctx.needsInputGrad(1)) {
            dw = Tensor.zeros(w.shape());
            float[] d = dw.data();
            int dOff = dw.dataOffset();
            List<int[]> rowsOf = members(rows), colsOf = members(cols);
            int colClasses = cols.classes();
            Parallel.forEachTask(rows.classes() * colClasses, (from, to) -> {
                for (int q = from; q < to; q++) {
                    int base = dOff + q * k;
                    for (int i : rowsOf.get(q / colClasses)) {
                        int sy = rows.source()[i];
                        for (int j : colsOf.get(q % colClasses)) {
                            int sx = cols.source()[j];
                            for (int b = 0; b < n; b++) {
                                for (int ch = 0; ch < c; ch++) {
                                    for (int a = 0; a < 3; a++) {
                                        int yy = sy + a - 1;
                                        if (yy < 0 || yy >= h) continue;
                                        for (int e = 0; e < 3; e++) {
                                            int xx = sx + e - 1;
                                            if (xx < 0 || xx >= wd) continue;
                                            float v = fd[fo + ((b * c + ch) * h + yy) * wd + xx];
                                            int wb = base + ((ch * 3 + a) * 3 + e) * out;
                                            for (int o = 0; o < out; o++) d[wb + o] += v * gd[go + ((b * out + o) * oh + i) * ow + j];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            });
        }
        return new Tensor[] {df, dw};
    }

    /** For each offset class of {@code axis}, the output indices in it. */
    private static List<int[]> members(MetaUpscale.Axis axis) {
        int[] count = new int[axis.classes()];
        for (int k : axis.cls()) count[k]++;
        List<int[]> out = new ArrayList<>();
        for (int n : count) out.add(new int[n]);
        int[] fill = new int[axis.classes()];
        for (int i = 0; i < axis.out(); i++) out.get(axis.cls()[i])[fill[axis.cls()[i]]++] = i;
        return out;
    }
}
