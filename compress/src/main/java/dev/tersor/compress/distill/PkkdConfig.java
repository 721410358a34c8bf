package dev.tersor.compress.distill;

/**
 * Settings of {@link PkkdLoss}: the adder student's loss is
 * {@code (1 − α)·CE + α·T²·KL(p_t^T ‖ p_s^T) + γ·Σ_layers mean((k_A − g(k_C))²)}.
 *
 * @param alpha        weight α ∈ [0, 1] of the logit term (PKKD's (1 − β) with β on the ground truth)
 * @param temperature  softmax temperature T &gt; 0
 * @param kernelWeight weight γ ≥ 0 of the kernel feature terms
 */
public record PkkdConfig(double alpha, double temperature, double kernelWeight) {
    public PkkdConfig {
        KdLoss.checkAlpha(alpha);
        KdLoss.checkTemperature(temperature);
        if (!(kernelWeight >= 0 && Double.isFinite(kernelWeight))) {
            throw new IllegalArgumentException("PKKD kernel weight must be finite and >= 0, got " + kernelWeight);
        }
    }
}
