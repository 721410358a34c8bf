package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Function;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * Adder ops (AdderNet, Chen et al., CVPR 2020): a convolution and a linear layer whose response
 * is the negative L1 distance between each input patch and each filter, with no multiplication.
 * <pre>{@code
 * Tensor y = Adder.conv2d(x, w, Conv2dOptions.of(1, 1));        // x [N, C, H, W], w [K, C, 3, 3] → [N, K, H, W]
 * Tensor z = Adder.linear(h, fc);                               // h [N, 400], fc [120, 400] → [N, 120]
 * }</pre>
 * Both lower their input to a column matrix, one column per patch (the whole batch in one
 * matrix), and run {@link L1Kernels#negL1} against the filters; their backward runs the
 * AdderNet rules of {@link AdderBackward} ({@link AdderBackward#ADDERNET} unless told
 * otherwise) on {@link L1Kernels#diffGrad} and {@link L1Kernels#hardTanhGrad}. The kernels are
 * those of the current backend ({@link L1Kernels#current()}). Only the input and the filters are
 * kept for backward; the columns are lowered again there.
 */
public final class Adder {
    private Adder() {
    }

    // ---- convolution ----

    /**
     * Adder convolution: {@code y[n, k, oy, ox] = −Σ_{c, i, j} |x[n, c, oy·s − p + i·d, ox·s − p + j·d] − W[k, c, i, j]|},
     * padding reading zeros (as the official code's {@code unfold}). Trains with
     * {@link AdderBackward#ADDERNET}. The one-call entry point for benchmarks: float tensors in,
     * float tensor out.
     *
     * @param x input [N, C, H, W]
     * @param w filters [K, C, kh, kw]
     * @param o stride, padding and dilation (groups must be 1)
     * @return [N, K, OH, OW], with {@code OH = ⌊(H + 2p − d·(kh − 1) − 1)/s⌋ + 1}, likewise OW
     */
    public static Tensor conv2d(Tensor x, Tensor w, Conv2dOptions o) {
        return conv2d(x, w, null, o, AdderBackward.ADDERNET);
    }

    /**
     * {@link #conv2d(Tensor, Tensor, Conv2dOptions)} plus a bias [K] (or null) added to every
     * output plane (an ordinary add, with its ordinary gradient), back-propagating by {@code backward}.
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dOptions o, AdderBackward backward) {
        String op = "adderConv2d";
        if (x.dim() != 4 || w.dim() != 4) {
            throw new IllegalArgumentException(op + ": input " + Arrays.toString(x.shape()) + " must be 4-D [N, C, H, W] and weight "
                    + Arrays.toString(w.shape()) + " 4-D [K, C, kh, kw]");
        }
        if (o.groups() != 1) throw new IllegalArgumentException(op + ": groups must be 1, got " + o.groups());
        if (x.size(1) != w.size(1)) {
            throw new IllegalArgumentException(op + ": input " + Arrays.toString(x.shape()) + " has " + x.size(1)
                    + " channels but weight " + Arrays.toString(w.shape()) + " expects " + w.size(1));
        }
        for (int d = 1; d < 4; d++) {
            if (x.size(d) == 0 || w.size(d) == 0 || w.size(0) == 0) {
                throw new IllegalArgumentException(op + ": input " + Arrays.toString(x.shape()) + " and weight "
                        + Arrays.toString(w.shape()) + " must not have empty channel or spatial axes");
            }
        }
        int kh = w.size(2), kw = w.size(3);
        int oh = outSize(x.size(2), kh, o.strideH(), o.padH(), o.dilationH());
        int ow = outSize(x.size(3), kw, o.strideW(), o.padW(), o.dilationW());
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": kernel " + kh + "×" + kw + " (dilation " + o.dilationH() + "×" + o.dilationW()
                    + ") is larger than the padded input " + (x.size(2) + 2 * o.padH()) + "×" + (x.size(3) + 2 * o.padW())
                    + " (input " + Arrays.toString(x.shape()) + ", weight " + Arrays.toString(w.shape()) + ")");
        }
        checkBias(op, bias, w.size(0));
        var g = new AdderColumns.Geometry(x.size(0), x.size(1), x.size(2), x.size(3), kh, kw, o.strideH(), o.strideW(),
                o.padH(), o.padW(), o.dilationH(), o.dilationW(), oh, ow);
        Tensor y = new Conv(g, backward).apply(x, w);
        return bias == null ? y : y.add(bias.reshape(1, w.size(0), 1, 1));
    }

    /** {@code ⌊(in + 2·pad − dilation·(kernel − 1) − 1)/stride⌋ + 1}, below 1 when the kernel does not fit. */
    private static int outSize(int in, int kernel, int stride, int pad, int dilation) {
        long span = (long) in + 2L * pad - (long) dilation * (kernel - 1) - 1;
        return (int) Math.max(Math.floorDiv(span, (long) stride) + 1, 0);
    }

    // ---- linear ----

    /**
     * Adder fully connected layer: {@code y[..., o] = −Σ_i |x[..., i] − W[o, i]|}, trained with
     * {@link AdderBackward#ADDERNET}.
     *
     * @param x input [..., in]
     * @param w filters [out, in]
     * @return [..., out]
     */
    public static Tensor linear(Tensor x, Tensor w) {
        return linear(x, w, null, AdderBackward.ADDERNET);
    }

    /** {@link #linear(Tensor, Tensor)} plus a bias [out] (or null), back-propagating by {@code backward}. */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias, AdderBackward backward) {
        String op = "adderLinear";
        if (x.dim() < 1 || w.dim() != 2 || x.size(x.dim() - 1) != w.size(1)) {
            throw new IllegalArgumentException(op + ": input " + Arrays.toString(x.shape()) + " must end in "
                    + (w.dim() == 2 ? w.size(1) : "in") + " features for weight " + Arrays.toString(w.shape()) + " [out, in]");
        }
        if (w.size(0) == 0 || w.size(1) == 0) throw new IllegalArgumentException(op + ": weight " + Arrays.toString(w.shape()) + " is empty");
        checkBias(op, bias, w.size(0));
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = w.size(0);
        int rows = x.numel() / w.size(1);
        Tensor y = new Dense(backward).apply(x.reshape(rows, w.size(1)), w).reshape(outShape);
        return bias == null ? y : y.add(bias);
    }

    private static void checkBias(String op, Tensor bias, int out) {
        if (bias != null && (bias.dim() != 1 || bias.size(0) != out)) {
            throw new IllegalArgumentException(op + ": bias " + Arrays.toString(bias.shape()) + " must be [" + out + "]");
        }
    }

    // ---- the differentiable ops ----

    /** The convolution: columns B [C·kh·kw, N·OH·OW], filters A = W [K, C·kh·kw], output [K, N·OH·OW]. */
    private static final class Conv extends Function {
        private final AdderColumns.Geometry g;
        private final AdderBackward backward;

        Conv(AdderColumns.Geometry g, AdderBackward backward) {
            this.g = g;
            this.backward = backward;
        }

        @Override
        public String name() {
            return "adderConv2d";
        }

        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            Tensor x = in[0].contiguous(), w = in[1].contiguous();
            ctx.save(x, w);
            int k = w.size(0), n = g.n(), l = g.positions();
            float[] cols = AdderColumns.lower(x.data(), x.dataOffset(), g);
            Tensor y = Tensor.zeros(n, k, g.oh(), g.ow());
            float[] yd = y.data();
            if (n == 1) {
                L1Kernels.current().negL1(k, l, g.rows(), w.data(), w.dataOffset(), cols, 0, yd, 0);
            } else {
                float[] c = new float[k * g.columns()];
                L1Kernels.current().negL1(k, g.columns(), g.rows(), w.data(), w.dataOffset(), cols, 0, c, 0);
                AdderColumns.channelToBatchMajor(c, 0, k, n, l, yd, 0);
            }
            return y;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            Tensor x = ctx.saved(0), w = ctx.saved(1);
            int k = w.size(0), n = g.n(), l = g.positions(), rows = g.rows(), columns = g.columns();
            Tensor gc = grad.contiguous();
            float[] gm;
            int gOff;
            if (n == 1) {
                gm = gc.data();
                gOff = gc.dataOffset();
            } else {
                gm = new float[k * columns];
                gOff = 0;
                AdderColumns.batchToChannelMajor(gc.data(), gc.dataOffset(), n, k, l, gm, 0);
            }
            float[] cols = AdderColumns.lower(x.data(), x.dataOffset(), g);
            Tensor dx = null, dw = null;
            if (ctx.needsInputGrad(0)) {
                float[] dcols = new float[rows * columns];
                inputGrad(backward, k, columns, rows, w.data(), w.dataOffset(), cols, gm, gOff, dcols);
                dx = Tensor.zeros(x.shape());
                AdderColumns.raise(dcols, g, dx.data(), dx.dataOffset());
            }
            if (ctx.needsInputGrad(1)) dw = filterGrad(backward, k, columns, rows, w, cols, gm, gOff);
            return new Tensor[] {dx, dw};
        }
    }

    /** The linear layer: columns B = xᵀ [in, M], filters A = W [out, in], output yᵀ [out, M]. */
    private static final class Dense extends Function {
        private final AdderBackward backward;

        Dense(AdderBackward backward) {
            this.backward = backward;
        }

        @Override
        public String name() {
            return "adderLinear";
        }

        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            Tensor x = in[0].contiguous(), w = in[1].contiguous();
            ctx.save(x, w);
            int rows = x.size(0), features = x.size(1), out = w.size(0);
            float[] xt = new float[rows * features], yt = new float[out * rows];
            AdderColumns.transpose(x.data(), x.dataOffset(), rows, features, xt, 0);
            L1Kernels.current().negL1(out, rows, features, w.data(), w.dataOffset(), xt, 0, yt, 0);
            Tensor y = Tensor.zeros(rows, out);
            AdderColumns.transpose(yt, 0, out, rows, y.data(), y.dataOffset());
            return y;
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor grad) {
            Tensor x = ctx.saved(0), w = ctx.saved(1), gc = grad.contiguous();
            int rows = x.size(0), features = x.size(1), out = w.size(0);
            float[] xt = new float[rows * features], gt = new float[out * rows];
            AdderColumns.transpose(x.data(), x.dataOffset(), rows, features, xt, 0);
            AdderColumns.transpose(gc.data(), gc.dataOffset(), rows, out, gt, 0);
            Tensor dx = null, dw = null;
            if (ctx.needsInputGrad(0)) {
                float[] dxt = new float[features * rows];
                inputGrad(backward, out, rows, features, w.data(), w.dataOffset(), xt, gt, 0, dxt);
                dx = Tensor.zeros(rows, features);
                AdderColumns.transpose(dxt, 0, features, rows, dx.data(), dx.dataOffset());
            }
            if (ctx.needsInputGrad(1)) dw = filterGrad(backward, out, rows, features, w, xt, gt, 0);
            return new Tensor[] {dx, dw};
        }
    }

    /** dB [k, n] from filters A [m, k], columns B [k, n] and output gradient G [m, n] under {@code rule}. */
    private static void inputGrad(AdderBackward rule, int m, int n, int k, float[] a, int aOff, float[] b, float[] gm, int gOff,
                                  float[] db) {
        if (rule.rule() == AdderBackward.Rule.ADDERNET) {
            L1Kernels.current().hardTanhGrad(m, n, k, a, aOff, b, 0, gm, gOff, db, 0);
        } else {
            L1Distance.signGradB(m, n, k, a, aOff, b, 0, gm, gOff, db, 0);
        }
    }

    /** dA shaped like {@code w} [m, ...k] under {@code rule}, rescaled by its adaptive learning rate. */
    private static Tensor filterGrad(AdderBackward rule, int m, int n, int k, Tensor w, float[] b, float[] gm, int gOff) {
        Tensor dw = Tensor.zeros(w.shape());
        float[] d = dw.data();
        int off = dw.dataOffset();
        if (rule.rule() == AdderBackward.Rule.ADDERNET) {
            L1Kernels.current().diffGrad(m, n, k, w.data(), w.dataOffset(), b, 0, gm, gOff, d, off);
        } else {
            L1Distance.signGradA(m, n, k, w.data(), w.dataOffset(), b, 0, gm, gOff, d, off);
        }
        if (rule.eta() != 0) {
            double ss = 0;
            for (int i = 0; i < m * k; i++) ss += (double) d[off + i] * d[off + i];
            float s = (float) rule.scale(ss, (long) m * k);
            for (int i = 0; i < m * k; i++) d[off + i] *= s;
        }
        return dw;
    }
}
