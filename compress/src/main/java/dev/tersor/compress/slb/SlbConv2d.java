package dev.tersor.compress.slb;

import dev.tersor.nn.Conv2d;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/**
 * A 2-D convolution with searched low-bit weights: x [N, Cin, H, W] → [N, Cout, H', W'] as
 * {@link Conv2d}, with the weight [Cout, Cin/groups, kh, kw] taken from logits
 * [Cout, Cin/groups, kh, kw, 2^b] (relaxed in training, argmax in eval; see {@link SlbLayer}).
 * <pre>{@code
 * SlbConv2d q = new SlbConv2d(conv, SlbConfig.bits(2));
 * Tensor w = q.discreteWeight();          // values of q.grid(), indexed by q.indices()
 * }</pre>
 */
public final class SlbConv2d extends SlbLayer {
    private final int in;
    private final Conv2dOptions options;

    /** Replaces {@code source}: same shape, options and bias; α from its weight when the config asks. */
    public SlbConv2d(Conv2d source, SlbConfig config) {
        super(source.weight().shape(), source.weight().value(), source.bias() == null ? null : source.bias().value(), config);
        this.in = source.inChannels();
        this.options = source.options();
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

    /** A plain {@link Conv2d} holding {@link #discreteWeight()} and the bias. */
    public Conv2d toConv2d() {
        Conv2d c = new Conv2d(in, out, weightShape[2], weightShape[3], options, bias() != null);
        try (var g = Tensor.noGrad()) {
            c.weight().value().copyInPlace(discreteWeight());
            if (bias() != null) c.bias().value().copyInPlace(bias().value());
        }
        return c;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.conv2d(x, forwardWeight(), biasValue(), options);
    }

    @Override
    protected String extraRepr() {
        return in + ", " + out + ", kernel_size=(" + weightShape[2] + ", " + weightShape[3] + "), " + options + ", " + slbRepr();
    }
}
