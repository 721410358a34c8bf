package dev.tersor.compress.quant;

import dev.tersor.nn.BatchNorm1d;
import dev.tersor.nn.Linear;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/**
 * A linear layer trained with fake quantization: x [..., in] → [..., out],
 * {@code y = Q_in(x)·Q_w(W)ᵀ + b}, with W [out, in] and b [out] as parameters {@code weight},
 * {@code bias} (a {@link Linear} checkpoint loads into it) and the quantizer children
 * {@code weight_quant} and {@code input_quant} (absent: float input).
 * <pre>{@code
 * QuantLinear q = new QuantLinear(fc, UniformFakeQuantizer.weights(8, 10, true), UniformFakeQuantizer.activations(8));
 * }</pre>
 */
public final class QuantLinear extends FakeQuantLayer {

    /** Copies {@code source}'s weight and bias; {@code inputQuant} may be null (float input). */
    public QuantLinear(Linear source, FakeQuantizer weightQuant, FakeQuantizer inputQuant) {
        super(source.weight().value(), source.bias() == null ? null : source.bias().value(), weightQuant, inputQuant);
    }

    @Override
    Tensor op(Tensor x, Tensor w, Tensor b) {
        return Functional.linear(x, w, b);
    }

    /** Null: not a convolution. */
    @Override
    public Conv2dOptions convOptions() {
        return null;
    }

    /** Folds a following {@link BatchNorm1d} (evaluation-mode statistics) into the weight and bias. */
    public void foldBatchNorm(BatchNorm1d bn) {
        fold(bn);
    }

    @Override
    public long multiplyAccumulates(Tensor input, Tensor output) {
        return (long) output.numel() * weight().shape()[1];
    }

    @Override
    protected String extraRepr() {
        int[] s = weight().shape();
        return "in_features=" + s[1] + ", out_features=" + s[0] + ", bias=" + (bias() != null);
    }
}
