package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
import java.util.Arrays;

/**
 * A 2-D convolution on int8 weights and integer arithmetic, weights packed once. For float
 * x [N, C, H, W] and int8 W [K, C/g, kh, kw] (PyTorch's conv2d geometry: stride, zero padding,
 * dilation, groups g, depthwise included):
 * <pre>
 * xq  = clamp(rint(x · (1f/s_x)) + zp, qmin, qmax)                                       ({@link Int8Input})
 * acc[n, k, oy, ox] = Σ_{c, i, j} (xq[n, c', oy·sH − pH + i·dH, ox·sW − pW + j·dW] − zp) · W[k, c, i, j]
 *                      c' = (k / (K/g))·(C/g) + c; a padding position counts as xq = zp (adds 0)
 * y   = (float) acc · (s_x · weightScale[k]) + bias[k],  then max(y, 0) when relu
 * </pre>
 * bit for bit as {@link Int8Reference#conv2d}, on every kernel and thread count.
 *
 * <p>How: {@link #apply} quantizes x into a zero-padded int image of {@code xq − zp}. Wide or
 * grouped layers: for each tile of output positions the kernel gathers the tile's columns (one
 * per tap and input channel, runs of a stride-1 row copied a vector at a time) and multiplies
 * them by every panel of 16 or 32 output channels ({@link Int8Gemm}, channels along the lanes).
 * Narrow ungrouped stride-1 layers (at most {@value #SHIFTED_MAX_CHANNELS} output channels), where
 * few panels would reuse gathered columns, take the kernel's shifted loop instead when it has one
 * ({@link Int8Kernel#shifted}: positions along the lanes, read in place from shifted rows of the
 * padded image). Tiles are split over {@link Parallel}. Batched calls (from
 * {@value ExactFloatProduct#MIN_POSITIONS} output positions, or as a measured plan says:
 * {@link Int8Paths}) whose weights allow it multiply the same integers with the float
 * convolution instead, exactly ({@link ExactFloatProduct}).
 *
 * <pre>{@code
 * Int8Conv2d conv = Int8Conv2d.pack(w, new int[] {64, 64, 3, 3}, Conv2dOptions.of(1, 1), wScale,
 *         Int8Input.uint8(0.02f, 0), bias, true);
 * Tensor y = conv.apply(x);          // x [N, 64, H, W] float → y [N, 64, H, W] float
 * }</pre>
 */
public final class Int8Conv2d {
    private final Int8Kernel kernel;
    /** The gather path's packed weights, or null when the shifted loop runs (the weights are held once). */
    private final Int8Gemm gemm;
    private final Int8Input input;
    private final Conv2dOptions options;
    private final int outChannels, inChannels, cg, kh, kw;
    /** The kernel's weights for its shifted stride-1 loop (narrow ungrouped layers), or null: the gather path. */
    private final byte[] shiftedWeights;
    private final float[] mult, bias;
    private final boolean relu;
    /** Whether batched calls may run the float product exactly ({@link ExactFloatProduct}). */
    private final boolean exactFloat;
    /** Most output channels that take the shifted loop: beyond, the gathered columns serve enough panels to pay. */
    static final int SHIFTED_MAX_CHANNELS = 64;
    /** Positions and offsets of the last input size (inference repeats one size). */
    private volatile Geometry cached;

    private Int8Conv2d(Int8Kernel kernel, byte[] weight, int[] shape, Conv2dOptions options, float[] weightScale,
                       Int8Input input, float[] bias, boolean relu) {
        if (shape == null || shape.length != 4) {
            throw new IllegalArgumentException("Int8Conv2d: weight shape must be [K, C/groups, kh, kw], got " + Arrays.toString(shape));
        }
        for (int s : shape) {
            if (s < 1) throw new IllegalArgumentException("Int8Conv2d: weight shape " + Arrays.toString(shape) + " must be positive");
        }
        if (options == null) throw new IllegalArgumentException("Int8Conv2d: options are required (Conv2dOptions)");
        if (input == null) throw new IllegalArgumentException("Int8Conv2d: input quantization (Int8Input) is required");
        long size = (long) shape[0] * shape[1] * shape[2] * shape[3];
        if (weight == null || weight.length != size) {
            throw new IllegalArgumentException("Int8Conv2d: weight has " + (weight == null ? "no" : weight.length)
                    + " values, shape " + Arrays.toString(shape) + " needs " + size);
        }
        int groups = options.groups();
        if (shape[0] % groups != 0) {
            throw new IllegalArgumentException("Int8Conv2d: output channels of weight " + Arrays.toString(shape)
                    + " must divide by groups = " + groups);
        }
        this.input = input;
        this.options = options;
        this.outChannels = shape[0];
        this.cg = shape[1];
        this.inChannels = cg * groups;
        this.kh = shape[2];
        this.kw = shape[3];
        String s = Arrays.toString(shape);
        this.mult = Int8Linear.multipliers("Int8Conv2d", input, weightScale, outChannels, s);
        Int8Linear.checkBias("Int8Conv2d", bias, outChannels, s);
        this.bias = bias == null ? new float[outChannels] : bias.clone();
        this.relu = relu;
        this.kernel = kernel;
        boolean shifted = groups == 1 && options.strideH() == 1 && options.strideW() == 1 && outChannels <= SHIFTED_MAX_CHANNELS;
        this.shiftedWeights = shifted ? kernel.shiftedWeights(weight, outChannels, cg * kh * kw) : null;
        this.gemm = shiftedWeights != null ? null : new Int8Gemm(kernel, weight, groups, outChannels / groups, cg * kh * kw, mult, bias, relu);
        this.exactFloat = ExactFloatProduct.exact(weight, outChannels, cg * kh * kw, input);
    }

    /**
     * Packs int8 weights for the convolution of the class comment.
     *
     * @param weight      int8 values row-major [K, C/groups, kh, kw]
     * @param weightShape {@code {K, C/groups, kh, kw}}
     * @param options     stride, padding, dilation, groups (K must divide by groups)
     * @param weightScale [K] per-channel scales, or length 1 for the whole tensor; positive, finite
     * @param input       how x is quantized
     * @param bias        [K] float, or null
     * @param relu        apply max(y, 0) last
     */
    public static Int8Conv2d pack(byte[] weight, int[] weightShape, Conv2dOptions options, float[] weightScale,
                                  Int8Input input, float[] bias, boolean relu) {
        return new Int8Conv2d(Int8Kernels.current(), weight, weightShape, options, weightScale, input, bias, relu);
    }

    /** The same with a given kernel (tests compare the scalar and SIMD loops). */
    static Int8Conv2d pack(Int8Kernel kernel, byte[] weight, int[] weightShape, Conv2dOptions options, float[] weightScale,
                           Int8Input input, float[] bias, boolean relu) {
        return new Int8Conv2d(kernel, weight, weightShape, options, weightScale, input, bias, relu);
    }

    /** x [N, C, H, W] float (quantized here, inside the call) → y [N, K, OH, OW] float. */
    public Tensor apply(Tensor x) {
        if (x.dim() != 4 || x.size(1) != inChannels) {
            throw new IllegalArgumentException("Int8Conv2d: expected input [N, " + inChannels + ", H, W] for weight ["
                    + outChannels + ", " + cg + ", " + kh + ", " + kw + "], got " + Arrays.toString(x.shape()));
        }
        int n = x.size(0), h = x.size(2), w = x.size(3);
        Geometry g = cached;
        if (g == null || g.n != n || g.h != h || g.w != w) cached = g = new Geometry(n, h, w, x.shape());
        Geometry geo = g;
        Tensor src = (x.requiresGrad() ? x.detach() : x).contiguous();
        boolean large = (long) n * geo.oh * geo.ow >= ExactFloatProduct.MIN_POSITIONS;
        return run(src, geo, Int8Paths.choose(geo.text, exactFloat, large, path -> run(src, geo, path)));
    }

    /** The convolution of the contiguous input {@code src} on {@code path}. */
    private Tensor run(Tensor src, Geometry geo, Int8Paths.Path path) {
        float[] xs = src.data();
        int xOff = src.dataOffset();
        int n = geo.n, h = geo.h, w = geo.w;
        if (path == Int8Paths.Path.FLOAT_PRODUCT) {
            Tensor centered = ExactFloatProduct.centered(kernel, xs, xOff, src.shape(), input);
            Tensor wf = ExactFloatProduct.scratch(ExactFloatProduct.WEIGHTS, outChannels, cg, kh, kw);
            if (shiftedWeights != null) ExactFloatProduct.widen(weights(), wf.data());
            else gemm.widen(wf.data());
            wf.markModified();
            Tensor acc = dev.tersor.tensor.Functional.conv2d(centered, wf, null, options);
            return ExactFloatProduct.requantize(acc, outChannels, geo.oh * geo.ow, mult, bias, relu);
        }
        int[] d = new int[Math.toIntExact((long) n * inChannels * geo.plane + Int8Kernel.SLACK)];
        int planes = n * inChannels;
        Parallel.forRange(planes, Math.max(1, (1 << 15) / (h * w)), (from, to) -> {
            for (int p = from; p < to; p++) {
                for (int yy = 0; yy < h; yy++) {
                    kernel.quantize(xs, xOff + (p * h + yy) * w, w, input, d,
                            p * geo.plane + (yy + options.padH()) * geo.wp + options.padW());
                }
            }
        });
        Tensor y = Tensor.zeros(n, outChannels, geo.oh, geo.ow);
        float[] ys = y.data();
        if (shiftedWeights != null) {
            int[] wide = kernel.widenShifted(shiftedWeights);   // this thread's buffer, read by every task below
            int spread = geo.spreadOut.length - Int8Kernel.SLACK, chunk = 8 * 48, chunks = (spread + chunk - 1) / chunk;
            int kr = cg * kh * kw, outPlane = geo.oh * geo.ow;
            long unitWork = (long) chunk * kr * outChannels;
            Parallel.forRange(n * chunks, (int) Math.max(1, (1L << 21) / unitWork), (from, to) -> {
                for (int u = from; u < to; u++) {
                    int b = u / chunks, s0 = (u % chunks) * chunk;
                    kernel.shifted(wide, outChannels, kr, d, b * inChannels * geo.plane, geo.koff, s0,
                            Math.min(spread, s0 + chunk), geo.spreadOut, geo.spreadValid, mult, bias, relu, ys, b * outChannels * outPlane, outPlane);
                }
            });
        } else {
            gemm.run(d, geo.koff, cg * geo.plane, geo.base, geo.base.length, geo.obase, geo.oh * geo.ow, ys);
        }
        y.markModified();
        return y;
    }

    /** Padded input plane, output size, tap offsets and window corners of one input size. */
    private final class Geometry {
        final int n, h, w, hp, wp, plane, oh, ow;
        /** The layer and input size as the plan cache names it ({@link Int8Paths}). */
        final String text;
        /** [C/g·kh·kw]: offset of tap (c, i, j) from a window's corner in the padded image. */
        final int[] koff;
        /** [N·OH·OW]: corner of each output position's window in the padded image, and the position's output offset. */
        final int[] base, obase;
        /** Shifted loop: [S + SLACK], S = (OH − 1)·wp + OW: output offset oy·OW + ox of grid position s = oy·wp + ox (0 if dropped), and whether it is kept. */
        final int[] spreadOut;
        final boolean[] spreadValid;

        Geometry(int n, int h, int w, int[] shape) {
            this.n = n;
            this.h = h;
            this.w = w;
            hp = h + 2 * options.padH();
            wp = w + 2 * options.padW();
            plane = Math.toIntExact((long) hp * wp);
            oh = (hp - options.dilationH() * (kh - 1) - 1) / options.strideH() + 1;
            ow = (wp - options.dilationW() * (kw - 1) - 1) / options.strideW() + 1;
            if (hp < options.dilationH() * (kh - 1) + 1 || wp < options.dilationW() * (kw - 1) + 1) {
                throw new IllegalArgumentException("Int8Conv2d: input " + Arrays.toString(shape) + " is smaller than the "
                        + kh + "x" + kw + " kernel with " + options);
            }
            text = "conv " + inChannels + "x" + h + "x" + w + "->" + outChannels + "x" + oh + "x" + ow + " k" + kh + "x" + kw
                    + " s" + options.strideH() + "x" + options.strideW() + " p" + options.padH() + "x" + options.padW()
                    + " d" + options.dilationH() + "x" + options.dilationW() + " g" + options.groups() + " n" + n;
            koff = new int[cg * kh * kw];
            for (int c = 0; c < cg; c++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) koff[(c * kh + i) * kw + j] = c * plane + i * options.dilationH() * wp + j * options.dilationW();
                }
            }
            int positions = Math.toIntExact((long) n * oh * ow);
            base = new int[positions];
            obase = new int[positions];
            for (int b = 0, q = 0; b < n; b++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++, q++) {
                        base[q] = b * inChannels * plane + oy * options.strideH() * wp + ox * options.strideW();
                        obase[q] = b * outChannels * oh * ow + oy * ow + ox;
                    }
                }
            }
            int spread = (oh - 1) * wp + ow;
            spreadOut = new int[spread + Int8Kernel.SLACK];
            spreadValid = new boolean[spread + Int8Kernel.SLACK];
            for (int sp = 0; sp < spread; sp++) {
                if (sp % wp < ow) {
                    spreadOut[sp] = (sp / wp) * ow + sp % wp;
                    spreadValid[sp] = true;
                }
            }
        }
    }

    /** Input channels C. */
    public int inChannels() {
        return inChannels;
    }

    /** Output channels K. */
    public int outChannels() {
        return outChannels;
    }

    /** Stride, padding, dilation and groups. */
    public Conv2dOptions options() {
        return options;
    }

    /** Bytes of int8 weights: {@code K·(C/g)·kh·kw} (the packed copy pads each group's channels to its panel width). */
    public long weightBytes() {
        return (long) outChannels * cg * kh * kw;
    }

    /**
     * The int8 weights [K, C/groups, kh, kw] row-major, as packed (a new array, unpacked from the
     * kernel's layout: the layer holds its weights once, in that layout).
     */
    public byte[] weights() {
        return shiftedWeights != null ? kernel.unpackShifted(shiftedWeights, outChannels, cg * kh * kw) : gemm.weights();
    }

    /** The loops in use: {@code "vector-i32x16"} (AVX-512), {@code "vector-i32x8"}, or {@code "scalar"}. */
    public String kernelName() {
        return kernel.name();
    }
}
