package dev.tersor.compress.cluster;

import dev.tersor.nn.Linear;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/**
 * {@code y = x·Wᵀ + b} with W [out, in] sharing k ≤ 2^bits trainable centres:
 * {@code W = centres[indices]} ({@link CentroidGather}); x [..., in] → y [..., out] as
 * {@link Linear}. State-dict keys: {@code centres} [k], {@code indices} (a buffer [out, in] of
 * integer indices), {@code bias} [out].
 */
public final class ClusteredLinear extends SharedCentres {

    /**
     * A layer from its parts (e.g. read from a file).
     *
     * @param centres     k ≤ 2^bits finite values (copied)
     * @param indices     each weight's centre, in [0, k), row-major over {@code weightShape}
     * @param weightShape [out, in]
     * @param bias        [out], or null for none (copied)
     */
    public ClusteredLinear(float[] centres, int[] indices, int[] weightShape, Tensor bias, int bits) {
        super("ClusteredLinear", centres, indices, weightShape, 2, bias, bits);
    }

    /** {@code linear} with its weight clustered as {@code clusters}, indices of {@code bits} bits. */
    public static ClusteredLinear of(Linear linear, Clusters clusters, int bits) {
        return new ClusteredLinear(clusters.centres(), clusters.indices(), linear.weight().shape(),
                linear.bias() == null ? null : linear.bias().value(), bits);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.linear(x, weight(), biasValue());
    }

    /** Always null: a linear layer. */
    @Override
    public Conv2dOptions convOptions() {
        return null;
    }

    @Override
    public long multiplyAccumulates(Tensor input, Tensor output) {
        return (long) output.numel() * shape(1);
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + shape(1) + ", out_features=" + shape(0) + ", k=" + centres().numel() + ", bits=" + bits()
                + ", bias=" + (bias() != null);
    }
}
