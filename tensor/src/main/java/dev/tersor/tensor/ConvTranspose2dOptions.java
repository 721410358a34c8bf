package dev.tersor.tensor;

/**
 * Stride, padding, output padding, dilation and groups of a 2-D transposed convolution
 * (torch.nn.functional.conv_transpose2d's keyword arguments), height first. The output is
 * {@code (in − 1)·stride − 2·padding + dilation·(kernel − 1) + outputPadding + 1} along each
 * axis. Validated on construction: the output padding must be smaller than the stride or the
 * dilation, as in PyTorch.
 *
 * <pre>{@code
 * ConvTranspose2dOptions.of(2, 1).withOutputPadding(1)   // exact 2× upsampling with a 3×3 kernel
 * }</pre>
 *
 * @param strideH        step between input positions in the output, height, at least 1
 * @param strideW        the same along the width
 * @param padH           rows removed from both borders of the full output, at least 0
 * @param padW           columns removed from both borders, at least 0
 * @param outputPadH     extra rows added at the bottom, at least 0
 * @param outputPadW     extra columns added at the right, at least 0
 * @param dilationH      spacing between kernel taps along the height, at least 1
 * @param dilationW      spacing between kernel taps along the width, at least 1
 * @param groups         number of channel groups
 */
public record ConvTranspose2dOptions(int strideH, int strideW, int padH, int padW, int outputPadH, int outputPadW,
                                     int dilationH, int dilationW, int groups) {

    /** Stride 1, no padding, no output padding, no dilation, one group. */
    public static final ConvTranspose2dOptions DEFAULT = new ConvTranspose2dOptions(1, 1, 0, 0, 0, 0, 1, 1, 1);

    /** Validates every field. */
    public ConvTranspose2dOptions {
        Conv2dOptions.check("stride", strideH, strideW, 1);
        Conv2dOptions.check("padding", padH, padW, 0);
        Conv2dOptions.check("output padding", outputPadH, outputPadW, 0);
        Conv2dOptions.check("dilation", dilationH, dilationW, 1);
        if (groups < 1) throw new IllegalArgumentException("ConvTranspose2dOptions: groups must be >= 1, got " + groups);
        if (outputPadH >= strideH && outputPadH >= dilationH || outputPadW >= strideW && outputPadW >= dilationW) {
            throw new IllegalArgumentException("ConvTranspose2dOptions: output padding (" + outputPadH + ", " + outputPadW
                    + ") must be smaller than either the stride (" + strideH + ", " + strideW + ") or the dilation ("
                    + dilationH + ", " + dilationW + ")");
        }
    }

    /** The same stride and padding along both axes; no output padding, no dilation, one group. */
    public static ConvTranspose2dOptions of(int stride, int padding) {
        return new ConvTranspose2dOptions(stride, stride, padding, padding, 0, 0, 1, 1, 1);
    }

    /** These options with stride {@code (h, w)}. */
    public ConvTranspose2dOptions withStride(int h, int w) {
        return new ConvTranspose2dOptions(h, w, padH, padW, outputPadH, outputPadW, dilationH, dilationW, groups);
    }

    /** These options with padding {@code (h, w)}. */
    public ConvTranspose2dOptions withPadding(int h, int w) {
        return new ConvTranspose2dOptions(strideH, strideW, h, w, outputPadH, outputPadW, dilationH, dilationW, groups);
    }

    /** These options with the same output padding along both axes. */
    public ConvTranspose2dOptions withOutputPadding(int outputPadding) {
        return withOutputPadding(outputPadding, outputPadding);
    }

    /** These options with output padding {@code (h, w)}. */
    public ConvTranspose2dOptions withOutputPadding(int h, int w) {
        return new ConvTranspose2dOptions(strideH, strideW, padH, padW, h, w, dilationH, dilationW, groups);
    }

    /** These options with the same dilation along both axes. */
    public ConvTranspose2dOptions withDilation(int dilation) {
        return withDilation(dilation, dilation);
    }

    /** These options with dilation {@code (h, w)}. */
    public ConvTranspose2dOptions withDilation(int h, int w) {
        return new ConvTranspose2dOptions(strideH, strideW, padH, padW, outputPadH, outputPadW, h, w, groups);
    }

    /** These options with {@code groups} channel groups. */
    public ConvTranspose2dOptions withGroups(int groups) {
        return new ConvTranspose2dOptions(strideH, strideW, padH, padW, outputPadH, outputPadW, dilationH, dilationW, groups);
    }
}
