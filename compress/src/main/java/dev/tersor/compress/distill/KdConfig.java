package dev.tersor.compress.distill;

import java.util.List;

/**
 * Settings of {@link DistillationLoss}.
 *
 * @param alpha       weight α ∈ [0, 1] of the soft-target term; the hard loss gets 1 − α
 * @param temperature softmax temperature T &gt; 0
 * @param pairs       feature terms (attention transfer or hints) added on top, each with its weight
 */
public record KdConfig(double alpha, double temperature, List<LayerPair> pairs) {
    public KdConfig {
        KdLoss.checkAlpha(alpha);
        KdLoss.checkTemperature(temperature);
        pairs = pairs == null ? List.of() : List.copyOf(pairs);
    }

    /** Logit distillation only. */
    public static KdConfig of(double alpha, double temperature) {
        return new KdConfig(alpha, temperature, List.of());
    }

    /** True when the teacher is needed at all (α &gt; 0 or a feature term with weight &gt; 0). */
    public boolean usesTeacher() {
        return alpha > 0 || pairs.stream().anyMatch(p -> p.weight() > 0);
    }
}
