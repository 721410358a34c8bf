package dev.tersor.compress.quant;

/**
 * The quantization-aware training methods and the fake quantizers each puts on a layer's weight
 * and input:
 * <pre>
 * UNIFORM  weights {@link UniformFakeQuantizer#weights} (signed, per channel unless configured otherwise),
 *          inputs {@link UniformFakeQuantizer#activations} (affine); min-max or moving-average ranges (torch.ao)
 * LSQ      {@link LsqQuantizer#weights} and {@link LsqQuantizer#activations}: learned steps
 * PACT     weights {@link UniformFakeQuantizer#maxSymmetric}, inputs {@link PactQuantizer}: learned clip α, L2 penalty
 * PAMS     weights {@link UniformFakeQuantizer#maxSymmetric}, inputs {@link PamsQuantizer}: EMA, then learned bound α
 * </pre>
 */
public enum QuantMethod {
    UNIFORM, LSQ, PACT, PAMS;

    /** The quantizer for a weight with {@code outChannels} output channels at {@code bits} bits. */
    public FakeQuantizer weightQuantizer(int bits, int outChannels, QuantConfig config) {
        QuantScheme.checkBits(bits);
        switch (this) {
            case UNIFORM:
                QuantScheme scheme = QuantScheme.signed(bits, config.perChannel());
                return new UniformFakeQuantizer(scheme, config.range(), MovingAverageMinMaxObserver.DEFAULT_MOMENTUM,
                        config.perChannel() ? outChannels : 1);
            case LSQ:
                return LsqQuantizer.weights(bits);
            default:
                return UniformFakeQuantizer.maxSymmetric(bits);
        }
    }

    /** The quantizer for a layer's input at {@code bits} bits. */
    public FakeQuantizer inputQuantizer(int bits, QuantConfig config) {
        QuantScheme.checkBits(bits);
        switch (this) {
            case UNIFORM:
                return new UniformFakeQuantizer(QuantScheme.affine(bits), config.range(), MovingAverageMinMaxObserver.DEFAULT_MOMENTUM, 1);
            case LSQ:
                return LsqQuantizer.activations(bits);
            case PACT:
                return new PactQuantizer(bits, config.pactInitialAlpha());
            default:
                return new PamsQuantizer(bits, config.pamsDecay());
        }
    }
}
