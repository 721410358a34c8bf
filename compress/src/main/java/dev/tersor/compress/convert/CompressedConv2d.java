package dev.tersor.compress.convert;

import dev.tersor.compress.quant.QParams;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.lowbit.Int8Conv2d;

/**
 * Inference form of a compressed convolution, with its weights packed ({@link PackedWeights}):
 * <ul>
 *   <li>integer (int8 or 2–7-bit) weights with one scale per output channel and an input
 *       quantization: the input is quantized per tensor inside each call and an int8 × int8 →
 *       int32 convolution ({@link Int8Conv2d}) runs, then {@code y = acc·(s_x·s_w[k]) + b[k]};</li>
 *   <li>integer weights without input quantization (weight-only), or codebook weights (k
 *       shared centres, DP-Net / SLB): the weights are decoded to float once and the convolution
 *       runs in float; the file and the stored state stay packed.</li>
 * </ul>
 * Holds no parameters: it is not trainable.
 */
public final class CompressedConv2d extends CompressedLayer {
    private final Conv2dOptions options;
    private final Int8Conv2d kernel;
    private final Tensor floatWeight, floatBias;

    CompressedConv2d(PackedWeights weights, Conv2dOptions options, QParams input) {
        super(weights, input);
        this.options = options;
        QuantizedWeights q = integerKernelWeights();
        if (q != null) {
            this.kernel = Int8Conv2d.pack(q.values(), q.shape(), options, q.qparams().scale(),
                    Int8Layers.input(input), weights.bias(), false);
            holdIn(kernel::weights);
            this.floatWeight = null;
            this.floatBias = null;
        } else {
            float[] b = weights.bias();
            this.kernel = null;
            this.floatWeight = weights.dequantized();
            this.floatBias = b == null ? null : Tensor.fromArray(b.clone(), b.length);
        }
    }

    /** Stride, padding, dilation and groups. */
    public Conv2dOptions options() {
        return options;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (kernel != null) return kernel.apply(x);
        return Functional.conv2d(x, floatWeight, floatBias, options);
    }

    @Override
    public long multiplyAccumulates(Tensor in, Tensor out) {
        return (long) out.numel() * (weights.count() / weights.shape()[0]);
    }

    @Override
    protected String extraRepr() {
        int[] s = weights.shape();
        return s[1] * options.groups() + ", " + s[0] + ", kernel_size=(" + s[2] + ", " + s[3] + "), " + options
                + ", " + bitsText()
                + (kernel != null ? ", kernel=" + kernel.kernelName() : "");
    }
}
