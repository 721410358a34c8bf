package dev.tersor.tensor;

import dev.tersor.tensor.backend.Parallel;

/**
 * {@code interpolate} over the last two axes of {@code [N, C, H, W]} with PyTorch 1.13's
 * source-index arithmetic (float32, as its CPU kernels). Both modes are separable: each output
 * axis is described once by a {@link Taps} (one source index for nearest, two with weights for
 * bilinear), and one loop serves forward and backward of both modes.
 */
final class Resampling {
    private Resampling() {
    }

    /**
     * Source taps along one axis: output {@code o} reads {@code index[t][o]} with weight
     * {@code weight[t][o]} for {@code t < count}.
     */
    record Taps(int count, int[][] index, float[][] weight) {
        /**
         * PyTorch's nearest_idx: {@code o} when the size does not change, {@code o/2} when it
         * doubles, else {@code min(⌊o·scale⌋, in − 1)} with {@code scale = in/out} (or
         * 1/scaleFactor). Deliberately so in both directions: PyTorch 1.13's backward and its
         * channels-last (or one-channel) forward do the same, while its forward over more than
         * one channel skips the two shortcuts (so a factor of 1.1 on size 6 there reads rows
         * 0, 0, 1, 2, 3, 4 forward yet sends the gradient back as a copy).
         */
        static Taps nearest(int in, int out, double scaleFactor) {
            int[] idx = new int[out];
            float[] one = new float[out];
            float scale = scale(in, out, scaleFactor);
            for (int o = 0; o < out; o++) {
                if (out == in) idx[o] = o;
                else if (out == 2 * in) idx[o] = o >> 1;
                else idx[o] = Math.min((int) Math.floor(o * scale), in - 1);
                one[o] = 1f;
            }
            return new Taps(1, new int[][] {idx}, new float[][] {one});
        }

        /**
         * Linear taps: an axis whose size does not change is copied ({@code src = o}, whatever
         * the scale factor: PyTorch's {@code compute_source_index_and_lambda} shortcut, so a
         * factor of 1.1 on size 6, which gives 6, copies that axis forward and backward);
         * otherwise source {@code o·(in−1)/(out−1)} with align corners (0 when out is 1), else
         * {@code max((o + 0.5)·scale − 0.5, 0)}; then the floor and the next index (clamped to
         * the input) weighted by the fraction.
         */
        static Taps linear(int in, int out, boolean alignCorners, double scaleFactor) {
            int[] i0 = new int[out], i1 = new int[out];
            float[] w0 = new float[out], w1 = new float[out];
            float scale = alignCorners ? (out > 1 ? (float) (in - 1) / (out - 1) : 0f) : scale(in, out, scaleFactor);
            for (int o = 0; o < out; o++) {
                float src = in == out ? o : alignCorners ? scale * o : (float) Math.max(scale * (o + 0.5) - 0.5, 0.0);
                int lo = (int) src;
                float frac = Math.min(Math.max(src - lo, 0f), 1f);
                i0[o] = lo;
                i1[o] = lo < in - 1 ? lo + 1 : lo;
                w0[o] = 1f - frac;
                w1[o] = frac;
            }
            return new Taps(2, new int[][] {i0, i1}, new float[][] {w0, w1});
        }

        /** PyTorch's compute_scales_value: {@code 1/scaleFactor} when one was given, else {@code in/out}. */
        private static float scale(int in, int out, double scaleFactor) {
            return scaleFactor > 0 ? (float) (1.0 / scaleFactor) : (float) in / out;
        }
    }

    /** See {@link Functional#interpolate(Tensor, int, int, InterpolationMode, boolean)}. */
    static Tensor interpolate(Tensor x, int outH, int outW, InterpolationMode mode, boolean alignCorners) {
        return interpolate(x, outH, outW, mode, alignCorners, 0, 0);
    }

    /** See {@link Functional#interpolate(Tensor, double, InterpolationMode, boolean)}. */
    static Tensor interpolate(Tensor x, double scaleFactor, InterpolationMode mode, boolean alignCorners) {
        OpArgs.rank("interpolate", "input", x, 4, "[N, C, H, W]");
        if (!(scaleFactor > 0) || Double.isInfinite(scaleFactor)) {
            throw new IllegalArgumentException("interpolate: scale factor must be positive and finite, got " + scaleFactor
                    + " (input " + Shape.str(x.shape) + ")");
        }
        int outH = (int) Math.floor(x.shape[2] * scaleFactor), outW = (int) Math.floor(x.shape[3] * scaleFactor);
        return interpolate(x, outH, outW, mode, alignCorners, scaleFactor, scaleFactor);
    }

    private static Tensor interpolate(Tensor x, int outH, int outW, InterpolationMode mode, boolean alignCorners,
                                      double scaleH, double scaleW) {
        String op = "interpolate";
        OpArgs.rank(op, "input", x, 4, "[N, C, H, W]");
        if (mode == null) throw new IllegalArgumentException(op + ": mode must not be null");
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException(op + ": output size " + outH + "×" + outW + " must be positive (input "
                    + Shape.str(x.shape) + ")");
        }
        if (x.shape[2] < 1 || x.shape[3] < 1) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " has an empty plane");
        }
        if (alignCorners && mode == InterpolationMode.NEAREST) {
            throw new IllegalArgumentException(op + ": alignCorners applies to BILINEAR only, not NEAREST (input "
                    + Shape.str(x.shape) + ")");
        }
        int h = x.shape[2], w = x.shape[3];
        Taps ty = mode == InterpolationMode.NEAREST ? Taps.nearest(h, outH, scaleH) : Taps.linear(h, outH, alignCorners, scaleH);
        Taps tx = mode == InterpolationMode.NEAREST ? Taps.nearest(w, outW, scaleW) : Taps.linear(w, outW, alignCorners, scaleW);
        int planes = x.shape[0] * x.shape[1];
        int[] inShape = x.shape, outShape = {x.shape[0], x.shape[1], outH, outW};
        String name = mode == InterpolationMode.NEAREST ? "interpolateNearest" : "interpolateBilinear";
        return new LinearKernels(name, name + "Backward", t -> {
            Tensor xc = OpArgs.dense(t);
            float[] out = new float[planes * outH * outW];
            apply(false, xc.storage.data, xc.offset, out, 0, planes, h, w, ty, tx);
            return Tensor.wrap(out, outShape);
        }, g -> {
            Tensor gc = OpArgs.dense(g);
            float[] gx = new float[Shape.numel(inShape)];
            apply(true, gx, 0, gc.storage.data, gc.offset, planes, h, w, ty, tx);
            return Tensor.wrap(gx, inShape);
        }).apply(x);
    }

    /**
     * {@code out[p, oy, ox] = Σ wy·wx·in[p, iy, ix]} over the taps, or with {@code adjoint} its
     * transpose {@code in[p, iy, ix] += wy·wx·out[p, oy, ox]}. Planes are split over threads.
     */
    private static void apply(boolean adjoint, float[] in, int inOff, float[] out, int outOff, int planes, int h, int w,
                              Taps ty, Taps tx) {
        int oh = ty.index[0].length, ow = tx.index[0].length;
        int grain = Math.max(1, Elementwise.GRAIN / Math.max(1, oh * ow * ty.count * tx.count));
        Parallel.forRange(planes, grain, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int ip = inOff + p * h * w;
                for (int oy = 0, q = outOff + p * oh * ow; oy < oh; oy++, q += ow) {
                    for (int a = 0; a < ty.count; a++) {
                        int row = ip + ty.index[a][oy] * w;
                        float wy = ty.weight[a][oy];
                        for (int b = 0; b < tx.count; b++) {
                            int[] ix = tx.index[b];
                            float[] wx = tx.weight[b];
                            if (adjoint) {
                                for (int ox = 0; ox < ow; ox++) in[row + ix[ox]] += wy * wx[ox] * out[q + ox];
                            } else {
                                for (int ox = 0; ox < ow; ox++) out[q + ox] += wy * wx[ox] * in[row + ix[ox]];
                            }
                        }
                    }
                }
            }
        });
    }
}
