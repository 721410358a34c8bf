package dev.tersor.tensor.lowbit;

/**
 * How an adder op ({@link Adder}) back-propagates {@code Y = −Σ|X − F|}.
 *
 * <p>{@link Rule#ADDERNET} is the training rule of AdderNet (Chen et al., CVPR 2020, eqs. 5 and
 * 7): the filters get the full-precision gradient {@code ∂Y/∂F = X − F} instead of the sign, and
 * the inputs {@code ∂Y/∂X = HT(F − X)} (HardTanh, i.e. clamped to [−1, 1]) instead of
 * {@code sign(F − X)}. {@link Rule#EXACT} is the true derivative ({@code sign(X − F)} and
 * {@code sign(F − X)}, 0 at ties): a reference for gradient checks.
 *
 * <p>{@code eta} is the adaptive learning rate of the paper (eq. 13,
 * {@code α_l = η·√k / ‖ΔL(F_l)‖₂}), applied the way the official code applies it: inside the
 * backward of each call, the filter gradient of that call (summed over the batch) is replaced by
 * {@code g·η·√k / max(‖g‖₂, 1e-12)}, where k is the number of elements of the whole filter
 * tensor ({@code W.numel()} = out·in·kh·kw) and {@code ‖g‖₂} the L2 norm over all of it. So the
 * optimizer sees a gradient of L2 norm {@code η·√k} (root-mean-square η per element) and
 * multiplies it by its own learning rate as for every other parameter; weight decay and momentum
 * then apply as usual (as with the official {@code torch.optim.SGD} over all parameters). The
 * official code's constant {@code /5} is {@code η = 0.2}, the default here. {@code eta = 0}
 * leaves the filter gradient unscaled. The input gradient is never scaled.
 *
 * @param rule the gradient rule
 * @param eta  η of the adaptive learning rate, finite and {@code >= 0}; 0 turns the scaling off
 */
public record AdderBackward(Rule rule, double eta) {

    /** The gradient rules. */
    public enum Rule {
        /** {@code ∂Y/∂F = X − F}, {@code ∂Y/∂X = HardTanh(F − X)}: AdderNet's training rule. */
        ADDERNET,
        /** {@code ∂Y/∂F = sign(X − F)}, {@code ∂Y/∂X = sign(F − X)}: the true derivative. */
        EXACT
    }

    /** η of the official AdderNet code ({@code sqrt(numel)/5}). */
    public static final double DEFAULT_ETA = 0.2;

    /** AdderNet's rule with η = 0.2, as the official code trains. */
    public static final AdderBackward ADDERNET = new AdderBackward(Rule.ADDERNET, DEFAULT_ETA);

    /** The true derivative, unscaled (gradient checks). */
    public static final AdderBackward EXACT = new AdderBackward(Rule.EXACT, 0);

    public AdderBackward {
        if (rule == null) throw new IllegalArgumentException("AdderBackward: rule must not be null");
        if (!(eta >= 0) || Double.isInfinite(eta)) {
            throw new IllegalArgumentException("AdderBackward: eta must be finite and >= 0, got " + eta);
        }
    }

    /** AdderNet's rule with adaptive-learning-rate factor {@code eta} (0: no scaling). */
    public static AdderBackward addernet(double eta) {
        return new AdderBackward(Rule.ADDERNET, eta);
    }

    /** The same rule with another η. */
    public AdderBackward withEta(double eta) {
        return new AdderBackward(rule, eta);
    }

    /**
     * The factor the filter gradient is multiplied by: {@code η·√numel / max(‖g‖₂, 1e-12)}, or 1
     * when η is 0.
     *
     * @param sumSquares {@code Σ g²} over the whole filter gradient
     * @param numel      the number of filter elements k
     */
    public double scale(double sumSquares, long numel) {
        if (eta == 0) return 1;
        return eta * Math.sqrt((double) numel) / Math.max(Math.sqrt(sumSquares), 1e-12);
    }
}
