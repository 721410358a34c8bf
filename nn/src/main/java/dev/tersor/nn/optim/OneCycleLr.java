package dev.tersor.nn.optim;

import java.util.Arrays;
import java.util.List;

/**
 * The 1cycle policy (Smith and Topin), learning rate only, as PyTorch 1.13's
 * {@code OneCycleLR(max_lr, total_steps, pct_start, anneal_strategy, div_factor,
 * final_div_factor, three_phase, cycle_momentum=False)}. With {@code initial = maxLr / divFactor}
 * and {@code min = initial / finalDivFactor}, the learning rate is annealed (cosine or linear)
 * <pre>
 * two phases:   initial → maxLr over steps [0, pctStart·T − 1], then maxLr → min until step T − 1
 * three phases: initial → maxLr → initial (each pctStart·T − 1 steps), then initial → min
 * </pre>
 * Stepping past step {@code T} is an error. As in PyTorch, each group's schedule is set by
 * its own {@code maxLr} (one value for all groups, or one per group), not by its current lr.
 * Momentum is not cycled.
 * <pre>{@code
 * var sched = new OneCycleLr(opt, OneCycleLr.options(0.1, 1000).pctStart(0.25).build());
 * }</pre>
 */
public final class OneCycleLr extends Schedule {
    /** How the learning rate moves between the ends of a phase. */
    public enum Anneal {
        /** {@code end + (start − end)·(1 + cos(π·pct))/2} */
        COS,
        /** {@code start + (end − start)·pct} */
        LINEAR
    }

    /**
     * OneCycle settings, validated: maxLrs finite and {@code > 0}, totalSteps {@code > 0},
     * pctStart in [0, 1], divFactor and finalDivFactor {@code > 0}.
     *
     * @param maxLrs         peak learning rate: one value for all groups, or one per group
     * @param totalSteps     length of the cycle
     * @param pctStart       fraction of the cycle spent increasing the learning rate
     * @param divFactor      {@code initial = maxLr / divFactor}
     * @param finalDivFactor {@code min = initial / finalDivFactor}
     * @param anneal         cosine or linear annealing
     * @param threePhase     go back down to {@code initial} before annealing to {@code min}
     */
    public record Options(List<Double> maxLrs, int totalSteps, double pctStart, double divFactor, double finalDivFactor,
                          Anneal anneal, boolean threePhase) {
        public Options {
            maxLrs = List.copyOf(maxLrs);
            if (maxLrs.isEmpty()) throw new IllegalArgumentException("OneCycleLr: maxLrs is empty");
            for (int i = 0; i < maxLrs.size(); i++) {
                double m = maxLrs.get(i);
                if (!(m > 0) || Double.isInfinite(m)) {
                    throw new IllegalArgumentException("OneCycleLr: maxLrs[" + i + "] must be finite and > 0, got " + m);
                }
            }
            Checks.positive("OneCycleLr", "totalSteps", totalSteps);
            if (!(pctStart >= 0 && pctStart <= 1)) throw new IllegalArgumentException("OneCycleLr: pctStart must be in [0, 1], got " + pctStart);
            if (!(divFactor > 0) || Double.isInfinite(divFactor)) {
                throw new IllegalArgumentException("OneCycleLr: divFactor must be finite and > 0, got " + divFactor);
            }
            if (!(finalDivFactor > 0) || Double.isInfinite(finalDivFactor)) {
                throw new IllegalArgumentException("OneCycleLr: finalDivFactor must be finite and > 0, got " + finalDivFactor);
            }
            if (anneal == null) throw new IllegalArgumentException("OneCycleLr: anneal is null");
        }
    }

    /** Builds {@link Options}; defaults as PyTorch: pctStart 0.3, divFactor 25, finalDivFactor 1e4, cosine, two phases. */
    public static final class Builder {
        private List<Double> maxLrs;
        private int totalSteps;
        private double pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4;
        private Anneal anneal = Anneal.COS;
        private boolean threePhase;

        private Builder(int totalSteps, double... maxLrs) {
            maxLr(maxLrs);
            this.totalSteps = totalSteps;
        }

        /** One peak for all groups, or one per group. */
        public Builder maxLr(double... maxLrs) {
            this.maxLrs = Arrays.stream(maxLrs).boxed().toList();
            return this;
        }

        public Builder totalSteps(int totalSteps) {
            this.totalSteps = totalSteps;
            return this;
        }

        public Builder pctStart(double pctStart) {
            this.pctStart = pctStart;
            return this;
        }

        public Builder divFactor(double divFactor) {
            this.divFactor = divFactor;
            return this;
        }

        public Builder finalDivFactor(double finalDivFactor) {
            this.finalDivFactor = finalDivFactor;
            return this;
        }

        public Builder anneal(Anneal anneal) {
            this.anneal = anneal;
            return this;
        }

        public Builder threePhase(boolean threePhase) {
            this.threePhase = threePhase;
            return this;
        }

        /** The validated options. */
        public Options build() {
            return new Options(maxLrs, totalSteps, pctStart, divFactor, finalDivFactor, anneal, threePhase);
        }
    }

    /** A builder for a cycle of {@code totalSteps} peaking at {@code maxLr}. */
    public static Builder options(double maxLr, int totalSteps) {
        return new Builder(totalSteps, maxLr);
    }

    private final Options options;
    private final double[] maxLrs;
    private final double[] phaseEnds;

    /** PyTorch's defaults for a cycle of {@code totalSteps} peaking at {@code maxLr}. */
    public OneCycleLr(Optimizer<?> optimizer, double maxLr, int totalSteps) {
        this(optimizer, options(maxLr, totalSteps).build());
    }

    /** A cycle with the given settings. */
    public OneCycleLr(Optimizer<?> optimizer, Options options) {
        super(optimizer, initialLrs(optimizer, options));
        this.options = options;
        this.maxLrs = perGroup(optimizer, options);
        int t = options.totalSteps();
        double p = options.pctStart();
        this.phaseEnds = options.threePhase()
                ? new double[] {p * t - 1, 2 * p * t - 2, t - 1}
                : new double[] {p * t - 1, t - 1};
        start();
    }

    private static double[] perGroup(Optimizer<?> optimizer, Options options) {
        int groups = optimizer.groups().size();
        List<Double> m = options.maxLrs();
        if (m.size() != 1 && m.size() != groups) {
            throw new IllegalArgumentException("OneCycleLr: expected 1 or " + groups + " values for maxLrs, got " + m.size());
        }
        double[] out = new double[groups];
        for (int g = 0; g < groups; g++) out[g] = m.get(m.size() == 1 ? 0 : g);
        return out;
    }

    private static double[] initialLrs(Optimizer<?> optimizer, Options options) {
        double[] out = perGroup(optimizer, options);
        for (int g = 0; g < out.length; g++) out[g] /= options.divFactor();
        return out;
    }

    /** The settings. */
    public Options options() {
        return options;
    }

    @Override
    double lrAt(int group, double initial, int step) {
        if (step > options.totalSteps()) {
            throw new IllegalStateException("OneCycleLr: tried to step " + (step + 1) + " times; the cycle has "
                    + options.totalSteps() + " total steps");
        }
        double max = maxLrs[group];
        double min = initial / options.finalDivFactor();
        double[] starts = options.threePhase() ? new double[] {initial, max, initial} : new double[] {initial, max};
        double[] ends = options.threePhase() ? new double[] {max, initial, min} : new double[] {max, min};
        double startStep = 0;
        for (int i = 0; i < phaseEnds.length; i++) {
            double endStep = phaseEnds[i];
            if (step <= endStep || i == phaseEnds.length - 1) {
                double pct = (step - startStep) / (endStep - startStep);
                return options.anneal() == Anneal.COS
                        ? ends[i] + (starts[i] - ends[i]) / 2 * (Math.cos(Math.PI * pct) + 1)
                        : (ends[i] - starts[i]) * pct + starts[i];
            }
            startStep = endStep;
        }
        throw new AssertionError();
    }
}
