package dev.tersor.tensor;

import dev.tersor.tensor.backend.Parallel;
import java.util.function.UnaryOperator;

/**
 * 2-D max, average and adaptive average pooling over the last two axes of {@code [C, H, W]} or
 * {@code [N, C, H, W]}, with PyTorch's window rules. Each output axis is described once by a
 * {@link Windows} (first valid input index, end, divisor share), so the per-plane loops do no
 * bounds tests; planes are split over threads.
 */
final class Pooling {
    private Pooling() {
    }

    /**
     * The windows along one axis: output {@code o} reads inputs {@code lo[o], lo[o]+step, ...}
     * below {@code hi[o]} (all inside the input), and contributes {@code count[o]} to the
     * average's divisor (a product of the two axes' counts).
     */
    record Windows(int[] lo, int[] hi, int[] count, int step) {
        /** Max-pooling windows: taps {@code o·s − p + t·d}, t &lt; kernel, clipped to the input. */
        static Windows max(int in, int out, int kernel, int stride, int pad, int dilation) {
            int[] lo = new int[out], hi = new int[out];
            for (int o = 0; o < out; o++) {
                int start = o * stride - pad;
                int end = Math.min(start + (kernel - 1) * dilation + 1, in);
                while (start < 0) start += dilation;
                lo[o] = start;
                hi[o] = Math.max(end, start);
            }
            return new Windows(lo, hi, null, dilation);
        }

        /** Average-pooling windows; the divisor counts padding (up to the padded edge) when {@code includePad}. */
        static Windows avg(int in, int out, int kernel, int stride, int pad, boolean includePad) {
            int[] lo = new int[out], hi = new int[out], count = new int[out];
            for (int o = 0; o < out; o++) {
                int start = o * stride - pad;
                int end = Math.min(start + kernel, in + pad);
                int padded = end - start;
                start = Math.max(start, 0);
                end = Math.min(end, in);
                lo[o] = start;
                hi[o] = Math.max(end, start);
                count[o] = includePad ? padded : hi[o] - lo[o];
            }
            return new Windows(lo, hi, count, 1);
        }

        /** Adaptive windows {@code [⌊o·in/out⌋, ⌈(o+1)·in/out⌉)}. */
        static Windows adaptive(int in, int out) {
            int[] lo = new int[out], hi = new int[out], count = new int[out];
            for (int o = 0; o < out; o++) {
                lo[o] = (int) ((long) o * in / out);
                hi[o] = (int) (((long) (o + 1) * in + out - 1) / out);
                count[o] = hi[o] - lo[o];
            }
            return new Windows(lo, hi, count, 1);
        }

        int size() {
            return lo.length;
        }

        /** Whether every window holds all {@code kernel} taps (none clipped by padding or the edge). */
        boolean whole(int kernel) {
            for (int o = 0; o < lo.length; o++) {
                if (hi[o] - lo[o] != (kernel - 1) * step + 1) return false;
            }
            return true;
        }
    }

    // ---- max ----

    /** See {@link Functional#maxPool2d}. */
    static Tensor maxPool2d(Tensor x, Pool2dOptions o) {
        String op = "maxPool2d";
        OpArgs.planes(op, x, 3);
        int h = x.shape[x.dim() - 2], w = x.shape[x.dim() - 1];
        int oh = o.outH(h), ow = o.outW(w);
        checkOutput(op, x, o, oh, ow);
        Windows wy = Windows.max(h, oh, o.kernelH(), o.strideH(), o.padH(), o.dilationH());
        Windows wx = Windows.max(w, ow, o.kernelW(), o.strideW(), o.padW(), o.dilationW());
        Tensor xc = OpArgs.dense(x);
        float[] src = xc.storage.data;
        int base = xc.offset, planes = x.numel() / (h * w), plane = h * w, outPlane = oh * ow;
        float[] out = new float[planes * outPlane];
        int[] argmax = new int[out.length];   // index within the input plane, -1 for an empty window
        int[] taps = wy.whole(o.kernelH()) && wx.whole(o.kernelW()) ? tapOffsets(o, w) : null;
        Parallel.forRange(planes, grain(outPlane * o.kernelH() * o.kernelW()), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int in = base + p * plane;
                for (int oy = 0, q = p * outPlane; oy < oh; oy++, q += ow) {
                    if (taps != null) {
                        maxRow(src, in, wy.lo[oy] * w + wx.lo[0], o.strideW(), ow, taps, out, argmax, q);
                    } else {
                        for (int ox = 0; ox < ow; ox++) maxClipped(src, in, w, wy, wx, oy, ox, out, argmax, q + ox);
                    }
                }
            }
        });
        Tensor y = Tensor.wrap(out, outShape(x, oh, ow));
        int[] inShape = x.shape;
        UnaryOperator<Tensor> scatter = g -> {   // the backward: each gradient to its window's maximum
            Tensor gc = OpArgs.dense(g);
            float[] gd = gc.storage.data;
            float[] gx = new float[Shape.numel(inShape)];
            Parallel.forRange(planes, grain(outPlane), (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    for (int q = p * outPlane; q < (p + 1) * outPlane; q++) {
                        if (argmax[q] >= 0) gx[p * plane + argmax[q]] += gd[gc.offset + q];
                    }
                }
            });
            return Tensor.wrap(gx, inShape);
        };
        UnaryOperator<Tensor> gather = t -> {    // its adjoint: the values at the maxima
            Tensor tc = OpArgs.dense(t);
            float[] td = tc.storage.data;
            float[] r = new float[argmax.length];
            for (int p = 0, q = 0; p < planes; p++) {
                for (int end = q + outPlane; q < end; q++) r[q] = argmax[q] >= 0 ? td[tc.offset + p * plane + argmax[q]] : 0f;
            }
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

    /**
     * The maxima of output row {@code oy} of a plane whose windows are all whole, and their indices
     * in the plane: the first maximum wins and NaN propagates (PyTorch's rule). Tap by tap over
     * the row, selecting through int masks: a float select compiles to a branch on x86, and on
     * real data it is mispredicted often enough to make the pool several times slower.
     */
    private static void maxRow(float[] src, int in, int rowCorner, int sx, int ow, int[] taps, float[] out, int[] argmax, int q) {
        for (int ox = 0; ox < ow; ox++) {
            argmax[q + ox] = rowCorner + ox * sx;
            out[q + ox] = src[in + rowCorner + ox * sx];
        }
        for (int t = 1; t < taps.length; t++) {
            int first = rowCorner + taps[t];
            for (int ox = 0; ox < ow; ox++) {
                int i = first + ox * sx;
                float v = src[in + i], best = out[q + ox];
                int take = v > best | v != v ? -1 : 0;
                out[q + ox] = Float.intBitsToFloat(Float.floatToRawIntBits(best) & ~take | Float.floatToRawIntBits(v) & take);
                argmax[q + ox] = argmax[q + ox] & ~take | i & take;
            }
        }
    }

    /** {@link #maxRow} for one window clipped by padding or the input's edge (-∞ and index -1 when empty). */
    private static void maxClipped(float[] src, int in, int w, Windows wy, Windows wx, int oy, int ox,
                                   float[] out, int[] argmax, int q) {
        float best = Float.NEGATIVE_INFINITY;
        int at = -1;
        for (int iy = wy.lo[oy]; iy < wy.hi[oy]; iy += wy.step) {
            for (int ix = wx.lo[ox]; ix < wx.hi[ox]; ix += wx.step) {
                float v = src[in + iy * w + ix];
                int take = v > best | v != v | at < 0 ? -1 : 0;
                best = Float.intBitsToFloat(Float.floatToRawIntBits(best) & ~take | Float.floatToRawIntBits(v) & take);
                at = at & ~take | iy * w + ix & take;
            }
        }
        out[q] = best;
        argmax[q] = at;
    }

    // ---- average ----

    /** See {@link Functional#avgPool2d}. */
    static Tensor avgPool2d(Tensor x, Pool2dOptions o) {
        String op = "avgPool2d";
        OpArgs.planes(op, x, 3);
        if (o.dilationH() != 1 || o.dilationW() != 1) {
            throw new IllegalArgumentException(op + ": dilation " + OpArgs.pair(o.dilationH(), o.dilationW())
                    + " is not supported for average pooling (input " + Shape.str(x.shape) + ")");
        }
        int h = x.shape[x.dim() - 2], w = x.shape[x.dim() - 1];
        int oh = o.outH(h), ow = o.outW(w);
        checkOutput(op, x, o, oh, ow);
        return average(op, x,
                Windows.avg(h, oh, o.kernelH(), o.strideH(), o.padH(), o.countIncludePad()),
                Windows.avg(w, ow, o.kernelW(), o.strideW(), o.padW(), o.countIncludePad()));
    }

    /** See {@link Functional#adaptiveAvgPool2d}. */
    static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        String op = "adaptiveAvgPool2d";
        OpArgs.planes(op, x, 3);
        OpArgs.positive(op, "output height", outH);
        OpArgs.positive(op, "output width", outW);
        return average(op, x, Windows.adaptive(x.shape[x.dim() - 2], outH), Windows.adaptive(x.shape[x.dim() - 1], outW));
    }

    /** Window means: {@code out = Σ window / (countY·countX)}; an empty window gives 0. */
    private static Tensor average(String op, Tensor x, Windows wy, Windows wx) {
        int h = x.shape[x.dim() - 2], w = x.shape[x.dim() - 1];
        int oh = wy.size(), ow = wx.size();
        int planes = x.numel() / (h * w), plane = h * w, outPlane = oh * ow;
        float[] scale = new float[outPlane];   // 1/divisor, 0 for an empty window
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                boolean empty = wy.hi[oy] <= wy.lo[oy] || wx.hi[ox] <= wx.lo[ox];
                scale[oy * ow + ox] = empty ? 0f : 1f / ((float) wy.count[oy] * wx.count[ox]);
            }
        }
        int window = Math.max(1, plane / Math.max(1, outPlane));
        int[] inShape = x.shape, yShape = outShape(x, oh, ow);
        UnaryOperator<Tensor> forward = t -> {
            Tensor xc = OpArgs.dense(t);
            float[] src = xc.storage.data;
            float[] out = new float[planes * outPlane];
            Parallel.forRange(planes, grain(outPlane * window), (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    int in = xc.offset + p * plane;
                    for (int oy = 0, q = p * outPlane; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++, q++) {
                            float s = 0f;
                            for (int iy = wy.lo[oy]; iy < wy.hi[oy]; iy++) {
                                for (int ix = wx.lo[ox], r = in + iy * w; ix < wx.hi[ox]; ix++) s += src[r + ix];
                            }
                            out[q] = s * scale[oy * ow + ox];
                        }
                    }
                }
            });
            return Tensor.wrap(out, yShape);
        };
        UnaryOperator<Tensor> adjoint = g -> {
            Tensor gc = OpArgs.dense(g);
            float[] gd = gc.storage.data;
            float[] gx = new float[Shape.numel(inShape)];
            Parallel.forRange(planes, grain(outPlane * window), (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    int in = p * plane;
                    for (int oy = 0, q = p * outPlane; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++, q++) {
                            float v = gd[gc.offset + q] * scale[oy * ow + ox];
                            for (int iy = wy.lo[oy]; iy < wy.hi[oy]; iy++) {
                                for (int ix = wx.lo[ox], r = in + iy * w; ix < wx.hi[ox]; ix++) gx[r + ix] += v;
                            }
                        }
                    }
                }
            });
            return Tensor.wrap(gx, inShape);
        };
        return new LinearKernels(op, op + "Backward", forward, adjoint).apply(x);
    }

    // ---- shared ----

    private static void checkOutput(String op, Tensor x, Pool2dOptions o, int oh, int ow) {
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " is too small for kernel "
                    + OpArgs.pair(o.kernelH(), o.kernelW()) + " (dilation " + OpArgs.pair(o.dilationH(), o.dilationW())
                    + ", padding " + OpArgs.pair(o.padH(), o.padW()) + "): output would be " + oh + "×" + ow);
        }
    }

    /** {@code x}'s shape with the last two axes replaced by {@code oh, ow}. */
    static int[] outShape(Tensor x, int oh, int ow) {
        int[] s = x.shape.clone();
        s[s.length - 2] = oh;
        s[s.length - 1] = ow;
        return s;
    }

    /** Planes per parallel chunk for {@code work} operations per plane. */
    static int grain(int work) {
        return Math.max(1, Elementwise.GRAIN / Math.max(1, work));
    }
}
