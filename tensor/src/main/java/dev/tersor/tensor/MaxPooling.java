package dev.tersor.tensor;

import dev.tersor.tensor.Pooling.Windows;
import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.Parallel;
import java.util.function.UnaryOperator;

/**
 * 2-D max pooling over the last two axes of {@code [C, H, W]} or {@code [N, C, H, W]}: the
 * first maximum of a window wins and NaN propagates (PyTorch's rule). When every window is
 * whole (no padding or edge clips it) the windows of a few planes at once go tap by tap through
 * {@link Backend#maxPoolTap} (lanes and masks on the vector backend: no branch to mispredict);
 * clipped windows are read one by one. The index of each maximum is kept only when the
 * backward will need it (grad mode on and the input requiring grad), so inference allocates
 * nothing but the output.
 */
final class MaxPooling {
    /** Windows per {@link Backend#maxPoolTap} call at least (whole planes grouped up to it), so short planes still fill whole vectors. */
    private static final int MIN_WINDOWS = 64;

    private MaxPooling() {
    }

    /** See {@link Functional#maxPool2d}. */
    static Tensor maxPool2d(Tensor x, Pool2dOptions o) {
        String op = "maxPool2d";
        OpArgs.planes(op, x, 3);
        int h = x.shape[x.dim() - 2], w = x.shape[x.dim() - 1];
        int oh = o.outH(h), ow = o.outW(w);
        Pooling.checkOutput(op, x, o, oh, ow);
        Windows wy = Windows.max(h, oh, o.kernelH(), o.strideH(), o.padH(), o.dilationH());
        Windows wx = Windows.max(w, ow, o.kernelW(), o.strideW(), o.padW(), o.dilationW());
        Tensor xc = OpArgs.dense(x);
        int planes = x.numel() / (h * w), plane = h * w, outPlane = oh * ow;
        float[] out = new float[planes * outPlane];
        // where each maximum is, as an index into x's elements (-1 for an empty window); the
        // same condition as Autograd.record's, so a model run without gradients skips it
        int[] argmax = GradMode.isEnabled() && x.requiresGrad() ? new int[out.length] : null;
        Grid grid = new Grid(xc.storage.data, xc.offset, plane, w, wy, wx, out, argmax, outPlane);
        if (wy.whole(o.kernelH()) && wx.whole(o.kernelW())) grid.wholeWindows(planes, tapOffsets(o, w));
        else grid.clippedWindows(planes);
        Tensor y = Tensor.wrap(out, Pooling.outShape(x, oh, ow));
        int[] inShape = x.shape;
        UnaryOperator<Tensor> scatter = g -> {   // the backward: each gradient to its window's maximum
            Tensor gc = OpArgs.dense(g);
            float[] gd = gc.storage.data;
            float[] gx = new float[Shape.numel(inShape)];
            Parallel.forRange(planes, Pooling.grain(outPlane), (p0, p1) -> {   // a plane's maxima lie in its own plane
                for (int q = p0 * outPlane; q < p1 * outPlane; q++) {
                    if (argmax[q] >= 0) gx[argmax[q]] += gd[gc.offset + q];
                }
            });
            return Tensor.wrap(gx, inShape);
        };
        UnaryOperator<Tensor> gather = t -> {    // its adjoint: the values at the maxima
            Tensor tc = OpArgs.dense(t);
            float[] td = tc.storage.data;
            float[] r = new float[argmax.length];
            for (int q = 0; q < r.length; q++) r[q] = argmax[q] >= 0 ? td[tc.offset + argmax[q]] : 0f;
            return Tensor.wrap(r, y.shape);
        };
        // second order: the backward is linear in g at the fixed argmax (zero derivative in x)
        return Autograd.record(op, y, new Tensor[] {x}, new Tensor[0], g -> new Tensor[] {scatter.apply(g)},
                g -> new Tensor[] {new LinearKernels(op + "Backward", op + "Gather", scatter, gather).apply(g)});
    }

    /** Offsets {@code i·dH·w + j·dW} of a window's taps from its corner, row by row. */
    private static int[] tapOffsets(Pool2dOptions o, int w) {
        int[] t = new int[o.kernelH() * o.kernelW()];
        for (int i = 0; i < o.kernelH(); i++) {
            for (int j = 0; j < o.kernelW(); j++) t[i * o.kernelW() + j] = i * o.dilationH() * w + j * o.dilationW();
        }
        return t;
    }

    /** One pooling's input planes, windows and outputs ({@code argmax} null for values only). */
    private record Grid(float[] src, int base, int plane, int w, Windows wy, Windows wx,
                        float[] out, int[] argmax, int outPlane) {

        /** Every window whole: groups of planes, tap by tap over all their windows. */
        void wholeWindows(int planes, int[] taps) {
            int group = Math.max(1, Math.min(planes, (MIN_WINDOWS + outPlane - 1) / outPlane));
            int[] corner = new int[group * outPlane];   // each window's first tap, from its group's first plane
            for (int j = 0, q = 0; j < group; j++) {
                for (int oy = 0; oy < wy.size(); oy++) {
                    for (int ox = 0; ox < wx.size(); ox++) corner[q++] = j * plane + wy.lo()[oy] * w + wx.lo()[ox];
                }
            }
            Backend be = Backends.current();
            Parallel.forRange(planes, Pooling.grain(outPlane * taps.length), (p0, p1) -> {
                for (int p = p0; p < p1; p += group) {
                    int n = Math.min(group, p1 - p) * outPlane, first = p * plane;
                    for (int t = 0; t < taps.length; t++) {
                        be.maxPoolTap(src, base + first + taps[t], corner, first + taps[t], t == 0, out, argmax, p * outPlane, n);
                    }
                }
            });
        }

        /** Some windows clipped by padding or the input's edge: window by window (-∞ and index -1 when empty). */
        void clippedWindows(int planes) {
            Parallel.forRange(planes, Pooling.grain(outPlane), (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    for (int oy = 0, q = p * outPlane; oy < wy.size(); oy++) {
                        for (int ox = 0; ox < wx.size(); ox++, q++) window(p * plane, oy, ox, q);
                    }
                }
            });
        }

        private void window(int first, int oy, int ox, int q) {
            float best = Float.NEGATIVE_INFINITY;
            int at = -1;
            for (int iy = wy.lo()[oy]; iy < wy.hi()[oy]; iy += wy.step()) {
                for (int ix = wx.lo()[ox]; ix < wx.hi()[ox]; ix += wx.step()) {
                    float v = src[base + first + iy * w + ix];
                    int take = v > best | v != v | at < 0 ? -1 : 0;   // masks; C2 may still branch on the condition (whole windows take the lanes)
                    best = Float.intBitsToFloat(Float.floatToRawIntBits(best) & ~take | Float.floatToRawIntBits(v) & take);
                    at = at & ~take | first + iy * w + ix & take;
                }
            }
            out[q] = best;
            if (argmax != null) argmax[q] = at;
        }
    }
}
