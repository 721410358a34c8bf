package dev.tersor.compress.distill;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * PKKD's kernel maps of layer outputs (Xu et al., "Kernel Based Progressive Distillation for
 * Adder Neural Networks", NeurIPS 2020, §3.1). An adder filter answers with the negative L1
 * distance between input patch x and filter f, a convolution with the inner product; PKKD
 * compares them after mapping both into a kernel space, the adder output through a Laplace
 * kernel and the convolution's through a Gaussian kernel, whose terms the convolution's output
 * already holds:
 * <pre>
 * adder:  D_A = ‖x − f‖₁ = −(y_A − b)                          k_A = exp(−D_A / σ_A)
 * conv:   D_C = ‖x − f‖₂² = ‖x‖² + ‖f‖² − 2·(y_C − b)          k_C = exp(−D_C / (2σ_C²))
 * </pre>
 * with ‖x‖² of every receptive field (a convolution of x² with a ones filter) and ‖f‖² of every
 * filter. No official code is public; the bandwidths here are set per layer and batch to the mean
 * distance ({@code σ_A = mean D_A}, {@code 2σ_C² = mean D_C}), so both maps have the scale-free
 * form {@code exp(−D / mean D)} (our choice; the paper treats σ as a hyper-parameter).
 */
public final class KernelFeatures {
    private static final float EPS = 1e-12f;

    private KernelFeatures() {
    }

    /** The L1 distances an adder layer's output encodes: {@code −(y − bias)}; {@code bias} [O] may be null; y [N, O, ...]. */
    public static Tensor adderDistance(Tensor output, Tensor bias) {
        Tensor y = bias == null ? output : output.sub(channelView(bias, output.dim()));
        return y.neg();
    }

    /**
     * Squared L2 distances ‖x_patch − f‖² of a convolution: input x [N, C, H, W], its output y
     * [N, O, H', W'], weight [O, C, kh, kw], bias [O] or null (groups 1). Clamped at 0 (rounding).
     */
    public static Tensor convSquaredDistance(Tensor x, Tensor y, Tensor weight, Tensor bias, Conv2dOptions options) {
        if (options.groups() != 1) throw new IllegalArgumentException("KernelFeatures: grouped convolutions are not supported (groups " + options.groups() + ")");
        int[] w = weight.shape();
        Tensor patchNorms = Functional.conv2d(x.mul(x), Tensor.ones(1, w[1], w[2], w[3]), null, options);   // [N, 1, H', W']
        Tensor filterNorms = weight.mul(weight).sum(new int[] {1, 2, 3}, false).reshape(1, w[0], 1, 1);
        Tensor dot = bias == null ? y : y.sub(channelView(bias, 4));
        return patchNorms.add(filterNorms).sub(dot.mul(2f)).clamp(0f, Float.POSITIVE_INFINITY);
    }

    /** Squared L2 distances ‖x − w_o‖² of a linear layer: x [N, I], y [N, O], weight [O, I], bias [O] or null. */
    public static Tensor linearSquaredDistance(Tensor x, Tensor y, Tensor weight, Tensor bias) {
        if (x.dim() != 2 || y.dim() != 2) {
            throw new IllegalArgumentException("KernelFeatures: a linear layer's input and output must be [N, I] and [N, O], got "
                    + Arrays.toString(x.shape()) + " and " + Arrays.toString(y.shape()));
        }
        Tensor rowNorms = x.mul(x).sum(new int[] {1}, true);                                  // [N, 1]
        Tensor weightNorms = weight.mul(weight).sum(new int[] {1}, false).reshape(1, weight.size(0));
        Tensor dot = bias == null ? y : y.sub(bias.reshape(1, -1));
        return rowNorms.add(weightNorms).sub(dot.mul(2f)).clamp(0f, Float.POSITIVE_INFINITY);
    }

    /** {@code exp(−D / mean(D))}, the kernel map with the bandwidth set to the mean distance (the gradient flows through the mean too). */
    public static Tensor kernel(Tensor distance) {
        Tensor scale = distance.mean().clamp(EPS, Float.POSITIVE_INFINITY);
        return distance.div(scale).neg().exp();
    }

    private static Tensor channelView(Tensor bias, int dim) {
        int[] shape = new int[dim];
        Arrays.fill(shape, 1);
        shape[1] = bias.numel();
        return bias.reshape(shape);
    }
}
