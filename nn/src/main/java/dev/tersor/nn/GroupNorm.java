package dev.tersor.nn;

import dev.tersor.tensor.Tensor;

/**
 * Splits the C channels of [N, C, ...] into G groups and normalises each group of each sample,
 * then applies per-channel γ, β.
 */
public class GroupNorm extends Module {
    private final int groups, channels;
    private final float eps;
    private final Parameter weight, bias;

    /** eps 1e-5 with affine parameters. */
    public GroupNorm(int numGroups, int numChannels) {
        this(numGroups, numChannels, 1e-5f, true);
    }

    /** Full control; {@code numChannels} must be divisible by {@code numGroups}. */
    public GroupNorm(int numGroups, int numChannels, float eps, boolean affine) {
        if (numGroups <= 0 || numChannels <= 0 || numChannels % numGroups != 0) {
            throw new IllegalArgumentException("GroupNorm: " + numChannels + " channels cannot be split into " + numGroups + " groups");
        }
        this.groups = numGroups;
        this.channels = numChannels;
        this.eps = eps;
        this.weight = affine ? registerParameter("weight", Tensor.ones(numChannels)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(numChannels)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() < 2 || x.size(1) != channels) {
            throw new IllegalArgumentException("GroupNorm: expected " + channels + " channels on axis 1, got "
                    + java.util.Arrays.toString(x.shape()));
        }
        Tensor grouped = x.reshape(x.size(0), groups, -1);
        Tensor y = Moments.of(grouped, new int[] {2}, eps).normalized().reshape(x.shape());
        if (weight == null) return y;
        int[] cshape = Moments.channelShape(channels, x.dim());
        return y.mul(weight.value().reshape(cshape)).add(bias.value().reshape(cshape));
    }

    @Override
    protected String extraRepr() {
        return groups + ", " + channels + ", eps=" + eps + ", affine=" + (weight != null);
    }
}
