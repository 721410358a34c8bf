package dev.tersor.nn.adder;

import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.Rng;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.lowbit.Adder;
import dev.tersor.tensor.lowbit.AdderBackward;
import java.util.Objects;

/**
 * Adder fully connected layer (AdderNet): {@code y[..., o] = −Σ_i |x[..., i] − W[o, i]|}, x
 * [..., in] → [..., out] with weight [out, in] and an optional bias [out]; a
 * {@link dev.tersor.nn.BatchNorm1d} follows it in the paper's models. Trains with
 * {@link AdderBackward} as {@link AdderConv2d} does (AdderNet rules, η = 0.2 by default);
 * weights start from N(0, 1).
 */
public class AdderLinear extends Module {
    private final int in, out;
    private final Parameter weight, bias;
    private AdderBackward backward;

    /** No bias, the AdderNet rules with η = 0.2. */
    public AdderLinear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, false, AdderBackward.ADDERNET);
    }

    /** With or without bias, and a gradient rule with its η. */
    public AdderLinear(int inFeatures, int outFeatures, boolean bias, AdderBackward backward) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("AdderLinear: features must be positive, got in=" + inFeatures + ", out=" + outFeatures);
        }
        this.in = inFeatures;
        this.out = outFeatures;
        this.backward = Objects.requireNonNull(backward, "backward");
        this.weight = registerParameter("weight", Tensor.randn(Rng.global(), outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(outFeatures)) : null;
    }

    /** W [out, in]. */
    public Parameter weight() {
        return weight;
    }

    @Override
    public long multiplyAccumulates(Tensor input, Tensor output) {
        return fanInProducts(output, weight);
    }

    /** b [out], or null. */
    public Parameter bias() {
        return bias;
    }

    /** The gradient rule and η of the adaptive learning rate. */
    public AdderBackward backward() {
        return backward;
    }

    /** Changes the gradient rule or η for later forwards. */
    public void setBackward(AdderBackward backward) {
        this.backward = Objects.requireNonNull(backward, "backward");
    }

    @Override
    public Tensor forward(Tensor x) {
        return Adder.linear(x, weight.value(), bias == null ? null : bias.value(), backward);
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + in + ", out_features=" + out + ", bias=" + (bias != null) + ", " + AdderConv2d.rule(backward);
    }
}
