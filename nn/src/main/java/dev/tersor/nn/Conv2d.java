package dev.tersor.nn;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/**
 * 2-D convolution: x [N, Cin, H, W] → [N, Cout, H', W'] with weight [Cout, Cin/groups, kh, kw]
 * and bias [Cout]; {@code H' = ⌊(H + 2·pad − dil·(kh−1) − 1)/stride⌋ + 1}. Initialised as PyTorch
 * (uniform in ±1/√(Cin/groups·kh·kw)).
 */
public class Conv2d extends Module {
    private final int in, out, kernelH, kernelW;
    private final Conv2dOptions options;
    private final Parameter weight, bias;

    /** Square kernel, stride 1, no padding, with bias. */
    public Conv2d(int in, int out, int kernel) {
        this(in, out, kernel, kernel, Conv2dOptions.DEFAULT, true);
    }

    /** Square kernel with stride and padding, with bias. */
    public Conv2d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, kernel, kernel, Conv2dOptions.of(stride, padding), true);
    }

    /** Square kernel with stride, padding and an optional bias. */
    public Conv2d(int in, int out, int kernel, int stride, int padding, boolean bias) {
        this(in, out, kernel, kernel, Conv2dOptions.of(stride, padding), bias);
    }

    /** Full control: kernel kh×kw, options (stride, padding, dilation, groups), bias. */
    public Conv2d(int in, int out, int kernelH, int kernelW, Conv2dOptions options, boolean bias) {
        int g = options.groups();
        if (in <= 0 || out <= 0 || kernelH <= 0 || kernelW <= 0) {
            throw new IllegalArgumentException("Conv2d: channels and kernel must be positive, got in=" + in + ", out=" + out
                    + ", kernel=" + kernelH + "x" + kernelW);
        }
        if (in % g != 0 || out % g != 0) {
            throw new IllegalArgumentException("Conv2d: in=" + in + " and out=" + out + " must both be divisible by groups=" + g);
        }
        this.in = in;
        this.out = out;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.options = options;
        float bound = (float) (1.0 / Math.sqrt((double) in / g * kernelH * kernelW));
        this.weight = registerParameter("weight", Uniform.tensor(bound, out, in / g, kernelH, kernelW));
        this.bias = bias ? registerParameter("bias", Uniform.tensor(bound, out)) : null;
    }

    /** Weight [Cout, Cin/groups, kh, kw]. */
    public Parameter weight() {
        return weight;
    }

    @Override
    public long multiplyAccumulates(Tensor input, Tensor output) {
        return fanInProducts(output, weight);
    }

    /** Bias [Cout], or null. */
    public Parameter bias() {
        return bias;
    }

    /** Stride, padding, dilation and groups. */
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
        return Functional.conv2d(x, weight.value(), bias == null ? null : bias.value(), options);
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder().append(in).append(", ").append(out)
                .append(", kernel_size=(").append(kernelH).append(", ").append(kernelW).append(')')
                .append(", stride=(").append(options.strideH()).append(", ").append(options.strideW()).append(')');
        if (options.padH() != 0 || options.padW() != 0) {
            sb.append(", padding=(").append(options.padH()).append(", ").append(options.padW()).append(')');
        }
        if (options.dilationH() != 1 || options.dilationW() != 1) {
            sb.append(", dilation=(").append(options.dilationH()).append(", ").append(options.dilationW()).append(')');
        }
        if (options.groups() != 1) sb.append(", groups=").append(options.groups());
        if (bias == null) sb.append(", bias=False");
        return sb.toString();
    }
}
