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
 * <p>How: {@link #apply} packs 64 channels of each pixel into a word, one plane of words per
 * group of 64 channels ("word-planar"; with stride s the columns of each plane are split by
 * {@code x mod s}), so the inputs of consecutive output positions are consecutive words and the
 * SIMD loop reads a vector of positions per step. For each output row and channel,
 * {@code dot = taps·C − 2·Σ popcount(a XOR w)} over all {@code kh·kw} taps; the border words are
 * 0, so a tap in the padding added {@code C − 2·popcount(w_tap)}, which is subtracted again from
 * a per-row table. Results come out channel-major, i.e. already in NCHW order. Rows are split
 * over {@link Parallel}.
 *
 * <pre>{@code
 * XnorConv2d conv = XnorConv2d.pack(weight, Conv2dOptions.of(1, 1));   // once: packs the weights
 * Tensor y = conv.apply(x);                                             // packs x, XNOR-popcount, [N, K, OH, OW]
 * }</pre>
 */
public final class XnorConv2d {
    /** Spare words after the packed input: the SIMD loop may read a few positions past a row. */
    private static final int SLACK = 64;
    private final XnorKernel kernel;
    private final int outChannels, inChannels, kernelH, kernelW, words, taps, kRows;
    private final Conv2dOptions options;
    /** Rows [roundUp(K, 4), taps·words]: word j of tap t of output channel k at {@code (k·taps + t)·words + j}. */
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
        this.kRows = (outChannels + XnorKernel.PLANAR_ROWS - 1) / XnorKernel.PLANAR_ROWS * XnorKernel.PLANAR_ROWS;
        this.weights = new long[kRows * taps * words];
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
                    weights[(k * taps + t) * words + j] = word[j];
                    ones += Long.bitCount(word[j]);
                }
                zeroTap[k * taps + t] = inChannels - 2 * ones;
            }
        }
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
        Geometry cur = cached;
        if (cur == null || cur.h != h || cur.w != w) cached = cur = new Geometry(h, w, oh, ow);
        Geometry g = cur;
        Tensor src = (x.requiresGrad() ? x.detach() : x).contiguous();
        float[] xs = src.data();
        int xOff = src.dataOffset();
        int plane = h * w;
        long[] act = new long[Math.toIntExact((long) n * words * g.wordStride + SLACK)];
        int pixelsPerTask = Math.max(8, (1 << 14) / Math.max(1, inChannels)) & ~7;
        int tasksPerImage = (plane + pixelsPerTask - 1) / pixelsPerTask;
        Parallel.forRange(n * tasksPerImage, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int img = t / tasksPerImage, p0 = (t % tasksPerImage) * pixelsPerTask;
                kernel.packPixels(xs, xOff + img * inChannels * plane, plane, inChannels, p0, Math.min(plane, p0 + pixelsPerTask),
                        act, img * words * g.wordStride, g.dstPix, g.wordStride);
            }
        });
        Tensor out = Tensor.zeros(n, outChannels, oh, ow);
        float[] ys = out.data();
        long work = (long) taps * words * kRows * ow;
        Parallel.forRange(n * oh, (int) Math.max(1, (1L << 16) / Math.max(1, work)), (from, to) -> run(act, g, from, to, ys));
        out.markModified();
        return out;
    }

    /**
     * Input and output sizes of one call: the word-planar layout, the tap offsets and the padding
     * corrections. A word plane holds the padded image with its columns split by {@code x mod sW}:
     * padded pixel (y, x) at {@code (y·sW + x mod sW)·wq + x / sW}, {@code wq = ⌈wp / sW⌉}, so
     * output positions ox, ox+1, … of one row read consecutive words for every tap.
     */
    private final class Geometry {
        final int h, w, oh, ow;
        /** Words between planes: {@code hp·sW·wq}; an image is {@code words} planes. */
        final int wordStride;
        /** Words between output rows: {@code sH·sW·wq}. */
        final int rowStride;
        /** Plane offset of input pixel {@code y·w + x}. */
        final int[] dstPix;
        /** Plane offset of each tap (i, j) for output position (0, 0). */
        final int[] tapOff;
        final int[] rowClass;
        /** [rowClasses, K, OW]: what to subtract from each position's dot product (0 away from the border). */
        final int[] correction;

        Geometry(int h, int w, int oh, int ow) {
            this.h = h;
            this.w = w;
            this.oh = oh;
            this.ow = ow;
            int sH = options.strideH(), sW = options.strideW(), dH = options.dilationH(), dW = options.dilationW();
            int pH = options.padH(), pW = options.padW();
            int hp = h + 2 * pH, wp = w + 2 * pW, wq = (wp + sW - 1) / sW;
            wordStride = hp * sW * wq;
            rowStride = sH * sW * wq;
            dstPix = new int[h * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) dstPix[y * w + x] = ((y + pH) * sW + (x + pW) % sW) * wq + (x + pW) / sW;
            }
            tapOff = new int[taps];
            for (int i = 0; i < kernelH; i++) {
                for (int j = 0; j < kernelW; j++) tapOff[i * kernelW + j] = (i * dH * sW + (j * dW) % sW) * wq + (j * dW) / sW;
            }
            rowClass = classes(oh, kernelH, sH, pH, dH, h);
            int[] colClass = classes(ow, kernelW, sW, pW, dW, w);
            int rowClasses = max(rowClass) + 1, colClasses = max(colClass) + 1;
            int[] byClass = new int[rowClasses * colClasses * outChannels];
            boolean[] rowValid = new boolean[kernelH], colValid = new boolean[kernelW];
            boolean[] seen = new boolean[rowClasses * colClasses];
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int cls = rowClass[oy] * colClasses + colClass[ox];
                    if (seen[cls]) continue;
                    seen[cls] = true;
                    for (int i = 0; i < kernelH; i++) rowValid[i] = inside(oy * sH - pH + i * dH, h);
                    for (int j = 0; j < kernelW; j++) colValid[j] = inside(ox * sW - pW + j * dW, w);
                    for (int k = 0; k < outChannels; k++) {
                        int sum = 0;
                        for (int i = 0; i < kernelH; i++) {
                            for (int j = 0; j < kernelW; j++) if (!(rowValid[i] && colValid[j])) sum += zeroTap[k * taps + i * kernelW + j];
                        }
                        byClass[cls * outChannels + k] = sum;
                    }
                }
            }
            correction = new int[rowClasses * outChannels * ow];
            for (int rc = 0; rc < rowClasses; rc++) {
                for (int k = 0; k < outChannels; k++) {
                    for (int ox = 0; ox < ow; ox++) {
                        correction[(rc * outChannels + k) * ow + ox] = byClass[(rc * colClasses + colClass[ox]) * outChannels + k];
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
     * Output rows [from, to) of the batch (row r = image r / OH, row r % OH), each in chunks of at
     * most {@code chunk} positions so the popcounts stay in L1 until {@link #store} reads them.
     */
    private void run(long[] act, Geometry g, int from, int to, float[] ys) {
        int block = kernel.positionBlock();
        int chunk = Math.max(block, Math.min(64, 8192 / kRows) / block * block);
        int accStride = (Math.min(chunk, g.ow) + block - 1) / block * block;
        int[] acc = new int[kRows * accStride];
        for (int r = from; r < to; r++) {
            int img = r / g.oh, oy = r % g.oh;
            int rowBase = img * words * g.wordStride + oy * g.rowStride;
            for (int ox0 = 0; ox0 < g.ow; ox0 += chunk) {
                int n = Math.min(chunk, g.ow - ox0);
                kernel.accumulatePlanar(act, rowBase + ox0, g.tapOff, words, g.wordStride, n, weights, outChannels, acc, accStride);
                store(acc, accStride, n, img, oy, ox0, g, ys);
            }
        }
    }

    /** {@code y[img, k, oy, ox0 + i] = (float) (taps·C − 2·popcount − correction)·scale[k] + bias[k]} for i < n. */
    private void store(int[] acc, int accStride, int n, int img, int oy, int ox0, Geometry g, float[] ys) {
        int full = taps * inChannels, plane = g.oh * g.ow;
        int[] corr = g.correction;
        int corrRow = g.rowClass[oy] * outChannels * g.ow + ox0;
        for (int k = 0; k < outChannels; k++) {
            int a = k * accStride, c = corrRow + k * g.ow, d = (img * outChannels + k) * plane + oy * g.ow + ox0;
            if (scale == null && bias == null) {
                for (int i = 0; i < n; i++) ys[d + i] = full - 2 * acc[a + i] - corr[c + i];
            } else {
                float sc = scale == null ? 1f : scale[k], b = bias == null ? 0f : bias[k];
                for (int i = 0; i < n; i++) {
                    float v = full - 2 * acc[a + i] - corr[c + i];
                    if (scale != null) v = v * sc;
                    if (bias != null) v = v + b;
                    ys[d + i] = v;
                }
            }
        }
    }
}
