package dev.tersor.compress.quant;

import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;

/**
 * What {@link QuantConv2d} and {@link QuantLinear} share: the float weight and bias as parameters
 * {@code weight}, {@code bias} (the float layer's keys), the child {@code weight_quant} and, unless
 * the input stays float, the child {@code input_quant}; forward is the float op of the
 * fake-quantized input and weight.
 */
abstract class FakeQuantLayer extends Module implements QuantLayer {
    static final String WEIGHT_QUANT = "weight_quant", INPUT_QUANT = "input_quant";
    private final Parameter weight;
    private Parameter bias;

    FakeQuantLayer(Tensor weight, Tensor bias, FakeQuantizer weightQuant, FakeQuantizer inputQuant) {
        if (weightQuant == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": the weight quantizer must not be null");
        this.weight = registerParameter("weight", weight.detach().copy());
        this.bias = bias == null ? null : registerParameter("bias", bias.detach().copy());
        register(WEIGHT_QUANT, weightQuant);
        if (inputQuant != null) register(INPUT_QUANT, inputQuant);
    }

    /** The float op: convolution or linear map of the (fake-quantized) input with the (fake-quantized) weight. */
    abstract Tensor op(Tensor x, Tensor w, Tensor b);

    @Override
    public Tensor forward(Tensor x) {
        Tensor in = children().containsKey(INPUT_QUANT) ? child(INPUT_QUANT).call(x) : x;
        Tensor w = child(WEIGHT_QUANT).call(weight.value());
        return op(in, w, bias == null ? null : bias.value());
    }

    @Override
    public Tensor weight() {
        return weight.value();
    }

    @Override
    public Tensor bias() {
        return bias == null ? null : bias.value();
    }

    /** The weight parameter. */
    public Parameter weightParameter() {
        return weight;
    }

    /** The bias parameter, or null. */
    public Parameter biasParameter() {
        return bias;
    }

    /** The weight's fake quantizer. */
    public FakeQuantizer weightQuantizer() {
        return (FakeQuantizer) child(WEIGHT_QUANT);
    }

    /** The input's fake quantizer, or null when the input stays float. */
    public FakeQuantizer inputQuantizer() {
        return children().containsKey(INPUT_QUANT) ? (FakeQuantizer) child(INPUT_QUANT) : null;
    }

    /** The weight quantizer's parameters (computed from the current weight when it has none yet). */
    @Override
    public QParams weightQParams() {
        FakeQuantizer q = weightQuantizer();
        if (!q.isInitialized() || q instanceof UniformFakeQuantizer u && u.range() == UniformFakeQuantizer.Range.CURRENT) {
            try (var g = Tensor.noGrad()) {
                q.call(weight.value());
            }
        }
        return q.qparams();
    }

    @Override
    public QParams inputQParams() {
        FakeQuantizer q = inputQuantizer();
        return q == null ? null : q.qparams();
    }

    /**
     * Folds the affine map of a following batch norm in evaluation mode into this layer:
     * {@code W'[k] = W[k]·γ_k/σ_k}, {@code b' = β + (b − μ)·γ/σ} with {@code σ = √(running_var + eps)}
     * (a bias is created if absent: add it to the optimizer). The weight quantizer is
     * {@link FakeQuantizer#reset reset}, since its ranges or step belong to the old weights. The
     * caller removes the batch norm from the model ({@link Quantization#foldBatchNorm} replaces it
     * by an identity).
     */
    void fold(Module batchNorm) {
        int channels = weight.shape()[0];
        BatchNormAffine affine = BatchNormAffine.of(batchNorm, channels);
        float[] b = affine.foldInto(weight.value(), bias == null ? null : bias.value());
        if (bias == null) {
            bias = registerParameter("bias", Tensor.fromArray(b, channels));
        } else {
            try (var g = Tensor.noGrad()) {
                bias.value().copyInPlace(Tensor.fromArray(b, channels));
            }
        }
        weightQuantizer().reset();
    }
}
