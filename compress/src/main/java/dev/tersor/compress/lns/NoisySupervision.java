package dev.tersor.compress.lns;

import dev.tersor.tensor.Tensor;

/**
 * The unbiased estimator of a loss under class-conditional label noise (Natarajan et al., "Learning
 * with Noisy Labels", NIPS 2013, Lemma 1), which LNS applies to the noisy labels sign(W):
 * <pre>
 * ℓ̃(t, y) = ((1 − ρ_{−y})·ℓ(t, y) − ρ_y·ℓ(t, −y)) / (1 − ρ₊ − ρ₋)
 * ρ₊ = P(label −1 | clean +1),  ρ₋ = P(label +1 | clean −1),  ρ₊ + ρ₋ < 1
 * </pre>
 * so that {@code E_noisy[ℓ̃(t, ỹ)] = ℓ(t, y)}: in expectation over the flips, the corrected loss
 * on noisy labels is the loss on the clean ones. With ρ₊ = ρ₋ = 0 it is ℓ itself.
 */
public final class NoisySupervision {
    private NoisySupervision() {
    }

    /**
     * {@code mean ℓ̃(t, y)} over all elements, with graph through t. t: any shape; y: the same
     * shape with values ±1 (no gradient).
     */
    public static Tensor loss(Tensor t, Tensor y, double rhoPositive, double rhoNegative, SupervisionLoss kind) {
        LnsConfig.checkNoise(rhoPositive, rhoNegative);
        if (!java.util.Arrays.equals(t.shape(), y.shape())) {
            throw new IllegalArgumentException("NoisySupervision.loss: t " + java.util.Arrays.toString(t.shape()) + " and y "
                    + java.util.Arrays.toString(y.shape()) + " differ");
        }
        Tensor labels = y.detach();
        // ρ_y = ρ₋ + (ρ₊ − ρ₋)·(y + 1)/2, and ρ_{−y} = ρ₊ + ρ₋ − ρ_y
        Tensor rhoY = labels.add(1f).mul((float) ((rhoPositive - rhoNegative) / 2)).add((float) rhoNegative);
        Tensor rhoOther = rhoY.neg().add((float) (rhoPositive + rhoNegative));
        Tensor same = kind.of(t, labels), flipped = kind.of(t, labels.neg());
        Tensor corrected = rhoOther.neg().add(1f).mul(same).sub(rhoY.mul(flipped));
        return corrected.mean().div((float) (1 - rhoPositive - rhoNegative));
    }
}
