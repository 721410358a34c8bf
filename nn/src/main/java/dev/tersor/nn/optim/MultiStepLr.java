package dev.tersor.nn.optim;

import java.util.Arrays;

/**
 * Decays each group's learning rate by {@code gamma} at each milestone, as PyTorch's
 * {@code MultiStepLR}: {@code lr(t) = base · gamma^(number of milestones ≤ t)} (a milestone
 * listed twice counts twice).
 * <pre>{@code
 * var sched = new MultiStepLr(opt, new int[] {30, 80}, 0.1);
 * }</pre>
 */
public final class MultiStepLr extends Schedule {
    private final int[] milestones;
    private final double gamma;

    /** Multiplies by {@code gamma} (finite, {@code >= 0}) at each of {@code milestones} ({@code > 0}, any order). */
    public MultiStepLr(Optimizer<?> optimizer, int[] milestones, double gamma) {
        super(optimizer);
        this.milestones = milestones.clone();
        Arrays.sort(this.milestones);
        for (int m : this.milestones) Checks.positive("MultiStepLr", "milestones", m);
        this.gamma = Checks.nonNegative("MultiStepLr", "gamma", gamma);
        start();
    }

    @Override
    double lrAt(int group, double baseLr, int step) {
        int passed = 0;
        while (passed < milestones.length && milestones[passed] <= step) passed++;
        return baseLr * Math.pow(gamma, passed);
    }
}
