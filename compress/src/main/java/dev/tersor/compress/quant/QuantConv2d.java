package dev.tersor.compress.quant;

import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/**
 * A convolution trained with fake quantization: x [N, Cin, H, W] → [N, Cout, H', W'],
 * <pre>
 * y = conv2d(Q_in(x), Q_w(W)) + b
 * </pre>
 * with the float weight W [Cout, Cin/groups, kh, kw] and bias b [Cout] as parameters {@code weight},
 * {@code bias} (a {@link Conv2d} checkpoint loads into it), the weight quantizer child
 * {@code weight_quant} and the input quantizer child {@code input_quant} (absent: float input).
 * <pre>{@code
 * QuantConv2d q = new QuantConv2d(conv, LsqQuantizer.weights(4), LsqQuantizer.activations(4));
 * Tensor y = q.call(x);
 * q.foldBatchNorm(bn);        // W·γ/σ, β + (b − μ)·γ/σ; then drop bn from the model
 * }</pre>
 */
public final class QuantConv2d extends FakeQuantLayer {
    private final Conv2dOptions options;
    private final int in;

    /** Copies {@code source}'s weight, bias and options; {@code inputQuant} may be null (float input). */
    public QuantConv2d(Conv2d source, FakeQuantizer weightQuant, FakeQuantizer inputQuant) {
        super(source.weight().value(), source.bias() == null ? null : source.bias().value(), weightQuant, inputQuant);
        this.options = source.options();
        this.in = source.inChannels();
    }

    @Override
    Tensor op(Tensor x, Tensor w, Tensor b) {
        return Functional.conv2d(x, w, b, options);
    }

    @Override
    public Conv2dOptions convOptions() {
        return options;
    }

    /** Folds a following {@link BatchNorm2d} (evaluation-mode statistics) into the weight and bias. */
    public void foldBatchNorm(BatchNorm2d bn) {
        fold(bn);
    }

    @Override
    public long multiplyAccumulates(Tensor input, Tensor output) {
        return (long) output.numel() * (weight().numel() / weight().shape()[0]);
    }

    @Override
    protected String extraRepr() {
        int[] s = weight().shape();
        return in + ", " + s[0] + ", kernel_size=(" + s[2] + ", " + s[3] + "), stride=(" + options.strideH() + ", "
                + options.strideW() + ")" + (bias() == null ? ", bias=False" : "");
    }
}
