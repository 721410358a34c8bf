package dev.tersor.compress.sparse;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/**
 * {@link Conv2d} under a pruning mask (see {@link MaskedLayer}): x [N, C, H, W] →
 * conv2d(x, weight ⊙ mask, bias). State-dict keys {@code weight}, {@code bias}, {@code mask}.
 */
public final class MaskedConv2d extends Conv2d implements MaskedLayer {
    private final Tensor mask;

    /** The layer of {@code conv}'s weights (copied), every weight kept. */
    public MaskedConv2d(Conv2d conv) {
        super(conv.inChannels(), conv.outChannels(), conv.weight().shape()[2], conv.weight().shape()[3], conv.options(), conv.bias() != null);
        try (var g = Tensor.noGrad()) {
            weight().value().copyInPlace(conv.weight().value());
            if (conv.bias() != null) bias().value().copyInPlace(conv.bias().value());
        }
        mask = registerBuffer("mask", Tensor.ones(conv.weight().shape()), true);
    }

    @Override
    public Tensor mask() {
        return mask;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (isTraining()) applyMask();
        return Functional.conv2d(x, weight().value().mul(mask), bias() == null ? null : bias().value(), options());
    }

    @Override
    public Module toDense() {
        Conv2d c = new Conv2d(inChannels(), outChannels(), weight().shape()[2], weight().shape()[3], options(), bias() != null);
        try (var g = Tensor.noGrad()) {
            c.weight().value().copyInPlace(weight().value().mul(mask));
            if (bias() != null) c.bias().value().copyInPlace(bias().value());
        }
        return c;
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + ", sparsity=" + Sparsity.percent(mask);
    }
}
