package dev.tersor.compress.cluster;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
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
public final class ClusteredConv2d extends Module implements ClusteredLayer {
    private final int[] weightShape;
    private final int bits;
    private final Conv2dOptions options;
    private final Parameter centres, bias;

    /**
     * A layer from its parts (e.g. read from a file).
     *
     * @param centres     k ≤ 2^bits finite values (copied)
     * @param indices     each weight's centre, in [0, k), row-major over {@code weightShape}
     * @param weightShape [K, C/groups, kh, kw]
     * @param bias        [K], or null for none (copied)
     */
    public ClusteredConv2d(float[] centres, int[] indices, int[] weightShape, Tensor bias, Conv2dOptions options, int bits) {
        Assignments.check("ClusteredConv2d", centres, indices, weightShape, 4, bits);
        if (bias != null && (bias.dim() != 1 || bias.size(0) != weightShape[0])) {
            throw new IllegalArgumentException("ClusteredConv2d: bias must be [" + weightShape[0] + "], got " + java.util.Arrays.toString(bias.shape()));
        }
        if (options == null) throw new IllegalArgumentException("ClusteredConv2d: convolution options are required");
        this.weightShape = weightShape.clone();
        this.bits = bits;
        this.options = options;
        this.centres = registerParameter("centres", Tensor.fromArray(centres.clone(), centres.length));
        registerBuffer("indices", Assignments.encode(indices, weightShape), true);
        this.bias = bias == null ? null : registerParameter("bias", Tensor.fromArray(bias.toArray(), bias.shape()));
    }

    /** {@code conv} with its weight clustered as {@code clusters} (e.g. {@link OptimalClustering}), indices of {@code bits} bits. */
    public static ClusteredConv2d of(Conv2d conv, Clusters clusters, int bits) {
        return new ClusteredConv2d(clusters.centres(), clusters.indices(), conv.weight().shape(),
                conv.bias() == null ? null : conv.bias().value(), conv.options(), bits);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.conv2d(x, weight(), bias == null ? null : bias.value(), options);
    }

    @Override
    public Parameter centres() {
        return centres;
    }

    @Override
    public int[] indices() {
        return Assignments.decode("ClusteredConv2d", buffer("indices"), centres.numel());
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

    @Override
    public Conv2dOptions convOptions() {
        return options;
    }

    @Override
    public long multiplyAccumulates(Tensor input, Tensor output) {
        return (long) output.numel() * weightShape[1] * weightShape[2] * weightShape[3];
    }

    @Override
    protected String extraRepr() {
        return weightShape[1] * options.groups() + ", " + weightShape[0] + ", kernel_size=(" + weightShape[2] + ", " + weightShape[3]
                + "), stride=(" + options.strideH() + ", " + options.strideW() + "), padding=(" + options.padH() + ", " + options.padW()
                + (options.groups() != 1 ? "), groups=" + options.groups() : ")") + ", k=" + centres.numel() + ", bits=" + bits + (bias == null ? ", bias=False" : "");
    }
}
