package dev.tersor.compress.lns;

import dev.tersor.nn.binary.BinaryLinear;
import dev.tersor.nn.binary.BinaryOptions;
import dev.tersor.nn.binary.BinarySign;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/**
 * A {@link BinaryLinear} whose weight signs are learned by LNS (see {@link LnsLayer}):
 * x [..., in] → [..., out], {@code y = linear(sign(x), sign(f(W)))·α + bias}.
 * {@link #toInference()} packs sign(f(W)).
 */
public final class LnsLinear extends BinaryLinear implements LnsLayer {
    private final LnsConfig config;
    private final FilterMapping mapping;

    /** Takes over {@code source}'s latent weight, bias, α and options, with a fresh mapping network. */
    public LnsLinear(BinaryLinear source, LnsConfig config) {
        super(source.inFeatures(), source.outFeatures(), source.bias() != null, check(source.binaryOptions()));
        this.config = config;
        try (var g = Tensor.noGrad()) {
            weight().value().copyInPlace(source.weight().value());
            if (bias() != null) bias().value().copyInPlace(source.bias().value());
            if (alpha() != null) alpha().value().copyInPlace(source.alpha().value());
        }
        setTrainingAware(source.t(), source.k());
        this.mapping = register("mapping", new FilterMapping(inFeatures(), config.hidden()));
    }

    private static BinaryOptions check(BinaryOptions opts) {
        LnsWeights.checkOptions("LnsLinear", opts);
        return opts;
    }

    @Override
    public FilterMapping mapping() {
        return mapping;
    }

    @Override
    public Tensor mappedWeight() {
        return LnsWeights.mapped(mapping, weight().value(), outFeatures(), inFeatures());
    }

    @Override
    public Tensor supervisionLoss() {
        return LnsWeights.loss(mappedWeight(), weight().value(), config);
    }

    @Override
    public double flipFraction() {
        try (var g = Tensor.noGrad()) {
            return LnsWeights.flips(mappedWeight(), weight().value());
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        BinaryOptions o = binaryOptions();
        Tensor xb = BinarySign.apply(x, o.activationGradient(), t(), k());
        Tensor y = Functional.linear(xb, LnsWeights.signs(mappedWeight(), weight().shape()), null);
        Tensor a = LnsWeights.scale(o, weight().value(), alpha(), outFeatures(), inFeatures(), new int[] {outFeatures()});
        if (a != null) y = y.mul(a);
        if (bias() != null) y = y.add(bias().value().reshape(outFeatures()));
        return y;
    }

    /** sign(f(W)) [out, in], the ±1 weights the forward uses (no graph). */
    @Override
    public Tensor binarizedWeight() {
        try (var g = Tensor.noGrad()) {
            return BinarySign.signs(mappedWeight()).reshape(weight().shape());
        }
    }

    @Override
    public BinaryLinear toFixed() {
        BinaryLinear fixed = new BinaryLinear(inFeatures(), outFeatures(), bias() != null, LnsWeights.fixedOptions(binaryOptions()));
        LnsWeights.copyFixed(binarizedWeight(), outputScale(), bias(), fixed.weight(), fixed.alpha(), fixed.bias());
        fixed.setTrainingAware(t(), k());
        if (!isTraining()) fixed.eval();
        return fixed;
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + ", lns(hidden=" + config.hidden() + ")";
    }
}
