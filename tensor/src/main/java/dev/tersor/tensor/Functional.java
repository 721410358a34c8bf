package dev.tersor.tensor;

/**
 * Neural-network ops as static functions, like {@code torch.nn.functional}: convolutions,
 * pooling, resampling, sliding windows and integer indexing. Every op is differentiable in its
 * float inputs, validates its arguments (an {@link IllegalArgumentException} names the op and the
 * shapes involved) and follows PyTorch 1.13's numerics.
 *
 * <pre>{@code
 * Tensor y = Functional.conv2d(x, w, b, Conv2dOptions.of(1, 1));     // [N, 64, 32, 32]
 * y = Functional.maxPool2d(y.relu(), Pool2dOptions.of(2));           // [N, 64, 16, 16]
 * y = Functional.adaptiveAvgPool2d(y, 1, 1).flatten(1, -1);          // [N, 64]
 * Tensor logits = Functional.linear(y, fcW, fcB);                    // [N, 10]
 * }</pre>
 *
 * Shapes: N batch, C input channels, K output channels, H×W input plane, OH×OW output plane,
 * kh×kw kernel, s stride, p padding, d dilation, g groups. Output sizes of a convolution are
 * {@code OH = ⌊(H + 2p − d·(kh − 1) − 1) / s⌋ + 1}, likewise OW.
 */
public final class Functional {
    private Functional() {
    }

    // ---- normalisation ----

    /**
     * Batch normalisation of x [N, C, *] per channel, one fused op:
     * {@code y = (x − μ)/√(σ² + eps)·γ + β}. In training μ, σ² are the batch's (biased) statistics
     * and the running ones, when given, move by {@code momentum} towards them (unbiased variance);
     * otherwise the running statistics are used. weight, bias and the running tensors [C] may be
     * null (no affine; no tracking).
     */
    public static Tensor batchNorm(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                   boolean training, float momentum, float eps) {
        return Normalization.batchNorm(x, weight, bias, runningMean, runningVar, training, momentum, eps);
    }

    // ---- linear ----

    /**
     * {@code y = x·Wᵀ + b}: x [..., in], W [out, in], b [out] or null → y [..., out].
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        return LinearAlgebra.linear(x, w, b);
    }

    // ---- convolution ----

    /**
     * 2-D cross-correlation (PyTorch's conv2d):
     * {@code y[n, k, oy, ox] = b[k] + Σ_{c, i, j} W[k, c, i, j] · x[n, g·C/g + c, oy·s − p + i·d, ox·s − p + j·d]}
     * where g = k / (K/groups) is the group of output channel k and padding reads zeros.
     *
     * @param x input [N, C, H, W]
     * @param w weight [K, C/groups, kh, kw]; {@code groups == C} is depthwise (K a multiple of C)
     * @param b bias [K], or null
     * @param o stride, padding, dilation and groups
     * @return [N, K, OH, OW]
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor b, Conv2dOptions o) {
        return Convolution.conv2d(x, w, b, o);
    }

    /** {@link #conv2d(Tensor, Tensor, Tensor, Conv2dOptions)} with stride 1, no padding, one group. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor b) {
        return Convolution.conv2d(x, w, b, Conv2dOptions.DEFAULT);
    }

    /**
     * 2-D transposed convolution (PyTorch's conv_transpose2d), the adjoint of conv2d in its input:
     * each input pixel scatters {@code x[n, c, y, x]·W[c, k, i, j]} to output
     * {@code [n, k, y·s − p + i·d, x·s − p + j·d]}, plus the bias.
     *
     * @param x input [N, C, H, W]
     * @param w weight [C, K/groups, kh, kw]
     * @param b bias [K], or null
     * @param o stride, padding, output padding, dilation and groups
     * @return [N, K, OH, OW] with {@code OH = (H − 1)·s − 2p + d·(kh − 1) + outputPadding + 1}
     */
    public static Tensor convTranspose2d(Tensor x, Tensor w, Tensor b, ConvTranspose2dOptions o) {
        return Convolution.convTranspose2d(x, w, b, o);
    }

    // ---- pooling ----

    /**
     * Max over each window (padding never wins); the gradient goes to the first maximum of each
     * window in row-major order, as in PyTorch.
     *
     * @param x [N, C, H, W] or [C, H, W]
     * @param o kernel, stride, padding (at most half the kernel), dilation, ceil mode
     * @return [..., OH, OW]
     */
    public static Tensor maxPool2d(Tensor x, Pool2dOptions o) {
        return MaxPooling.maxPool2d(x, o);
    }

    /** Max pooling over {@code kernel}×{@code kernel} windows with stride {@code kernel}. */
    public static Tensor maxPool2d(Tensor x, int kernel) {
        return MaxPooling.maxPool2d(x, Pool2dOptions.of(kernel));
    }

    /**
     * Mean over each window. The divisor is the window size clipped to the padded input when
     * {@code countIncludePad} (a ceil-mode window hanging past the padding counts only what lies
     * inside it), else the number of real pixels in the window; PyTorch's rules.
     *
     * @param x [N, C, H, W] or [C, H, W]
     * @param o kernel, stride, padding, ceil mode, countIncludePad (dilation must be 1)
     * @return [..., OH, OW]
     */
    public static Tensor avgPool2d(Tensor x, Pool2dOptions o) {
        return Pooling.avgPool2d(x, o);
    }

    /** Average pooling over {@code kernel}×{@code kernel} windows with stride {@code kernel}. */
    public static Tensor avgPool2d(Tensor x, int kernel) {
        return Pooling.avgPool2d(x, Pool2dOptions.of(kernel));
    }

    /**
     * Mean over windows that tile the input into {@code outH×outW} cells:
     * output row i averages input rows {@code [⌊i·H/outH⌋, ⌈(i+1)·H/outH⌉)}, likewise columns.
     *
     * @param x [N, C, H, W] or [C, H, W]
     * @return [..., outH, outW]
     */
    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        return Pooling.adaptiveAvgPool2d(x, outH, outW);
    }

    // ---- sliding windows ----

    /**
     * Extracts sliding blocks (im2col, PyTorch's unfold):
     * {@code y[n, (c·kh + i)·kw + j, oy·OW + ox] = x[n, c, oy·s − p + i·d, ox·s − p + j·d]} (0 in the padding).
     *
     * @param x input [N, C, H, W]
     * @param o stride, padding and dilation (groups must be 1)
     * @return [N, C·kh·kw, L] with {@code L = OH·OW}
     */
    public static Tensor unfold(Tensor x, int kernelH, int kernelW, Conv2dOptions o) {
        return Im2col.unfold(x, kernelH, kernelW, o);
    }

    /** {@link #unfold(Tensor, int, int, Conv2dOptions)} with square kernel, dilation, padding and stride. */
    public static Tensor unfold(Tensor x, int kernel, int dilation, int padding, int stride) {
        return Im2col.unfold(x, kernel, kernel, Conv2dOptions.of(stride, padding).withDilation(dilation));
    }

    /**
     * Sums sliding blocks back into an image (col2im, PyTorch's fold), the adjoint of
     * {@link #unfold}: overlapping blocks add up, blocks falling in the padding are dropped.
     *
     * @param cols [N, C·kh·kw, L] where L must equal the number of windows of the output plane
     * @param o    stride, padding and dilation (groups must be 1)
     * @return [N, C, outH, outW]
     */
    public static Tensor fold(Tensor cols, int outH, int outW, int kernelH, int kernelW, Conv2dOptions o) {
        return Im2col.fold(cols, outH, outW, kernelH, kernelW, o);
    }

    /** {@link #fold(Tensor, int, int, int, int, Conv2dOptions)} with square kernel, dilation, padding and stride. */
    public static Tensor fold(Tensor cols, int outH, int outW, int kernel, int dilation, int padding, int stride) {
        return Im2col.fold(cols, outH, outW, kernel, kernel, Conv2dOptions.of(stride, padding).withDilation(dilation));
    }

    // ---- rearrangement and resampling ----

    /**
     * Moves channel blocks into space: {@code [*, C·r², H, W] → [*, C, H·r, W·r]} with
     * {@code y[.., c, h·r + i, w·r + j] = x[.., c·r² + i·r + j, h, w]}.
     */
    public static Tensor pixelShuffle(Tensor x, int upscale) {
        return PixelShuffle.shuffle(x, upscale);
    }

    /** The inverse of {@link #pixelShuffle}: {@code [*, C, H·r, W·r] → [*, C·r², H, W]}. */
    public static Tensor pixelUnshuffle(Tensor x, int downscale) {
        return PixelShuffle.unshuffle(x, downscale);
    }

    /**
     * Resamples the plane to {@code outH×outW} (PyTorch's interpolate with {@code size}, no
     * antialiasing). NEAREST reads {@code x[⌊oy·H/outH⌋, ⌊ox·W/outW⌋]}. BILINEAR weights the
     * four neighbours of source {@code oy·(H−1)/(outH−1)} with {@code alignCorners}, else of
     * {@code max((oy + ½)·H/outH − ½, 0)}; likewise along the width.
     *
     * @param x            [N, C, H, W]
     * @param alignCorners BILINEAR only (must be false for NEAREST)
     * @return [N, C, outH, outW]
     */
    public static Tensor interpolate(Tensor x, int outH, int outW, InterpolationMode mode, boolean alignCorners) {
        return Resampling.interpolate(x, outH, outW, mode, alignCorners);
    }

    /**
     * Resamples by {@code scaleFactor} (PyTorch's interpolate with {@code scale_factor}):
     * the output is {@code ⌊H·scale⌋ × ⌊W·scale⌋} and source coordinates use {@code 1/scale}
     * (not {@code in/out}) unless {@code alignCorners}, as PyTorch does.
     */
    public static Tensor interpolate(Tensor x, double scaleFactor, InterpolationMode mode, boolean alignCorners) {
        return Resampling.interpolate(x, scaleFactor, mode, alignCorners);
    }

    // ---- indexing ----

    /**
     * {@code y[p] = x[p with axis dim replaced by index[p]]}; y has index's shape, which must have
     * x's rank and be no larger than x outside {@code dim}. The gradient scatter-adds into x.
     *
     * @throws IndexOutOfBoundsException for an index outside {@code [0, x.size(dim))}
     */
    public static Tensor gather(Tensor x, int dim, IntTensor index) {
        return Indexing.gather(x, dim, index);
    }

    /**
     * The slices {@code index[0], index[1], ...} of x along {@code dim}: x's shape with
     * {@code size(dim)} replaced by the length of the 1-D index. The gradient index-adds into x.
     *
     * @throws IndexOutOfBoundsException for an index outside {@code [0, x.size(dim))}
     */
    public static Tensor indexSelect(Tensor x, int dim, IntTensor index) {
        return Indexing.indexSelect(x, dim, index);
    }

    /**
     * One-hot rows: labels [...] → float [..., numClasses] with a 1 at each label.
     * {@code numClasses == -1} infers max(labels) + 1. Not differentiable.
     *
     * @throws IndexOutOfBoundsException for a label outside {@code [0, numClasses)}
     */
    public static Tensor oneHot(IntTensor labels, int numClasses) {
        return Indexing.oneHot(labels, numClasses);
    }
}
