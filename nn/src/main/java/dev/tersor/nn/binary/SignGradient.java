package dev.tersor.nn.binary;

/**
 * The backward rule of {@code sign()} in binary layers. The forward is always
 * {@code s(x) = x >= 0 ? +1 : −1}; the gradient is {@code g·F'(x)} with
 * <pre>
 * STE          F'(x) = 1 for |x| ≤ 1, else 0          clipped straight-through (hardtanh'; BNN, XNOR-Net)
 * APPROX_SIGN  F'(x) = 2 + 2x on [−1, 0), 2 − 2x on [0, 1), 0 else     (Bi-Real Net's ApproxSign)
 * RBNN         F'(x) = k·t·(1 − tanh²(t·x))           training-aware, t and k set per epoch
 * </pre>
 * For RBNN, {@link #t(int, int, double, double)} and {@link #k(double)} give the schedule
 * {@code t = Tmin·10^(e/E·log10(Tmax/Tmin))}, {@code k = max(1/t, 1)} (epoch e of E): early on t is
 * small and the gradient is a wide, STE-like window; it sharpens towards sign's true derivative.
 * The RBNN code's defaults are Tmin = 10⁻², Tmax = 10¹.
 */
public enum SignGradient {
    /** Clipped identity: the derivative of hardtanh, 1 on [−1, 1]. */
    STE,
    /** Bi-Real Net's piecewise-polynomial approximation: {@code 2 − 2|x|} on (−1, 1). */
    APPROX_SIGN,
    /** RBNN's training-aware approximation {@code k·t·(1 − tanh²(t·x))}. */
    RBNN;

    /** F'(x) of this rule (t and k are used by {@link #RBNN} only). */
    public float derivative(float x, float t, float k) {
        switch (this) {
            case STE:
                return Math.abs(x) <= 1f ? 1f : 0f;
            case APPROX_SIGN:
                return Math.abs(x) < 1f ? 2f - 2f * Math.abs(x) : 0f;
            default:
                double th = Math.tanh((double) t * x);
                return (float) (k * t * (1 - th * th));
        }
    }

    /** RBNN's t for epoch {@code epoch} (0-based) of {@code epochs}: {@code Tmin·10^(e/E·log10(Tmax/Tmin))}. */
    public static double t(int epoch, int epochs, double tMin, double tMax) {
        if (epochs < 1 || epoch < 0) throw new IllegalArgumentException("RBNN schedule: need 0 <= epoch and epochs >= 1, got epoch "
                + epoch + " of " + epochs);
        if (!(tMin > 0) || !(tMax >= tMin)) throw new IllegalArgumentException("RBNN schedule: need 0 < Tmin <= Tmax, got " + tMin + ", " + tMax);
        return tMin * Math.pow(10, (double) epoch / epochs * Math.log10(tMax / tMin));
    }

    /** RBNN's k for a given t: {@code max(1/t, 1)}. */
    public static double k(double t) {
        return Math.max(1 / t, 1);
    }
}
