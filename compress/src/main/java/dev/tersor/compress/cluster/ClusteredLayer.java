package dev.tersor.compress.cluster;

import dev.tersor.compress.io.PackedInts;
import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Tensor;

/**
 * What a file writer or an inference kernel needs from a layer with shared centroids
 * ({@link ClusteredConv2d}, {@link ClusteredLinear}): k centres, each weight's index, the weight's
 * shape, the bias and the convolution options. Weight i is {@code centres[indices[i]]}, in the
 * row-major order of {@link #weightShape()}; stored packed, a layer takes
 * {@code 4·k + ⌈n·bits/8⌉} bytes ({@link #packedBytes()}) against {@code 4·n} as floats.
 */
public interface ClusteredLayer {

    /** The trainable centres [k], k ≤ 2^bits. */
    Parameter centres();

    /** Each weight's centre index, in [0, k) [n] (a copy). */
    int[] indices();

    /** [K, C/groups, kh, kw] for a convolution, [out, in] for a linear layer (a copy). */
    int[] weightShape();

    /** The bias [K] or [out], trainable as usual, or null. */
    Parameter bias();

    /** Bits per index, 1..8. */
    int bits();

    /** The convolution's stride, padding, dilation and groups; null for a linear layer. */
    Conv2dOptions convOptions();

    /** The weight {@code centres[indices]} of {@link #weightShape()}, differentiable with respect to the centres. */
    default Tensor weight() {
        return new CentroidGather(indices(), centres().numel(), weightShape()).apply(centres().value());
    }

    /** Bytes of the packed weight: k float centres and ⌈n·bits/8⌉ bytes of indices (the bias not counted). */
    default long packedBytes() {
        int n = 1;
        for (int s : weightShape()) n *= s;
        return 4L * centres().numel() + PackedInts.packedLength(n, bits());
    }
}
