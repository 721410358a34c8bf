package dev.tersor.search;

/**
 * The settings of a {@link Darts} search. The presets follow the papers' code for CIFAR-10
 * ({@code train_search.py}); only the number of epochs (and with it the warm-up, kept at the
 * same 30% share for PC-DARTS) is the caller's, since a Fashion-MNIST space needs far fewer.
 *
 * @param relaxation      DARTS (K = 1, no edge normalisation) or PC-DARTS
 * @param epochs          search epochs (each a pass over the weights' half of the training split)
 * @param warmupEpochs    first epochs that train only the weights (PC-DARTS: 15 of 50)
 * @param batch           batch size of both halves
 * @param weightLr        SGD learning rate of the weights, cosine-annealed per step to {@code weightLrMin}
 * @param weightLrMin     the annealed floor
 * @param momentum        SGD momentum
 * @param weightDecay     SGD weight decay (L2, every weight)
 * @param gradClip        clip of the weights' gradient norm (0: none)
 * @param archLr          Adam learning rate of α (and β)
 * @param archBeta1       Adam β1
 * @param archBeta2       Adam β2
 * @param archWeightDecay Adam L2 penalty of α (and β)
 * @param secondOrder     the unrolled gradient with the finite-difference Hessian-vector product (DARTS 2nd order)
 * @param keep            inputs kept per node when the cell is derived
 */
public record DartsOptions(MixedCellSupernet.Relaxation relaxation, int epochs, int warmupEpochs, int batch, double weightLr, double weightLrMin,
                           double momentum, double weightDecay, double gradClip, double archLr, double archBeta1, double archBeta2,
                           double archWeightDecay, boolean secondOrder, int keep) {
    public DartsOptions {
        if (relaxation == null) throw new IllegalArgumentException("DartsOptions: relaxation must not be null");
        if (epochs < 1 || warmupEpochs < 0 || warmupEpochs >= epochs) {
            throw new IllegalArgumentException("DartsOptions: need epochs >= 1 and 0 <= warmupEpochs < epochs, got " + epochs + ", " + warmupEpochs);
        }
        if (batch < 1 || keep < 1) throw new IllegalArgumentException("DartsOptions: batch and keep must be >= 1, got " + batch + ", " + keep);
        if (!(weightLr > 0) || weightLrMin < 0 || weightLrMin > weightLr || !(archLr > 0)) {
            throw new IllegalArgumentException("DartsOptions: need weightLr > 0, 0 <= weightLrMin <= weightLr, archLr > 0; got " + weightLr + ", " + weightLrMin + ", " + archLr);
        }
        if (momentum < 0 || momentum >= 1 || weightDecay < 0 || gradClip < 0 || archWeightDecay < 0 || archBeta1 < 0 || archBeta1 >= 1 || archBeta2 < 0 || archBeta2 >= 1) {
            throw new IllegalArgumentException("DartsOptions: momentum and Adam betas must be in [0, 1), decays and the clip >= 0");
        }
    }

    /** DARTS (first order, or second with {@link #withSecondOrder}): lr 0.025 → 0.001, momentum 0.9, decay 3e-4, clip 5, batch 64; Adam 3e-4, betas (0.5, 0.999), decay 1e-3. */
    public static DartsOptions darts(int epochs) {
        return new DartsOptions(MixedCellSupernet.Relaxation.darts(), epochs, 0, 64, 0.025, 0.001, 0.9, 3e-4, 5, 3e-4, 0.5, 0.999, 1e-3, false, 2);
    }

    /** PC-DARTS: K = 4 with edge normalisation, warm-up 30% of the epochs, lr 0.1 → 0, batch 256; Adam 6e-4, betas (0.5, 0.999), decay 1e-3; first order. */
    public static DartsOptions pcDarts(int epochs) {
        return new DartsOptions(MixedCellSupernet.Relaxation.pcDarts(), epochs, epochs * 15 / 50, 256, 0.1, 0, 0.9, 3e-4, 5, 6e-4, 0.5, 0.999, 1e-3, false, 2);
    }

    /** The same with the second-order (unrolled) architecture gradient on or off. */
    public DartsOptions withSecondOrder(boolean on) {
        return new DartsOptions(relaxation, epochs, warmupEpochs, batch, weightLr, weightLrMin, momentum, weightDecay, gradClip, archLr, archBeta1, archBeta2,
                archWeightDecay, on, keep);
    }

    /** The same with another batch size. */
    public DartsOptions withBatch(int b) {
        return new DartsOptions(relaxation, epochs, warmupEpochs, b, weightLr, weightLrMin, momentum, weightDecay, gradClip, archLr, archBeta1, archBeta2,
                archWeightDecay, secondOrder, keep);
    }

    /** The same with another initial learning rate of the weights (the floor is kept, capped at it). */
    public DartsOptions withWeightLr(double lr) {
        return new DartsOptions(relaxation, epochs, warmupEpochs, batch, lr, Math.min(weightLrMin, lr), momentum, weightDecay, gradClip, archLr, archBeta1,
                archBeta2, archWeightDecay, secondOrder, keep);
    }

    /** The same with another relaxation (e.g. K = 1 for an ablation). */
    public DartsOptions withRelaxation(MixedCellSupernet.Relaxation r) {
        return new DartsOptions(r, epochs, warmupEpochs, batch, weightLr, weightLrMin, momentum, weightDecay, gradClip, archLr, archBeta1, archBeta2,
                archWeightDecay, secondOrder, keep);
    }
}
