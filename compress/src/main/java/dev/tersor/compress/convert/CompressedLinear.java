package dev.tersor.compress.convert;

import dev.tersor.compress.quant.QParams;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.lowbit.Int8Linear;
import dev.tersor.tensor.lowbit.Int8WeightOnlyLinear;

/**
 * Inference form of a compressed linear layer x [..., in] → [..., out], with its weights packed
 * ({@link PackedWeights}): integer weights with per-output scales and an input quantization run
 * an integer GEMM ({@link Int8Linear}) and {@code y = acc·(s_x·s_w[n]) + b[n]}; weight-only
 * integer weights stay one byte each and meet the float input in registers
 * ({@link Int8WeightOnlyLinear}); codebook weights are decoded to float once. Not trainable.
 */
public final class CompressedLinear extends CompressedLayer {
    private final Int8Linear kernel;
    private final Int8WeightOnlyLinear weightOnly;
    private final Tensor floatWeight, floatBias;

    CompressedLinear(PackedWeights weights, QParams input) {
        super(weights, input);
        int[] s = weights.shape();
        QuantizedWeights q = integerKernelWeights();
        if (q != null) {
            this.kernel = Int8Linear.pack(q.values(), s[0], s[1], q.qparams().scale(), Int8Layers.input(input),
                    weights.bias(), false);
            holdIn(kernel::weights);
            this.weightOnly = null;
            this.floatWeight = null;
            this.floatBias = null;
        } else if (weights instanceof QuantizedWeights w) {
            this.kernel = null;
            this.weightOnly = Int8WeightOnlyLinear.pack(w.values(), s[0], s[1], w.qparams().scale(), weights.bias());
            holdIn(weightOnly::weights);
            this.floatWeight = null;
            this.floatBias = null;
        } else {
            float[] b = weights.bias();
            this.kernel = null;
            this.weightOnly = null;
            this.floatWeight = weights.dequantized();
            this.floatBias = b == null ? null : Tensor.fromArray(b.clone(), b.length);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        if (kernel != null) return kernel.apply(x);
        if (weightOnly != null) return weightOnly.apply(x);
        return Functional.linear(x, floatWeight, floatBias);
    }

    @Override
    boolean holdsBytes() {
        return kernel != null || weightOnly != null;
    }

    @Override
    public long multiplyAccumulates(Tensor in, Tensor out) {
        return (long) out.numel() * weights.shape()[1];
    }

    @Override
    protected String extraRepr() {
        int[] s = weights.shape();
        return "in_features=" + s[1] + ", out_features=" + s[0] + ", w" + weights.bits()
                + (kernel != null ? ", kernel=" + kernel.kernelName() : weightOnly != null ? ", weight-only kernel=" + weightOnly.kernelName() : "");
    }
}
