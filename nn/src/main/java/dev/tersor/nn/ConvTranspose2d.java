package dev.tersor.nn;

import dev.tersor.tensor.ConvTranspose2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/**
 * Transposed 2-D convolution (the gradient of conv2d with respect to its input): x [N, Cin, H, W]
 * → [N, Cout, H', W'] with weight [Cin, Cout/groups, kh, kw};
 * {@code H' = (H−1)·stride − 2·pad + dil·(kh−1) + outputPad + 1}.
 */
public class ConvTranspose2d extends Module {
    private final int in, out, kernelH, kernelW;
    private final ConvTranspose2dOptions options;
    private final Parameter weight, bias;

    /** Square kernel with stride and padding, with bias. */
    public ConvTranspose2d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, kernel, kernel, ConvTranspose2dOptions.of(stride, padding), true);
    }

    /** Full control. */
    public ConvTranspose2d(int in, int out, int kernelH, int kernelW, ConvTranspose2dOptions options, boolean bias) {
        int g = options.groups();
        if (in <= 0 || out <= 0 || kernelH <= 0 || kernelW <= 0 || in % g != 0 || out % g != 0) {
            throw new IllegalArgumentException("ConvTranspose2d: in=" + in + ", out=" + out + ", kernel=" + kernelH + "x"
                    + kernelW + " must be positive and channels divisible by groups=" + g);
        }
        this.in = in;
        this.out = out;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.options = options;
        float bound = (float) (1.0 / Math.sqrt((double) out / g * kernelH * kernelW));
        this.weight = registerParameter("weight", Uniform.tensor(bound, in, out / g, kernelH, kernelW));
        this.bias = bias ? registerParameter("bias", Uniform.tensor(bound, out)) : null;
    }

    /** Weight [Cin, Cout/groups, kh, kw]. */
    public Parameter weight() {
        return weight;
    }

    /** Each input value meets {@code (out/groups)·kh·kw} weights: the weight [in, out/groups, kh, kw] seen from the input. */
    @Override
    public long multiplyAccumulates(Tensor input, Tensor output) {
        return fanInProducts(input, weight);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.convTranspose2d(x, weight.value(), bias == null ? null : bias.value(), options);
    }

    @Override
    protected String extraRepr() {
        return in + ", " + out + ", kernel_size=(" + kernelH + ", " + kernelW + "), stride=(" + options.strideH() + ", "
                + options.strideW() + ")" + (bias == null ? ", bias=False" : "");
    }
}
