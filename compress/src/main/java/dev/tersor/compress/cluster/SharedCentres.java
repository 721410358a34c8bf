package dev.tersor.compress.cluster;

import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;

/**
 * What {@link ClusteredConv2d} and {@link ClusteredLinear} share: the trainable centres [k], the
 * integer indices (a persistent buffer of the weight's shape), the bias and the bit width.
 */
abstract class SharedCentres extends Module implements ClusteredLayer {
    private final int[] weightShape;
    private final int bits;
    private final Parameter centres, bias;

    SharedCentres(String layer, float[] centres, int[] indices, int[] weightShape, int dims, Tensor bias, int bits) {
        Assignments.check(layer, centres, indices, weightShape, dims, bits);
        if (bias != null && (bias.dim() != 1 || bias.size(0) != weightShape[0])) {
            throw new IllegalArgumentException(layer + ": bias must be [" + weightShape[0] + "], got " + java.util.Arrays.toString(bias.shape()));
        }
        this.weightShape = weightShape.clone();
        this.bits = bits;
        this.centres = registerParameter("centres", Tensor.fromArray(centres.clone(), centres.length));
        registerBuffer("indices", Assignments.encode(indices, weightShape), true);
        this.bias = bias == null ? null : registerParameter("bias", Tensor.fromArray(bias.toArray(), bias.shape()));
    }

    /** The bias tensor, or null, for the forward. */
    Tensor biasValue() {
        return bias == null ? null : bias.value();
    }

    /** The weight's size along dimension {@code d}. */
    int shape(int d) {
        return weightShape[d];
    }

    @Override
    public Parameter centres() {
        return centres;
    }

    @Override
    public int[] indices() {
        return Assignments.decode(getClass().getSimpleName(), buffer("indices"), centres.numel());
    }

    @Override
    public int[] weightShape() {
        return weightShape.clone();
    }

    @Override
    public Parameter bias() {
        return bias;
    }

    @Override
    public int bits() {
        return bits;
    }
}
