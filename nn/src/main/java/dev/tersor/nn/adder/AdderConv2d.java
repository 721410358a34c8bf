package dev.tersor.nn.adder;

import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.Rng;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.lowbit.Adder;
import dev.tersor.tensor.lowbit.AdderBackward;
import java.util.Objects;

/**
 * Adder convolution (AdderNet, CVPR 2020): the response of each filter is the negative L1
 * distance to each input patch,
 * {@code y[n, k, oy, ox] = −Σ_{c, i, j} |x[n, c, oy·s − p + i·d, ox·s − p + j·d] − W[k, c, i, j]|}
 * (padding reads zeros), x [N, Cin, H, W] → [N, Cout, H', W'] with weight [Cout, Cin, kh, kw]
 * and an optional bias [Cout]. Outputs are all ≤ 0 and grow with the filter size, so a
 * {@link dev.tersor.nn.BatchNorm2d} follows it in the paper's models (and in the zoo's).
 *
 * <p>Training follows {@link AdderBackward} ({@link AdderBackward#ADDERNET} by default): the
 * weight gradient is the full-precision {@code X − W} rescaled inside backward to
 * {@code η·√k/‖g‖₂} (k = {@code weight.numel()}, η = 0.2 by default, as the official code), the
 * input gradient {@code HardTanh(W − X)}. Any optimizer then applies its learning rate to that
 * gradient as to every other parameter. Weights start from N(0, 1), as the official code.
 * Groups are not supported.
 * <pre>{@code
 * var conv = new AdderConv2d(16, 32, 3, 1, 1);          // 3×3, stride 1, padding 1, no bias
 * Tensor y = new BatchNorm2d(32).call(conv.call(x));    // [N, 32, H, W]
 * }</pre>
 */
public class AdderConv2d extends Module {
    private final int in, out, kernelH, kernelW;
    private final Conv2dOptions options;
    private final Parameter weight, bias;
    private AdderBackward backward;

    /** Square kernel, stride 1, no padding, no bias, the AdderNet rules with η = 0.2. */
    public AdderConv2d(int in, int out, int kernel) {
        this(in, out, kernel, kernel, Conv2dOptions.DEFAULT, false, AdderBackward.ADDERNET);
    }

    /** Square kernel with stride and padding, no bias, the AdderNet rules with η = 0.2. */
    public AdderConv2d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, kernel, kernel, Conv2dOptions.of(stride, padding), false, AdderBackward.ADDERNET);
    }

    /** Full control: kernel kh×kw, stride/padding/dilation (groups 1), bias, gradient rule and η. */
    public AdderConv2d(int in, int out, int kernelH, int kernelW, Conv2dOptions options, boolean bias, AdderBackward backward) {
        if (in <= 0 || out <= 0 || kernelH <= 0 || kernelW <= 0) {
            throw new IllegalArgumentException("AdderConv2d: channels and kernel must be positive, got in=" + in + ", out=" + out
                    + ", kernel=" + kernelH + "x" + kernelW);
        }
        if (options.groups() != 1) throw new IllegalArgumentException("AdderConv2d: groups must be 1, got " + options.groups());
        this.in = in;
        this.out = out;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.options = options;
        this.backward = Objects.requireNonNull(backward, "backward");
        this.weight = registerParameter("weight", Tensor.randn(Rng.global(), out, in, kernelH, kernelW));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(out)) : null;
    }

    /** Weight [Cout, Cin, kh, kw]. */
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

    /** Stride, padding and dilation. */
    public Conv2dOptions options() {
        return options;
    }

    /** The gradient rule and η of the adaptive learning rate. */
    public AdderBackward backward() {
        return backward;
    }

    /** Changes the gradient rule or η (e.g. {@code backward().withEta(0.1)}) for later forwards. */
    public void setBackward(AdderBackward backward) {
        this.backward = Objects.requireNonNull(backward, "backward");
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
        return Adder.conv2d(x, weight.value(), bias == null ? null : bias.value(), options, backward);
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
        if (bias != null) sb.append(", bias=True");
        return sb.append(", ").append(rule(backward)).toString();
    }

    static String rule(AdderBackward b) {
        return b.rule() == AdderBackward.Rule.EXACT ? "grad=exact" : "eta=" + b.eta();
    }
}
