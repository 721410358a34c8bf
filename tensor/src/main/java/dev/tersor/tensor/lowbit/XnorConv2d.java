package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
import java.util.Arrays;

/**
 * A binary 2-D convolution on packed bits, weights packed once. For float input x [N, C, H, W]
 * and the signs of the weight W [K, C, kh, kw] ({@code s(v) = v >= 0 ? +1 : −1}):
 * <pre>
 * dot[n, k, oy, ox] = Σ_{valid taps (i, j)} Σ_c s(W[k, c, i, j])·s(x[n, c, oy·sH − pH + i·dH, ox·sW − pW + j·dW])
 * y[n, k, oy, ox]   = (float) dot · scale[k] + bias[k]       (each step only when given; no FMA)
 * </pre>
 * which is exactly {@code conv2d(sign(x), sign(W))} in float32 (a sum of ±1 is an integer,
 * exact in any order below 2²⁴) followed by the same per-channel multiply and add: the output
 * equals the training-mode forward of a binary layer bit for bit. Zero padding contributes 0,
 * as the padded zeros of the ±1 tensor do.
 *
 * <p>How: {@link #apply} packs the channels of each pixel into words (NHWC,
 * {@link PackedBits#packChannels}, border words 0), then for each output pixel and channel
 * {@code dot = taps·C − 2·Σ popcount(a XOR w)} over all {@code kh·kw} taps; a border tap read a
 * zero word and added {@code C − 2·popcount(w_tap)}, which is subtracted again per channel from
 * a small table of border patterns. Rows are split over {@link Parallel}.
 *
 * <pre>{@code
 * XnorConv2d conv = XnorConv2d.pack(weight, Conv2dOptions.of(1, 1), null, null);   // once
 * Tensor y = conv.apply(x);                                                         // [N, K, OH, OW]
 * }</pre>
 */
public final class XnorConv2d {
    private final XnorKernel kernel;
    private final int outChannels, inChannels, kernelH, kernelW, words, taps, accStride;
    private final Conv2dOptions options;
    /** Rows [K, taps·words] (word j of tap t at {@code t·words + j}) in the kernel's layout. */
    private final long[] weights;
    /** [K, taps]: {@code C − 2·popcount(w[k, tap])}, the contribution of a tap reading a zero word. */
    private final int[] zeroTap;
    private final float[] scale, bias;
    /** The geometry of the last input size (inference repeats one size). */
    private volatile Geometry cached;

    private XnorConv2d(XnorKernel kernel, Tensor weight, Conv2dOptions options, float[] scale, float[] bias) {
        if (weight.dim() != 4) {
            throw new IllegalArgumentException("XnorConv2d: weight must be [K, C, kh, kw], got " + Arrays.toString(weight.shape()));
        }
        if (options.groups() != 1) throw new IllegalArgumentException("XnorConv2d: groups must be 1, got " + options.groups());
        this.kernel = kernel;
        this.options = options;
        this.outChannels = weight.size(0);
        this.inChannels = weight.size(1);
        this.kernelH = weight.size(2);
        this.kernelW = weight.size(3);
        this.scale = checkVector("scale", scale, outChannels);
        this.bias = checkVector("bias", bias, outChannels);
        this.words = PackedBits.words(inChannels);
        this.taps = kernelH * kernelW;
        this.accStride = kernel.accStride(outChannels);
        long[] rows = new long[outChannels * taps * words];
        this.zeroTap = new int[outChannels * taps];
        float[] w = weight.contiguous().toArray();
        long[] word = new long[words];
        float[] column = new float[inChannels];
        for (int k = 0; k < outChannels; k++) {
            for (int t = 0; t < taps; t++) {
                for (int c = 0; c < inChannels; c++) column[c] = w[(k * inChannels + c) * taps + t];
                PackedBits.packRows(column, 0, 1, inChannels, word, 0);
                int ones = 0;
                for (int j = 0; j < words; j++) {
                    rows[(k * taps + t) * words + j] = word[j];
                    ones += Long.bitCount(word[j]);
                }
                zeroTap[k * taps + t] = inChannels - 2 * ones;
            }
        }
        this.weights = kernel.layout(rows, outChannels, taps * words);
    }

    /**
     * Packs the signs of {@code weight} [K, C, kh, kw] for convolutions with {@code options}
     * (stride, padding, dilation; one group), without scale or bias: {@code y = conv2d(sign(x), sign(W))}.
     * The benchmark entry point: pack once, then time {@link #apply} (which packs the activations).
     */
    public static XnorConv2d pack(Tensor weight, Conv2dOptions options) {
        return pack(weight, options, null, null);
    }

    /**
     * Packs the signs of {@code weight} [K, C, kh, kw] for convolutions with {@code options}
     * (stride, padding, dilation; one group).
     *
     * @param scale per-output-channel factor [K] applied after the dot product, or null
     * @param bias  per-output-channel offset [K] added last, or null
     */
    public static XnorConv2d pack(Tensor weight, Conv2dOptions options, float[] scale, float[] bias) {
        return new XnorConv2d(XnorKernels.current(), weight, options, scale, bias);
    }

    /** The same with a given kernel (tests compare the scalar and SIMD loops). */
    static XnorConv2d pack(XnorKernel kernel, Tensor weight, Conv2dOptions options, float[] scale, float[] bias) {
        return new XnorConv2d(kernel, weight, options, scale, bias);
    }

    static float[] checkVector(String what, float[] v, int n) {
        if (v != null && v.length != n) {
            throw new IllegalArgumentException("Xnor: " + what + " must have " + n + " values (one per output channel), got " + v.length);
        }
        return v == null ? null : v.clone();
    }

    /** The XNOR loop in use ({@code "vector-bitcount"} or {@code "scalar"}). */
    public String kernelName() {
        return kernel.name();
    }

    /** Output channels K. */
    public int outChannels() {
        return outChannels;
    }

    /** Input channels C. */
    public int inChannels() {
        return inChannels;
    }

    /** Stride, padding and dilation. */
    public Conv2dOptions options() {
        return options;
    }

    /** Bytes of packed weights (without the channel padding of the SIMD layout): {@code K·kh·kw·⌈C/64⌉·8}. */
    public long packedWeightBytes() {
        return (long) outChannels * taps * words * Long.BYTES;
    }

    /** Output height for input height {@code h}. */
    public int outHeight(int h) {
        return (h + 2 * options.padH() - options.dilationH() * (kernelH - 1) - 1) / options.strideH() + 1;
    }

    /** Output width for input width {@code w}. */
    public int outWidth(int w) {
        return (w + 2 * options.padW() - options.dilationW() * (kernelW - 1) - 1) / options.strideW() + 1;
    }

    /** Binary convolution of x [N, C, H, W] (packed here, inside the call) → y [N, K, OH, OW]. */
    public Tensor apply(Tensor x) {
        if (x.dim() != 4 || x.size(1) != inChannels) {
            throw new IllegalArgumentException("XnorConv2d: expected input [N, " + inChannels + ", H, W], got " + Arrays.toString(x.shape()));
        }
        int n = x.size(0), h = x.size(2), w = x.size(3);
        int oh = outHeight(h), ow = outWidth(w);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("XnorConv2d: input " + Arrays.toString(x.shape()) + " is smaller than the "
                    + kernelH + "x" + kernelW + " kernel with " + options);
        }
        Tensor src = (x.requiresGrad() ? x.detach() : x).contiguous();
        int pH = options.padH(), pW = options.padW();
        int hp = h + 2 * pH, wp = w + 2 * pW;
        long[] act = new long[Math.toIntExact((long) n * hp * wp * words)];
        float[] xs = src.data();
        int xOff = src.dataOffset();
        Geometry cur = cached;
        if (cur == null || cur.h != h || cur.w != w) cached = cur = new Geometry(h, w, oh, ow, hp, wp);
        Geometry g = cur;
        int plane = h * w, imgWords = hp * wp * words;
        int pixelsPerTask = Math.max(8, (1 << 14) / Math.max(1, inChannels)) & ~7;
        int tasksPerImage = (plane + pixelsPerTask - 1) / pixelsPerTask;
        Parallel.forRange(n * tasksPerImage, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int img = t / tasksPerImage, p0 = (t % tasksPerImage) * pixelsPerTask;
                PackedBits.packPixels(xs, xOff + img * inChannels * plane, plane, inChannels, p0, Math.min(plane, p0 + pixelsPerTask),
                        act, img * imgWords, g.dstPix, words);
            }
        });
        Tensor out = Tensor.zeros(n, outChannels, oh, ow);
        float[] ys = out.data();
        long work = (long) taps * words * accStride * ow;
        Parallel.forRange(n * oh, (int) Math.max(1, (1L << 16) / Math.max(1, work)), (from, to) -> run(act, g, from, to, ys));
        out.markModified();
        return out;
    }

    /** Input and output sizes of one call, the tap offsets and the padding corrections. */
    private final class Geometry {
        final int h, w, oh, ow, hp, wp;
        /** Word offset of input pixel {@code y·w + x} in the padded packed image. */
        final int[] dstPix;
        /** Reduction segments: one per kernel row when taps along x are adjacent words (dilation 1), else one per tap. */
        final int[] segOff;
        final int segLen;
        /** Flat mode: output rows of an image are one run of positions {@code p = oy·wp + ox}. */
        final boolean flat;
        final int[] rowClass, colClass;
        final int colClasses;
        /** [rowClasses·colClasses, K]: what to subtract for each border pattern (0 for the interior). */
        final int[] correction;

        Geometry(int h, int w, int oh, int ow, int hp, int wp) {
            this.h = h;
            this.w = w;
            this.oh = oh;
            this.ow = ow;
            this.hp = hp;
            this.wp = wp;
            dstPix = PackedBits.pixelOffsets(h, w, options.padH(), options.padW(), words);
            int sH = options.strideH(), sW = options.strideW(), dH = options.dilationH(), dW = options.dilationW();
            if (dW == 1) {
                segLen = kernelW * words;
                segOff = new int[kernelH];
                for (int i = 0; i < kernelH; i++) segOff[i] = i * dH * wp * words;
            } else {
                segLen = words;
                segOff = new int[taps];
                for (int i = 0; i < kernelH; i++) {
                    for (int j = 0; j < kernelW; j++) segOff[i * kernelW + j] = (i * dH * wp + j * dW) * words;
                }
            }
            flat = sH == sW && 4 * (wp - ow) <= wp;
            rowClass = classes(oh, kernelH, sH, options.padH(), dH, h);
            colClass = classes(ow, kernelW, sW, options.padW(), dW, w);
            int rowClasses = max(rowClass) + 1;
            colClasses = max(colClass) + 1;
            correction = new int[rowClasses * colClasses * outChannels];
            boolean[] rowValid = new boolean[kernelH], colValid = new boolean[kernelW];
            boolean[] seen = new boolean[rowClasses * colClasses];
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int cls = rowClass[oy] * colClasses + colClass[ox];
                    if (seen[cls]) continue;
                    seen[cls] = true;
                    for (int i = 0; i < kernelH; i++) rowValid[i] = inside(oy * sH - options.padH() + i * dH, h);
                    for (int j = 0; j < kernelW; j++) colValid[j] = inside(ox * sW - options.padW() + j * dW, w);
                    for (int k = 0; k < outChannels; k++) {
                        int sum = 0;
                        for (int i = 0; i < kernelH; i++) {
                            for (int j = 0; j < kernelW; j++) if (!(rowValid[i] && colValid[j])) sum += zeroTap[k * taps + i * kernelW + j];
                        }
                        correction[cls * outChannels + k] = sum;
                    }
                }
            }
        }
    }

    private static boolean inside(int v, int size) {
        return v >= 0 && v < size;
    }

    private static int max(int[] a) {
        int m = 0;
        for (int v : a) m = Math.max(m, v);
        return m;
    }

    /** Numbers output positions along one axis by their pattern of in-bounds taps. */
    private static int[] classes(int outSize, int kernel, int stride, int pad, int dil, int inSize) {
        int[] cls = new int[outSize];
        java.util.Map<java.util.BitSet, Integer> patterns = new java.util.HashMap<>();
        for (int o = 0; o < outSize; o++) {
            java.util.BitSet valid = new java.util.BitSet(kernel);
            for (int i = 0; i < kernel; i++) if (inside(o * stride - pad + i * dil, inSize)) valid.set(i);
            cls[o] = patterns.computeIfAbsent(valid, v -> patterns.size());
        }
        return cls;
    }

    /**
     * Output rows [from, to) of the batch (row r = image r / OH, row r % OH), in chunks of at
     * most {@code chunk} positions so the popcounts stay in L1 before {@link #store} reads them.
     */
    private void run(long[] act, Geometry g, int from, int to, float[] ys) {
        int sH = options.strideH(), sW = options.strideW();
        int imgWords = g.hp * g.wp * words;
        int chunk = Math.max(4, Math.min(64, (4096 / accStride) & ~3));
        int[] acc = new int[chunk * accStride], outPos = new int[chunk], cls = new int[chunk];
        float[] stage = new float[chunk * outChannels];
        int r = from;
        while (r < to) {
            int img = r / g.oh, oy0 = r % g.oh;
            int oy1 = Math.min(g.oh, oy0 + (to - r));
            int imgBase = img * imgWords;
            if (g.flat) {
                // positions p = oy·wp + ox of the padded plane; columns ox >= ow are computed and dropped
                int pEnd = (oy1 - 1) * g.wp + g.ow;
                for (int c0 = oy0 * g.wp; c0 < pEnd; c0 += chunk) {
                    int np = Math.min(chunk, pEnd - c0);
                    kernel.accumulate(act, imgBase + c0 * sW * words, sW * words, np, g.segOff, g.segLen, weights, outChannels, acc);
                    for (int i = 0; i < np; i++) {
                        int oy = (c0 + i) / g.wp, ox = (c0 + i) % g.wp;
                        outPos[i] = ox < g.ow ? oy * g.ow + ox : -1;
                        cls[i] = ox < g.ow ? g.rowClass[oy] * g.colClasses + g.colClass[ox] : 0;
                    }
                    store(acc, np, outPos, cls, stage, g, img, ys);
                }
            } else {
                for (int oy = oy0; oy < oy1; oy++) {
                    for (int c0 = 0; c0 < g.ow; c0 += chunk) {
                        int np = Math.min(chunk, g.ow - c0);
                        kernel.accumulate(act, imgBase + (oy * sH * g.wp + c0 * sW) * words, sW * words, np, g.segOff, g.segLen,
                                weights, outChannels, acc);
                        for (int i = 0; i < np; i++) {
                            outPos[i] = oy * g.ow + c0 + i;
                            cls[i] = g.rowClass[oy] * g.colClasses + g.colClass[c0 + i];
                        }
                        store(acc, np, outPos, cls, stage, g, img, ys);
                    }
                }
            }
            r += oy1 - oy0;
        }
    }

    /**
     * {@code y[img, k, outPos[i]] = (float) (taps·C − 2·popcount − correction)·scale[k] + bias[k]}
     * for the {@code np} positions of a chunk (outPos −1: dropped). The arithmetic runs along
     * channels (contiguous, so the JIT vectorises it) into {@code stage}, then moves to NCHW.
     */
    private void store(int[] acc, int np, int[] outPos, int[] cls, float[] stage, Geometry g, int img, float[] ys) {
        int full = taps * inChannels, kk = outChannels;
        int[] corr = g.correction;
        for (int i = 0; i < np; i++) {
            if (outPos[i] < 0) continue;
            int a = i * accStride, c = cls[i] * kk, st = i * kk;
            for (int k = 0; k < kk; k++) stage[st + k] = full - 2 * acc[a + k] - corr[c + k];
            if (scale != null) for (int k = 0; k < kk; k++) stage[st + k] = stage[st + k] * scale[k];
            if (bias != null) for (int k = 0; k < kk; k++) stage[st + k] = stage[st + k] + bias[k];
        }
        int plane = g.oh * g.ow;
        for (int i = 0; i < np; i++) {
            if (outPos[i] < 0) continue;
            int dst = img * kk * plane + outPos[i], st = i * kk;
            for (int k = 0; k < kk; k++) ys[dst + k * plane] = stage[st + k];
        }
    }
}
