package dev.tersor.compress.prune;

import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.train.LossFunction;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Network slimming's sparsity training (Liu et al., ICCV 2017, eq. 1): the loss plus
 * λ·Σ|γ| over the scales γ of every affine batch norm, whose subgradient λ·sign(γ) drives
 * unimportant channels' scales to zero before they are pruned by {@link Criteria#slimming()}.
 * The paper uses λ = 1e-4 (1e-5 for VGG on CIFAR-100).
 */
public final class SlimmingPenalty {
    private final List<Parameter> gammas = new ArrayList<>();
    private final double lambda;

    /** The penalty on every affine batch norm of {@code model}. */
    public SlimmingPenalty(Module model, double lambda) {
        if (!(lambda >= 0) || Double.isInfinite(lambda)) throw new IllegalArgumentException("SlimmingPenalty: lambda must be finite and >= 0, got " + lambda);
        for (Module m : model.namedModules().values()) {
            Parameter w = Criteria.batchNormWeight(m);
            if (w != null) gammas.add(w);
        }
        if (gammas.isEmpty()) throw new IllegalArgumentException("SlimmingPenalty: the model has no affine batch norm");
        this.lambda = lambda;
    }

    /** λ·Σ|γ| (a scalar with gradient). */
    public Tensor penalty() {
        Tensor sum = null;
        for (Parameter g : gammas) {
            Tensor s = g.value().abs().sum();
            sum = sum == null ? s : sum.add(s);
        }
        return sum.mul((float) lambda);
    }

    /** {@code loss} plus the penalty. */
    public LossFunction addTo(LossFunction loss) {
        return (outputs, labels) -> loss.apply(outputs, labels).add(penalty());
    }
}
