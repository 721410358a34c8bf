package dev.tersor.nn.optim;

/**
 * Cosine annealing from each group's base learning rate down to {@code minLr}, after an
 * optional linear warm-up from 0, over {@code totalSteps} steps. With {@code W} warm-up steps
 * and {@code T} total steps:
 * <pre>
 * lr(t) = base · t / W                                                 t &lt; W
 * lr(t) = minLr + (base − minLr) · (1 + cos(π (t − W) / (T − W))) / 2   W ≤ t ≤ T
 * lr(t) = minLr                                                        t &gt; T
 * </pre>
 * Without warm-up this is PyTorch's {@code CosineAnnealingLR(T_max=T, eta_min=minLr)} up to
 * step T (which then stays at minLr instead of rising again); the warm-up is that of
 * Hugging Face's {@code get_cosine_schedule_with_warmup}. As with PyTorch's {@code eta_min},
 * {@code minLr} is the same absolute value for every group.
 * <pre>{@code
 * var sched = new CosineLr(opt, 10_000, 500, 1e-5);
 * }</pre>
 */
public final class CosineLr extends Schedule {
    private final int totalSteps;
    private final int warmupSteps;
    private final double minLr;

    /** Cosine annealing without warm-up. */
    public CosineLr(Optimizer<?> optimizer, int totalSteps, double minLr) {
        this(optimizer, totalSteps, 0, minLr);
    }

    /**
     * Warm-up for {@code warmupSteps} ({@code 0 <= warmupSteps < totalSteps}), then cosine
     * annealing to {@code minLr} (finite, {@code >= 0}) at step {@code totalSteps} ({@code > 0}).
     */
    public CosineLr(Optimizer<?> optimizer, int totalSteps, int warmupSteps, double minLr) {
        super(optimizer);
        this.totalSteps = Checks.positive("CosineLr", "totalSteps", totalSteps);
        if (warmupSteps < 0 || warmupSteps >= totalSteps) {
            throw new IllegalArgumentException("CosineLr: warmupSteps must be in [0, totalSteps = " + totalSteps
                    + "), got " + warmupSteps);
        }
        this.warmupSteps = warmupSteps;
        this.minLr = Checks.nonNegative("CosineLr", "minLr", minLr);
        start();
    }

    @Override
    double lrAt(int group, double baseLr, int step) {
        if (step < warmupSteps) return baseLr * step / warmupSteps;
        if (step >= totalSteps) return minLr;
        double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
        return minLr + (baseLr - minLr) * (1 + Math.cos(Math.PI * progress)) / 2;
    }
}
