package dev.tersor.nn.loss;

import dev.tersor.tensor.Function;
import dev.tersor.tensor.Tensor;

/**
 * Binary cross entropy on logits x with targets y and an optional positive-class weight p
 * (broadcast along the trailing axes, PyTorch's {@code pos_weight}), as one op:
 * <pre>
 * loss = (1 − y)·x + l·softplus(−x),   l = 1 + (p − 1)·y,   softplus(−x) = max(−x, 0) + log(1 + e^−|x|)
 * ∂/∂x = (1 − y) − l·σ(−x)      (σ(0) − y = ½ − y at x = 0 without p)
 * ∂/∂y = −x + (p − 1)·softplus(−x)
 * </pre>
 * Written as one op because the composite's kinks at x = 0 (the max and the |x|) would give
 * the subgradient −y there instead of σ(0) − y. p gets no gradient (as PyTorch).
 */
final class BceWithLogits extends Function {
    private final Tensor posWeight;
    private final Reduction reduction;

    BceWithLogits(Tensor posWeight, Reduction reduction) {
        this.posWeight = posWeight;
        this.reduction = reduction;
    }

    /** {@code softplus(−x) = −log σ(x)}, stable for large |x|. */
    private static Tensor softplusNeg(Tensor x) {
        return x.neg().relu().add(x.abs().neg().exp().add(1f).log());
    }

    /** {@code l = 1 + (p − 1)·y}, or null without p. */
    private Tensor logWeight(Tensor y) {
        return posWeight == null ? null : posWeight.sub(1f).mul(y).add(1f);
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        Tensor x = in[0], y = in[1];
        ctx.save(x, y);
        Tensor sp = softplusNeg(x);
        Tensor l = logWeight(y);
        Tensor loss = y.neg().add(1f).mul(x).add(l == null ? sp : l.mul(sp));
        return Losses.reduce(loss, reduction, x.size(0));
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor g) {
        Tensor x = ctx.saved(0), y = ctx.saved(1);
        Tensor scale = switch (reduction) {
            case NONE, SUM -> g;
            case MEAN -> g.div((float) x.numel());
            case BATCH_MEAN -> g.div((float) x.size(0));
        };
        Tensor l = logWeight(y);
        Tensor sigNeg = x.neg().sigmoid();
        Tensor dx = null, dy = null;
        if (ctx.needsInputGrad(0)) dx = y.neg().add(1f).sub(l == null ? sigNeg : l.mul(sigNeg)).mul(scale);
        if (ctx.needsInputGrad(1)) {
            Tensor d = x.neg();
            if (posWeight != null) d = d.add(posWeight.sub(1f).mul(softplusNeg(x)));
            dy = d.mul(scale);
        }
        return new Tensor[] {dx, dy};
    }
}
