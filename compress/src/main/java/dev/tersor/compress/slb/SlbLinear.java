package dev.tersor.compress.slb;

import dev.tersor.nn.Linear;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/**
 * A fully connected layer with searched low-bit weights: {@code y = x·Wᵀ + b}, x [..., in] →
 * [..., out], with W [out, in] taken from logits [out, in, 2^b] (relaxed in training, argmax in
 * eval; see {@link SlbLayer}).
 */
public final class SlbLinear extends SlbLayer {
    private final int in;

    /** Replaces {@code source}: same shape and bias; α from its weight when the config asks. */
    public SlbLinear(Linear source, SlbConfig config) {
        super(source.weight().shape(), source.weight().value(), source.bias() == null ? null : source.bias().value(), config);
        this.in = source.weight().shape()[1];
    }

    /** Input features. */
    public int inFeatures() {
        return in;
    }

    /** Output features. */
    public int outFeatures() {
        return out;
    }

    /** A plain {@link Linear} holding {@link #discreteWeight()} and the bias. */
    public Linear toLinear() {
        Linear l = new Linear(in, out, bias() != null);
        try (var g = Tensor.noGrad()) {
            l.weight().value().copyInPlace(discreteWeight());
            if (bias() != null) l.bias().value().copyInPlace(bias().value());
        }
        return l;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.linear(x, forwardWeight(), biasValue());
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + in + ", out_features=" + out + ", bias=" + (bias() != null) + ", " + slbRepr();
    }
}
