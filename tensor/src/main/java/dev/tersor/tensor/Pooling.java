package dev.tersor.tensor;

import dev.tersor.tensor.backend.Parallel;
import java.util.function.UnaryOperator;

/**
 * 2-D average and adaptive average pooling over the last two axes of {@code [C, H, W]} or
 * {@code [N, C, H, W]}, with PyTorch's window rules (max pooling: {@link MaxPooling}). Each output axis is described once by a
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

    static void checkOutput(String op, Tensor x, Pool2dOptions o, int oh, int ow) {
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
