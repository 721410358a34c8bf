package dev.tersor.nn.optim;

/**
 * Decays each group's learning rate by {@code gamma} every {@code stepSize} steps, as
 * PyTorch's {@code StepLR}: {@code lr(t) = base · gamma^⌊t / stepSize⌋}.
 * <pre>{@code
 * var sched = new StepLr(opt, 30, 0.1);   // 0.1 → 0.01 at step 30 → 0.001 at step 60
 * }</pre>
 */
public final class StepLr extends Schedule {
    private final int stepSize;
    private final double gamma;

    /** Multiplies by {@code gamma} (finite, {@code >= 0}) every {@code stepSize} ({@code > 0}) steps. */
    public StepLr(Optimizer<?> optimizer, int stepSize, double gamma) {
        super(optimizer);
        this.stepSize = Checks.positive("StepLr", "stepSize", stepSize);
        this.gamma = Checks.nonNegative("StepLr", "gamma", gamma);
        start();
    }

    @Override
    double lrAt(int group, double baseLr, int step) {
        return baseLr * Math.pow(gamma, step / stepSize);
    }
}
