package dev.tersor.nn.binary;

import dev.tersor.nn.Rng;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/**
 * A binary fully connected layer: x [..., in] → [..., out] with
 * {@code y = linear(sign(x), sign(W̃))·α + bias}, {@code sign(v) = v >= 0 ? +1 : −1}; W [out, in]
 * is the latent weight (or RBNN's rotated, blended W̃) and α the per-output scale of
 * {@link BinaryOptions#scale()}. Training uses the options' backward rules; {@link #toInference()}
 * packs the weights once and runs the XNOR-popcount GEMM, with output equal to this forward
 * exactly. Initialised as {@link dev.tersor.nn.Linear} (uniform ±1/√in).
 */
public class BinaryLinear extends BinaryLayer {
    private final int in;

    /** A layer with bias and {@link BinaryOptions#biReal()}. */
    public BinaryLinear(int in, int out) {
        this(in, out, true, BinaryOptions.biReal());
    }

    /** A layer with or without bias and the given options. */
    public BinaryLinear(int in, int out, boolean bias, BinaryOptions opts) {
        super(initialWeight(in, out), bias ? BinaryConv2d.initialBias(in, out) : null, new int[] {out}, opts);
        this.in = in;
    }

    private static Tensor initialWeight(int in, int out) {
        if (in <= 0 || out <= 0) throw new IllegalArgumentException("BinaryLinear: features must be positive, got in=" + in + ", out=" + out);
        float bound = (float) (1.0 / Math.sqrt(in));
        return Tensor.rand(Rng.global(), out, in).mul(2f * bound).sub(bound);
    }

    @Override
    int[] channelShape() {
        return new int[] {out};
    }

    /** Input features. */
    public int inFeatures() {
        return in;
    }

    /** Output features. */
    public int outFeatures() {
        return out;
    }

    @Override
    public Tensor forward(Tensor x) {
        return scaleAndShift(Functional.linear(binaryInput(x), binaryWeight(), null));
    }

    /** The packed layer ({@link PackedBinaryLinear}) for the current weights. */
    @Override
    public PackedBinaryLinear toInference() {
        return new PackedBinaryLinear(this);
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + in + ", out_features=" + out + ", bias=" + (bias != null) + ", " + optionsRepr();
    }
}
