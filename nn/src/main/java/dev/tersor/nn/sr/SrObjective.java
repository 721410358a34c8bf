package dev.tersor.nn.sr;

import dev.tersor.tensor.Tensor;

/**
 * A super-resolution model that brings its own training loss (DRN's primal + dual regression
 * loss), used by {@link SrTrainer} instead of the L1 loss of {@code model(lr)} and {@code hr}.
 */
public interface SrObjective {
    /**
     * The loss of one batch, to be minimised.
     *
     * @param lr LR patches {@code [N, 3, h, w]} in [0, 255]
     * @param hr their HR patches {@code [N, 3, s·h, s·w]} in [0, 255]
     */
    Tensor trainingLoss(Tensor lr, Tensor hr);
}
