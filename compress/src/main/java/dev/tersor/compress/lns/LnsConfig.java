package dev.tersor.compress.lns;

/**
 * How {@link Lns#prepare} learns the binarization.
 *
 * @param hidden      width of the mapping network's hidden layer
 * @param weight      λ, the factor of the supervision loss added to the task loss (≥ 0)
 * @param rhoPositive ρ₊, the assumed rate at which a clean +1 weight shows as sign(W) = −1
 * @param rhoNegative ρ₋, the assumed rate at which a clean −1 weight shows as sign(W) = +1
 * @param loss        the per-weight loss ℓ inside the unbiased estimator
 */
public record LnsConfig(int hidden, double weight, double rhoPositive, double rhoNegative, SupervisionLoss loss) {

    /** Validates every field. */
    public LnsConfig {
        if (hidden < 1) throw new IllegalArgumentException("LnsConfig: hidden must be >= 1, got " + hidden);
        if (!(weight >= 0) || Double.isInfinite(weight)) throw new IllegalArgumentException("LnsConfig: weight must be >= 0 and finite, got " + weight);
        checkNoise(rhoPositive, rhoNegative);
        if (loss == null) throw new IllegalArgumentException("LnsConfig: loss must not be null");
    }

    /** Hidden width 64, λ = 1, ρ₊ = ρ₋ = 0.1, squared loss. */
    public static LnsConfig defaults() {
        return new LnsConfig(64, 1.0, 0.1, 0.1, SupervisionLoss.SQUARED);
    }

    /** This config with another λ. */
    public LnsConfig withWeight(double w) {
        return new LnsConfig(hidden, w, rhoPositive, rhoNegative, loss);
    }

    /** This config with other noise rates. */
    public LnsConfig withNoise(double positive, double negative) {
        return new LnsConfig(hidden, weight, positive, negative, loss);
    }

    /** This config with another hidden width. */
    public LnsConfig withHidden(int h) {
        return new LnsConfig(h, weight, rhoPositive, rhoNegative, loss);
    }

    /** This config with another per-weight loss. */
    public LnsConfig withLoss(SupervisionLoss l) {
        return new LnsConfig(hidden, weight, rhoPositive, rhoNegative, l);
    }

    static void checkNoise(double rhoPositive, double rhoNegative) {
        if (!(rhoPositive >= 0 && rhoPositive < 1) || !(rhoNegative >= 0 && rhoNegative < 1) || !(rhoPositive + rhoNegative < 1)) {
            throw new IllegalArgumentException("LnsConfig: noise rates need 0 <= rhoPositive, rhoNegative and rhoPositive + rhoNegative < 1, got "
                    + rhoPositive + ", " + rhoNegative);
        }
    }
}
