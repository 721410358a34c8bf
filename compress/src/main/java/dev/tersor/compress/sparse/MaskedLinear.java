package dev.tersor.compress.sparse;

import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Tensor;

/**
 * {@link Linear} under a pruning mask (see {@link MaskedLayer}): x [..., in] →
 * x·(weight ⊙ mask)ᵀ + bias. State-dict keys {@code weight}, {@code bias}, {@code mask}.
 */
public final class MaskedLinear extends Linear implements MaskedLayer {
    private final Tensor mask;

    /** The layer of {@code linear}'s weights (copied), every weight kept. */
    public MaskedLinear(Linear linear) {
        super(linear.weight().shape()[1], linear.weight().shape()[0], linear.bias() != null);
        try (var g = Tensor.noGrad()) {
            weight().value().copyInPlace(linear.weight().value());
            if (linear.bias() != null) bias().value().copyInPlace(linear.bias().value());
        }
        mask = registerBuffer("mask", Tensor.ones(linear.weight().shape()), true);
    }

    @Override
    public Tensor mask() {
        return mask;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (isTraining()) applyMask();
        return Functional.linear(x, weight().value().mul(mask), bias() == null ? null : bias().value());
    }

    @Override
    public Module toDense() {
        int[] s = weight().shape();
        Linear l = new Linear(s[1], s[0], bias() != null);
        try (var g = Tensor.noGrad()) {
            l.weight().value().copyInPlace(weight().value().mul(mask));
            if (bias() != null) l.bias().value().copyInPlace(bias().value());
        }
        return l;
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + ", sparsity=" + Sparsity.percent(mask);
    }
}
