package dev.tersor.tensor;

/**
 * conv2d and conv_transpose2d, each one fused op with its backward beside it. Both run on
 * {@link ConvKernels}: the transposed convolution's forward is the convolution's input gradient
 * and its input gradient is the convolution's forward, with the same weight layout
 * {@code [small channels, big channels / groups, kh, kw]}.
 */
final class Convolution {
    private Convolution() {
    }

    /** See {@link Functional#conv2d(Tensor, Tensor, Tensor, Conv2dOptions)}. */
    static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dOptions o) {
        String op = "conv2d";
        checkRanks(op, x, w);
        int n = x.shape[0], c = x.shape[1], k = w.shape[0], groups = o.groups();
        if (c != w.shape[1] * groups) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " has " + c + " channels but weight "
                    + Shape.str(w.shape) + " expects " + w.shape[1] * groups + " (groups " + groups + ")");
        }
        if (k % groups != 0) {
            throw new IllegalArgumentException(op + ": weight " + Shape.str(w.shape) + " has " + k
                    + " output channels, not divisible by groups " + groups + " (input " + Shape.str(x.shape) + ")");
        }
        checkBias(op, bias, k, x, w);
        Im2col im = Im2col.conv(c, x.shape[2], x.shape[3], w.shape[2], w.shape[3], o);
        if (im.outH < 1 || im.outW < 1) {
            throw new IllegalArgumentException(op + ": kernel " + OpArgs.pair(w.shape[2], w.shape[3]) + " (dilation "
                    + OpArgs.pair(o.dilationH(), o.dilationW()) + ") is larger than the padded input "
                    + OpArgs.pair(x.shape[2] + 2 * o.padH(), x.shape[3] + 2 * o.padW()) + " (input " + Shape.str(x.shape)
                    + ", weight " + Shape.str(w.shape) + ", padding " + OpArgs.pair(o.padH(), o.padW()) + ")");
        }
        ConvKernels kernels = new ConvKernels(im, n, k, groups);
        Tensor xc = OpArgs.dense(x), wc = OpArgs.dense(w);
        float[] y = new float[n * kernels.smallSize()];
        kernels.lower(xc.storage.data, xc.offset, wc.storage.data, wc.offset, y, bias, null, 0, null);
        Tensor out = Tensor.wrap(y, new int[] {n, k, im.outH, im.outW});
        Tensor[] inputs = bias == null ? new Tensor[] {x, w} : new Tensor[] {x, w, bias};
        return Autograd.record(op, out, inputs, new Tensor[] {x, w}, g -> {
            Tensor gc = OpArgs.dense(g);
            float[] gd = gc.storage.data;
            Tensor gx = null, gw = null;
            if (x.requiresGrad()) {
                float[] dx = new float[x.numel()];
                ConvKernels flipped = flippedInputGradient(kernels, k, o);
                if (flipped != null) {
                    flipped.lower(gd, gc.offset, flipWeight(wc, groups), 0, dx, null, null, 0, null);
                } else {
                    kernels.raise(gd, gc.offset, wc.storage.data, wc.offset, dx, null);
                }
                gx = Tensor.wrap(dx, x.shape);
            }
            if (w.requiresGrad()) {
                float[] dw = new float[kernels.weightSize()];
                kernels.lower(xc.storage.data, xc.offset, null, 0, null, null, gd, gc.offset, dw);
                gw = Tensor.wrap(dw, w.shape);
            }
            if (bias == null) return new Tensor[] {gx, gw};
            Tensor gb = bias.requiresGrad() ? ConvKernels.sumPlanes(gd, gc.offset, n, k, im.positions()) : null;
            return new Tensor[] {gx, gw, gb};
        }, g -> graphBackward(kernels, g, x, w, bias, false));
    }

    /**
     * The create-graph backward of {@code small = lower(big, w) + bias} (conv2d) or
     * {@code big = raise(small, w) + bias} (convTranspose2d, {@code transposed}), from recorded
     * {@link ConvMaps}: {@code x} is the op's input and {@code g} its output gradient.
     */
    private static Tensor[] graphBackward(ConvKernels kernels, Tensor g, Tensor x, Tensor w, Tensor bias,
                                          boolean transposed) {
        Tensor gx = !x.requiresGrad() ? null : transposed ? ConvMaps.lower(kernels, g, w) : ConvMaps.raise(kernels, g, w);
        Tensor gw = !w.requiresGrad() ? null : transposed ? ConvMaps.weight(kernels, g, x) : ConvMaps.weight(kernels, x, g);
        if (bias == null) return new Tensor[] {gx, gw};
        return new Tensor[] {gx, gw, bias.requiresGrad() ? g.sum(0, 2, 3) : null};
    }

    /**
     * The kernels of the flipped convolution that computes a stride-1 input gradient (see
     * {@link ConvPlanner#flipInputGradient}), or null to use col2im.
     */
    private static ConvKernels flippedInputGradient(ConvKernels forward, int outChannels, Conv2dOptions o) {
        Im2col im = forward.im;
        if (!ConvPlanner.flipInputGradient(forward, outChannels, o)) return null;
        int padH = o.dilationH() * (im.kh - 1) - o.padH(), padW = o.dilationW() * (im.kw - 1) - o.padW();
        Im2col back = new Im2col(outChannels, im.outH, im.outW, im.height, im.width, im.kh, im.kw, 1, 1,
                padH, padW, o.dilationH(), o.dilationW());
        return new ConvKernels(back, forward.batch, im.channels, o.groups());
    }

    /** {@code W'[g·Cg + c, k, i, j] = W[g·Kg + k, c, kh−1−i, kw−1−j]}: [K, C/g, kh, kw] → [C, K/g, kh, kw]. */
    private static float[] flipWeight(Tensor w, int groups) {
        int k = w.shape[0], cg = w.shape[1], kh = w.shape[2], kw = w.shape[3], kg = k / groups, taps = kh * kw;
        float[] src = w.storage.data, out = new float[w.numel()];
        for (int g = 0; g < groups; g++) {
            for (int a = 0; a < kg; a++) {
                for (int c = 0; c < cg; c++) {
                    int from = w.offset + ((g * kg + a) * cg + c) * taps;
                    int to = ((g * cg + c) * kg + a) * taps;
                    for (int t = 0; t < taps; t++) out[to + t] = src[from + taps - 1 - t];
                }
            }
        }
        return out;
    }

    /** See {@link Functional#convTranspose2d(Tensor, Tensor, Tensor, ConvTranspose2dOptions)}. */
    static Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, ConvTranspose2dOptions o) {
        String op = "convTranspose2d";
        checkRanks(op, x, w);
        int n = x.shape[0], cin = x.shape[1], groups = o.groups();
        if (cin != w.shape[0]) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " has " + cin + " channels but weight "
                    + Shape.str(w.shape) + " expects " + w.shape[0] + " (groups " + groups + ")");
        }
        if (cin % groups != 0) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " has " + cin
                    + " channels, not divisible by groups " + groups + " (weight " + Shape.str(w.shape) + ")");
        }
        int cout = w.shape[1] * groups, kh = w.shape[2], kw = w.shape[3];
        checkBias(op, bias, cout, x, w);
        long oh = (long) (x.shape[2] - 1) * o.strideH() - 2L * o.padH() + (long) o.dilationH() * (kh - 1) + o.outputPadH() + 1;
        long ow = (long) (x.shape[3] - 1) * o.strideW() - 2L * o.padW() + (long) o.dilationW() * (kw - 1) + o.outputPadW() + 1;
        if (oh < 1 || ow < 1 || x.shape[2] < 1 || x.shape[3] < 1) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " and weight " + Shape.str(w.shape)
                    + " with stride " + OpArgs.pair(o.strideH(), o.strideW()) + " and padding "
                    + OpArgs.pair(o.padH(), o.padW()) + " give an empty output " + oh + "×" + ow);
        }
        Im2col im = new Im2col(cout, (int) oh, (int) ow, x.shape[2], x.shape[3], kh, kw,
                o.strideH(), o.strideW(), o.padH(), o.padW(), o.dilationH(), o.dilationW());
        ConvKernels kernels = new ConvKernels(im, n, cin, groups);
        Tensor xc = OpArgs.dense(x), wc = OpArgs.dense(w);
        float[] y = new float[n * im.imageSize()];
        kernels.raise(xc.storage.data, xc.offset, wc.storage.data, wc.offset, y, bias);
        Tensor out = Tensor.wrap(y, new int[] {n, cout, im.height, im.width});
        Tensor[] inputs = bias == null ? new Tensor[] {x, w} : new Tensor[] {x, w, bias};
        return Autograd.record(op, out, inputs, new Tensor[] {x, w}, g -> {
            Tensor gc = OpArgs.dense(g);
            float[] gd = gc.storage.data;
            float[] dx = x.requiresGrad() ? new float[x.numel()] : null;
            float[] dw = w.requiresGrad() ? new float[kernels.weightSize()] : null;
            if (dx != null || dw != null) {
                kernels.lower(gd, gc.offset, wc.storage.data, wc.offset, dx, null, xc.storage.data, xc.offset, dw);
            }
            Tensor gx = dx == null ? null : Tensor.wrap(dx, x.shape);
            Tensor gw = dw == null ? null : Tensor.wrap(dw, w.shape);
            if (bias == null) return new Tensor[] {gx, gw};
            Tensor gb = bias.requiresGrad() ? ConvKernels.sumPlanes(gd, gc.offset, n, cout, im.height * im.width) : null;
            return new Tensor[] {gx, gw, gb};
        }, g -> graphBackward(kernels, g, x, w, bias, true));
    }

    private static void checkRanks(String op, Tensor x, Tensor w) {
        if (x.dim() != 4 || w.dim() != 4) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " must be 4-D [N, C, H, W] and weight "
                    + Shape.str(w.shape) + " 4-D [out, in/groups, kh, kw]");
        }
        for (int d = 0; d < 4; d++) {
            if (w.shape[d] == 0 || (d > 0 && x.shape[d] == 0)) {
                throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " and weight "
                        + Shape.str(w.shape) + " must not have empty channel or spatial axes");
            }
        }
    }

    private static void checkBias(String op, Tensor bias, int channels, Tensor x, Tensor w) {
        if (bias != null && (bias.dim() != 1 || bias.shape[0] != channels)) {
            throw new IllegalArgumentException(op + ": bias " + Shape.str(bias.shape) + " must be [" + channels
                    + "] for input " + Shape.str(x.shape) + " and weight " + Shape.str(w.shape));
        }
    }
}
