package dev.tersor.nn.binary;

/**
 * How a binary layer binarizes and trains.
 *
 * @param activationGradient backward of the activations' sign
 * @param weightGradient     backward of the weights' sign (the papers' clipped STE by default:
 *                           latent weights outside [−1, 1] get no gradient)
 * @param scale              the per-output-channel factor α
 * @param rotation           RBNN: standardise each filter, rotate it with two learned matrices
 *                           (bi-rotation, updated by {@link BinaryConv2d#startEpoch}) and blend
 *                           with a learned per-filter weight {@code |sin θ|} before the sign
 * @param tMin               RBNN schedule: t at the first epoch
 * @param tMax               RBNN schedule: t approached at the last epoch
 */
public record BinaryOptions(SignGradient activationGradient, SignGradient weightGradient, WeightScale scale, boolean rotation,
                            double tMin, double tMax) {

    /** Validates every field. */
    public BinaryOptions {
        if (activationGradient == null || weightGradient == null || scale == null) {
            throw new IllegalArgumentException("BinaryOptions: gradients and scale must not be null");
        }
        if (!(tMin > 0) || !(tMax >= tMin) || Double.isInfinite(tMax)) {
            throw new IllegalArgumentException("BinaryOptions: need 0 < tMin <= tMax, got tMin=" + tMin + ", tMax=" + tMax);
        }
    }

    /** XNOR-Net: clipped STE for activations and weights, α = mean |W|. */
    public static BinaryOptions xnor() {
        return new BinaryOptions(SignGradient.STE, SignGradient.STE, WeightScale.MEAN_ABS, false, 1e-2, 1e1);
    }

    /** Bi-Real Net: ApproxSign for activations, clipped STE for weights, α = mean |W| (magnitude-aware). */
    public static BinaryOptions biReal() {
        return new BinaryOptions(SignGradient.APPROX_SIGN, SignGradient.STE, WeightScale.MEAN_ABS, false, 1e-2, 1e1);
    }

    /** RBNN: bi-rotation, training-aware sign gradient for weights and activations (Tmin 10⁻², Tmax 10¹), learned α. */
    public static BinaryOptions rbnn() {
        return new BinaryOptions(SignGradient.RBNN, SignGradient.RBNN, WeightScale.LEARNED, true, 1e-2, 1e1);
    }

    /** These options with another activation backward. */
    public BinaryOptions withActivationGradient(SignGradient g) {
        return new BinaryOptions(g, weightGradient, scale, rotation, tMin, tMax);
    }

    /** These options with another weight backward. */
    public BinaryOptions withWeightGradient(SignGradient g) {
        return new BinaryOptions(activationGradient, g, scale, rotation, tMin, tMax);
    }

    /** These options with another scale. */
    public BinaryOptions withScale(WeightScale s) {
        return new BinaryOptions(activationGradient, weightGradient, s, rotation, tMin, tMax);
    }

    /** These options with RBNN's rotation on or off. */
    public BinaryOptions withRotation(boolean on) {
        return new BinaryOptions(activationGradient, weightGradient, scale, on, tMin, tMax);
    }

    /** These options with another RBNN t schedule. */
    public BinaryOptions withSchedule(double tMin, double tMax) {
        return new BinaryOptions(activationGradient, weightGradient, scale, rotation, tMin, tMax);
    }
}
