package dev.tersor.compress.lns;

import dev.tersor.nn.binary.BinaryConv2d;
import dev.tersor.nn.binary.BinaryOptions;
import dev.tersor.nn.binary.BinarySign;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/**
 * A {@link BinaryConv2d} whose weight signs are learned by LNS (see {@link LnsLayer}):
 * x [N, Cin, H, W] → [N, Cout, H', W'], {@code y = conv2d(sign(x), sign(f(W)))·α + bias}.
 * {@link #toInference()} packs sign(f(W)).
 */
public final class LnsConv2d extends BinaryConv2d implements LnsLayer {
    private final LnsConfig config;
    private final FilterMapping mapping;
    private final int kernelH, kernelW;

    /** Takes over {@code source}'s latent weight, bias, α and options, with a fresh mapping network. */
    public LnsConv2d(BinaryConv2d source, LnsConfig config) {
        super(source.inChannels(), source.outChannels(), source.weight().shape()[2], source.weight().shape()[3], source.options(),
                source.bias() != null, check(source.binaryOptions()));
        this.config = config;
        this.kernelH = source.weight().shape()[2];
        this.kernelW = source.weight().shape()[3];
        try (var g = Tensor.noGrad()) {
            weight().value().copyInPlace(source.weight().value());
            if (bias() != null) bias().value().copyInPlace(source.bias().value());
            if (alpha() != null) alpha().value().copyInPlace(source.alpha().value());
        }
        setTrainingAware(source.t(), source.k());
        this.mapping = register("mapping", new FilterMapping(fanIn(), config.hidden()));
    }

    private static BinaryOptions check(BinaryOptions opts) {
        LnsWeights.checkOptions("LnsConv2d", opts);
        return opts;
    }

    private int fanIn() {
        return weight().numel() / outChannels();
    }

    @Override
    public FilterMapping mapping() {
        return mapping;
    }

    @Override
    public Tensor mappedWeight() {
        return LnsWeights.mapped(mapping, weight().value(), outChannels(), fanIn());
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
        Tensor y = Functional.conv2d(xb, LnsWeights.signs(mappedWeight(), weight().shape()), null, options());
        Tensor a = LnsWeights.scale(o, weight().value(), alpha(), outChannels(), fanIn(), new int[] {outChannels(), 1, 1});
        if (a != null) y = y.mul(a);
        if (bias() != null) y = y.add(bias().value().reshape(outChannels(), 1, 1));
        return y;
    }

    /** sign(f(W)) [Cout, Cin, kh, kw], the ±1 weights the forward uses (no graph). */
    @Override
    public Tensor binarizedWeight() {
        try (var g = Tensor.noGrad()) {
            return BinarySign.signs(mappedWeight()).reshape(weight().shape());
        }
    }

    @Override
    public BinaryConv2d toFixed() {
        BinaryConv2d fixed = new BinaryConv2d(inChannels(), outChannels(), kernelH, kernelW, options(), bias() != null,
                LnsWeights.fixedOptions(binaryOptions()));
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
