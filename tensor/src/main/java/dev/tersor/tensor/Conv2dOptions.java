package dev.tersor.tensor;

/**
 * Stride, zero padding, dilation and groups of a 2-D convolution (torch.nn.functional.conv2d's
 * keyword arguments), height first. Validated on construction.
 *
 * <pre>{@code
 * Conv2dOptions.of(1, 1)                       // 3×3 "same" convolution: stride 1, padding 1
 * Conv2dOptions.of(2, 1).withGroups(32)        // strided, grouped
 * Conv2dOptions.DEFAULT.withDilation(2)        // atrous
 * }</pre>
 *
 * @param strideH   step between windows along the height, at least 1
 * @param strideW   step between windows along the width, at least 1
 * @param padH      zeros added above and below, at least 0
 * @param padW      zeros added left and right, at least 0
 * @param dilationH spacing between kernel taps along the height, at least 1
 * @param dilationW spacing between kernel taps along the width, at least 1
 * @param groups    number of channel groups (input and output channels must both divide by it)
 */
public record Conv2dOptions(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {

    /** Stride 1, no padding, no dilation, one group. */
    public static final Conv2dOptions DEFAULT = new Conv2dOptions(1, 1, 0, 0, 1, 1, 1);

    /** Validates every field. */
    public Conv2dOptions {
        check("stride", strideH, strideW, 1);
        check("padding", padH, padW, 0);
        check("dilation", dilationH, dilationW, 1);
        if (groups < 1) throw new IllegalArgumentException("Conv2dOptions: groups must be >= 1, got " + groups);
    }

    static void check(String what, int h, int w, int min) {
        if (h < min || w < min) {
            throw new IllegalArgumentException("Conv2dOptions: " + what + " must be >= " + min + ", got (" + h + ", " + w + ")");
        }
    }

    /** The same stride and padding along both axes, no dilation, one group. */
    public static Conv2dOptions of(int stride, int padding) {
        return new Conv2dOptions(stride, stride, padding, padding, 1, 1, 1);
    }

    /** These options with stride {@code (h, w)}. */
    public Conv2dOptions withStride(int h, int w) {
        return new Conv2dOptions(h, w, padH, padW, dilationH, dilationW, groups);
    }

    /** These options with padding {@code (h, w)}. */
    public Conv2dOptions withPadding(int h, int w) {
        return new Conv2dOptions(strideH, strideW, h, w, dilationH, dilationW, groups);
    }

    /** These options with the same dilation along both axes. */
    public Conv2dOptions withDilation(int dilation) {
        return withDilation(dilation, dilation);
    }

    /** These options with dilation {@code (h, w)}. */
    public Conv2dOptions withDilation(int h, int w) {
        return new Conv2dOptions(strideH, strideW, padH, padW, h, w, groups);
    }

    /** These options with {@code groups} channel groups ({@code groups == channels} is depthwise). */
    public Conv2dOptions withGroups(int groups) {
        return new Conv2dOptions(strideH, strideW, padH, padW, dilationH, dilationW, groups);
    }
}
