package dev.tersor.compress.lns;

import dev.tersor.tensor.Tensor;

/**
 * The per-weight loss ℓ(t, y) between the mapping's pre-sign output t and a label y = ±1, before
 * the noise correction of {@link NoisySupervision}.
 */
public enum SupervisionLoss {
    /**
     * {@code ℓ(t, y) = (t − y)²}; with ρ₊ = ρ₋ = ρ its unbiased form is {@code t² − 2ty/(1 − 2ρ) + 1},
     * bounded below and smallest at {@code t = y/(1 − 2ρ)}.
     */
    SQUARED,
    /**
     * {@code ℓ(t, y) = log(1 + e^(−y·t))}, computed as {@code relu(−yt) + log(1 + e^(−|yt|))}; its
     * unbiased form falls without bound as {@code y·t} grows (about {@code −ρ·yt/(1 − 2ρ)}).
     */
    LOGISTIC;

    /** ℓ(t, y) elementwise (t and y of one shape, y ∈ {−1, +1}). */
    Tensor of(Tensor t, Tensor y) {
        if (this == SQUARED) {
            Tensor d = t.sub(y);
            return d.mul(d);
        }
        Tensor z = t.mul(y).neg();
        return z.relu().add(z.abs().neg().exp().add(1f).log());
    }
}
