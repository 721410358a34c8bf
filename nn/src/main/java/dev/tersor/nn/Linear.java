package dev.tersor.nn;

import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/**
 * {@code y = x·Wᵀ + b}: x [..., in], W [out, in], b [out] → y [..., out]. Initialised as
 * PyTorch: W and b uniform in ±1/√in.
 */
public class Linear extends Module {
    private final int in, out;
    private final Parameter weight;
    private final Parameter bias;

    /** A layer with bias. */
    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    /** A layer with or without bias. */
    public Linear(int inFeatures, int outFeatures, boolean bias) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear: features must be positive, got in=" + inFeatures + ", out=" + outFeatures);
        }
        this.in = inFeatures;
        this.out = outFeatures;
        float bound = (float) (1.0 / Math.sqrt(inFeatures));
        this.weight = registerParameter("weight", Uniform.tensor(bound, outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Uniform.tensor(bound, outFeatures)) : null;
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

    @Override
    public Tensor forward(Tensor x) {
        return Functional.linear(x, weight.value(), bias == null ? null : bias.value());
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + in + ", out_features=" + out + ", bias=" + (bias != null);
    }
}
