package dev.tersor.compress.cluster;

import dev.tersor.nn.Conv2d;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/**
 * A 2-D convolution whose weight [K, C/groups, kh, kw] shares k ≤ 2^bits trainable centres:
 * {@code w = centres[indices]} ({@link CentroidGather}), so fine-tuning moves each centre by the
 * summed gradient of its weights while the assignment stays fixed (DP-Net §3). x [N, C, H, W] →
 * [N, K, H', W'] as {@link Conv2d}. State-dict keys: {@code centres} [k], {@code indices} (a
 * buffer of the weight's shape holding the integer indices), {@code bias} [K].
 */
public final class ClusteredConv2d extends SharedCentres {
    private final Conv2dOptions options;

    /**
     * A layer from its parts (e.g. read from a file).
     *
     * @param centres     k ≤ 2^bits finite values (copied)
     * @param indices     each weight's centre, in [0, k), row-major over {@code weightShape}
     * @param weightShape [K, C/groups, kh, kw]
     * @param bias        [K], or null for none (copied)
     */
    public ClusteredConv2d(float[] centres, int[] indices, int[] weightShape, Tensor bias, Conv2dOptions options, int bits) {
        super("ClusteredConv2d", centres, indices, weightShape, 4, bias, bits);
        if (options == null) throw new IllegalArgumentException("ClusteredConv2d: convolution options are required");
        this.options = options;
    }

    /** {@code conv} with its weight clustered as {@code clusters} (e.g. {@link OptimalClustering}), indices of {@code bits} bits. */
    public static ClusteredConv2d of(Conv2d conv, Clusters clusters, int bits) {
        return new ClusteredConv2d(clusters.centres(), clusters.indices(), conv.weight().shape(),
                conv.bias() == null ? null : conv.bias().value(), conv.options(), bits);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.conv2d(x, weight(), biasValue(), options);
    }

    @Override
    public Conv2dOptions convOptions() {
        return options;
    }

    @Override
    public long multiplyAccumulates(Tensor input, Tensor output) {
        return (long) output.numel() * shape(1) * shape(2) * shape(3);
    }

    @Override
    protected String extraRepr() {
        return shape(1) * options.groups() + ", " + shape(0) + ", kernel_size=(" + shape(2) + ", " + shape(3)
                + "), stride=(" + options.strideH() + ", " + options.strideW() + "), padding=(" + options.padH() + ", " + options.padW()
                + (options.groups() != 1 ? "), groups=" + options.groups() : ")") + ", k=" + centres().numel() + ", bits=" + bits() + (bias() == null ? ", bias=False" : "");
    }
}
