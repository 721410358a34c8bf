package dev.tersor.nn.binary;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/**
 * A binary 2-D convolution: x [N, Cin, H, W] → [N, Cout, H', W'] with
 * <pre>
 * y = conv2d(sign(x), sign(W̃))·α + bias        sign(v) = v >= 0 ? +1 : −1, zero padding
 * </pre>
 * where W̃ is the latent weight W [Cout, Cin, kh, kw] (or RBNN's rotated, blended W̃) and α the
 * per-channel scale of {@link BinaryOptions#scale()}. Training uses the backward rules of the
 * options (ApproxSign / STE / RBNN for the activations, clipped STE for the weights by default);
 * call {@link #startEpoch} at the start of each epoch for RBNN (or {@link BinaryTraining}).
 * {@link #toInference()} packs the weights once and runs the XNOR-popcount kernel; its output
 * equals this forward exactly. Initialised as {@link dev.tersor.nn.Conv2d} (uniform ±1/√fan_in).
 * <pre>{@code
 * BinaryConv2d conv = new BinaryConv2d(64, 64, 3, 1, 1);                    // Bi-Real options, no bias
 * Tensor y = conv.call(x);
 * Module fast = conv.toInference();                                          // same outputs, packed
 * }</pre>
 */
public class BinaryConv2d extends BinaryLayer {
    private final int in, kernelH, kernelW;
    private final Conv2dOptions options;

    /** Square kernel with stride and padding, no bias, {@link BinaryOptions#biReal()}. */
    public BinaryConv2d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, kernel, kernel, Conv2dOptions.of(stride, padding), false, BinaryOptions.biReal());
    }

    /** Square kernel with stride, padding and options, no bias. */
    public BinaryConv2d(int in, int out, int kernel, int stride, int padding, BinaryOptions opts) {
        this(in, out, kernel, kernel, Conv2dOptions.of(stride, padding), false, opts);
    }

    /** Full control: kernel kh×kw, stride/padding/dilation (one group), optional bias, options. */
    public BinaryConv2d(int in, int out, int kernelH, int kernelW, Conv2dOptions options, boolean bias, BinaryOptions opts) {
        super(initialWeight(in, out, kernelH, kernelW, options), bias ? initialBias(in * kernelH * kernelW, out) : null,
                new int[] {out, 1, 1}, opts);
        this.in = in;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.options = options;
    }

    private static Tensor initialWeight(int in, int out, int kh, int kw, Conv2dOptions options) {
        if (in <= 0 || out <= 0 || kh <= 0 || kw <= 0) {
            throw new IllegalArgumentException("BinaryConv2d: channels and kernel must be positive, got in=" + in + ", out=" + out
                    + ", kernel=" + kh + "x" + kw);
        }
        if (options.groups() != 1) throw new IllegalArgumentException("BinaryConv2d: groups must be 1, got " + options.groups());
        float bound = (float) (1.0 / Math.sqrt((double) in * kh * kw));
        return Tensor.rand(Rng.global(), out, in, kh, kw).mul(2f * bound).sub(bound);
    }

    static Tensor initialBias(int fanIn, int out) {
        float bound = (float) (1.0 / Math.sqrt(fanIn));
        return Tensor.rand(Rng.global(), out).mul(2f * bound).sub(bound);
    }

    @Override
    int[] channelShape() {
        return new int[] {out, 1, 1};
    }

    /** Stride, padding and dilation. */
    public Conv2dOptions options() {
        return options;
    }

    /** Input channels. */
    public int inChannels() {
        return in;
    }

    /** Output channels. */
    public int outChannels() {
        return out;
    }

    @Override
    public Tensor forward(Tensor x) {
        return scaleAndShift(Functional.conv2d(binaryInput(x), binaryWeight(), null, options));
    }

    /** The packed layer ({@link PackedBinaryConv2d}) for the current weights. */
    @Override
    public PackedBinaryConv2d toInference() {
        return new PackedBinaryConv2d(this);
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder().append(in).append(", ").append(out)
                .append(", kernel_size=(").append(kernelH).append(", ").append(kernelW).append(')')
                .append(", stride=(").append(options.strideH()).append(", ").append(options.strideW()).append(')');
        if (options.padH() != 0 || options.padW() != 0) sb.append(", padding=(").append(options.padH()).append(", ").append(options.padW()).append(')');
        if (options.dilationH() != 1 || options.dilationW() != 1) {
            sb.append(", dilation=(").append(options.dilationH()).append(", ").append(options.dilationW()).append(')');
        }
        if (bias == null) sb.append(", bias=False");
        return sb.append(", ").append(optionsRepr()).toString();
    }
}
