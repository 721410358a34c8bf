package dev.tersor.tensor;

/**
 * Window, stride, padding, dilation and rounding of 2-D max and average pooling
 * (torch.nn.functional.max_pool2d / avg_pool2d), height first. The output size along an axis is
 * {@code ⌊(in + 2·pad − dilation·(kernel − 1) − 1) / stride⌋ + 1}, rounded up instead in
 * {@code ceilMode} (then a last window that would start inside the right padding is dropped).
 * Validated on construction: the padding may be at most half the kernel, as in PyTorch.
 *
 * <pre>{@code
 * Pool2dOptions.of(2)                                   // 2×2 windows, stride 2
 * Pool2dOptions.of(3, 2, 1).withCeilMode(true)          // ResNet stem-style, rounding up
 * Pool2dOptions.of(3, 1, 1).withCountIncludePad(false)  // average over the real pixels only
 * }</pre>
 *
 * @param kernelH         window height, at least 1
 * @param kernelW         window width, at least 1
 * @param strideH         step between windows along the height, at least 1
 * @param strideW         step between windows along the width, at least 1
 * @param padH            implicit padding above and below (−∞ for max, 0 for average), at most kernelH/2
 * @param padW            implicit padding left and right, at most kernelW/2
 * @param dilationH       spacing between window taps along the height (max pooling only), at least 1
 * @param dilationW       spacing between window taps along the width (max pooling only), at least 1
 * @param ceilMode        round the output size up instead of down
 * @param countIncludePad average pooling divides by the window size including padding (PyTorch's default)
 */
public record Pool2dOptions(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                            int dilationH, int dilationW, boolean ceilMode, boolean countIncludePad) {

    /** Validates every field. */
    public Pool2dOptions {
        check("kernel", kernelH, kernelW, 1);
        check("stride", strideH, strideW, 1);
        check("padding", padH, padW, 0);
        check("dilation", dilationH, dilationW, 1);
        if (padH > kernelH / 2 || padW > kernelW / 2) {
            throw new IllegalArgumentException("Pool2dOptions: padding (" + padH + ", " + padW
                    + ") must be at most half of the kernel (" + kernelH + ", " + kernelW + ")");
        }
    }

    private static void check(String what, int h, int w, int min) {
        if (h < min || w < min) {
            throw new IllegalArgumentException("Pool2dOptions: " + what + " must be >= " + min + ", got (" + h + ", " + w + ")");
        }
    }

    /** Square {@code kernel}×{@code kernel} windows with stride equal to the kernel and no padding. */
    public static Pool2dOptions of(int kernel) {
        return of(kernel, kernel, 0);
    }

    /** Square windows with the given stride and padding; no dilation, floor rounding, padding counted. */
    public static Pool2dOptions of(int kernel, int stride, int padding) {
        return new Pool2dOptions(kernel, kernel, stride, stride, padding, padding, 1, 1, false, true);
    }

    /** These options with a {@code h}×{@code w} window. */
    public Pool2dOptions withKernel(int h, int w) {
        return new Pool2dOptions(h, w, strideH, strideW, padH, padW, dilationH, dilationW, ceilMode, countIncludePad);
    }

    /** These options with stride {@code (h, w)}. */
    public Pool2dOptions withStride(int h, int w) {
        return new Pool2dOptions(kernelH, kernelW, h, w, padH, padW, dilationH, dilationW, ceilMode, countIncludePad);
    }

    /** These options with padding {@code (h, w)}. */
    public Pool2dOptions withPadding(int h, int w) {
        return new Pool2dOptions(kernelH, kernelW, strideH, strideW, h, w, dilationH, dilationW, ceilMode, countIncludePad);
    }

    /** These options with the same dilation along both axes (max pooling only). */
    public Pool2dOptions withDilation(int dilation) {
        return withDilation(dilation, dilation);
    }

    /** These options with dilation {@code (h, w)} (max pooling only). */
    public Pool2dOptions withDilation(int h, int w) {
        return new Pool2dOptions(kernelH, kernelW, strideH, strideW, padH, padW, h, w, ceilMode, countIncludePad);
    }

    /** These options rounding the output size up ({@code true}) or down. */
    public Pool2dOptions withCeilMode(boolean ceil) {
        return new Pool2dOptions(kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, ceil, countIncludePad);
    }

    /** These options counting padded positions in the average's divisor ({@code true}) or not. */
    public Pool2dOptions withCountIncludePad(boolean include) {
        return new Pool2dOptions(kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, ceilMode, include);
    }

    /** Output height for an input of height {@code in} (may be &lt; 1 when the window does not fit). */
    int outH(int in) {
        return outSize(in, kernelH, strideH, padH, dilationH, ceilMode);
    }

    /** Output width for an input of width {@code in}. */
    int outW(int in) {
        return outSize(in, kernelW, strideW, padW, dilationW, ceilMode);
    }

    /** PyTorch's pooling_output_shape. */
    static int outSize(int in, int kernel, int stride, int pad, int dilation, boolean ceil) {
        long span = (long) in + 2L * pad - (long) dilation * (kernel - 1) - 1;
        long out = Math.floorDiv(span + (ceil ? stride - 1 : 0), (long) stride) + 1;
        if (ceil && (out - 1) * stride >= in + pad) out--;
        return (int) Math.max(out, 0);
    }
}
