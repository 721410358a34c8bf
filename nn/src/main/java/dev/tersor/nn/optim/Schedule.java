package dev.tersor.nn.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The common part of the schedulers: base learning rates, the step counter, applying a closed
 * form {@link #lrAt} to every group, and the state dict.
 */
abstract class Schedule implements LrScheduler {
    private final Optimizer<?> optimizer;
    private final double[] baseLrs;
    private final double[] lastLr;
    private int lastStep;

    /** Uses the groups' current learning rates as base learning rates. */
    Schedule(Optimizer<?> optimizer) {
        this(optimizer, currentLrs(optimizer));
    }

    Schedule(Optimizer<?> optimizer, double[] baseLrs) {
        this.optimizer = optimizer;
        this.baseLrs = baseLrs.clone();
        this.lastLr = new double[baseLrs.length];
    }

    private static double[] currentLrs(Optimizer<?> optimizer) {
        List<? extends ParamGroup<?>> groups = optimizer.groups();
        double[] lrs = new double[groups.size()];
        for (int i = 0; i < lrs.length; i++) lrs[i] = groups.get(i).lr();
        return lrs;
    }

    /** Sets the step-0 learning rates; subclasses call it at the end of their constructor. */
    final void start() {
        apply(0);
    }

    /** The learning rate of group {@code group} at step {@code step} (a negative value is set as 0). */
    abstract double lrAt(int group, double baseLr, int step);

    /** The base learning rates, one per group. */
    public final double[] baseLrs() {
        return baseLrs.clone();
    }

    @Override
    public final void step() {
        apply(lastStep + 1);
    }

    private void apply(int step) {
        List<? extends ParamGroup<?>> groups = optimizer.groups();
        if (groups.size() != baseLrs.length) {
            throw new IllegalStateException(getClass().getSimpleName() + " was built for " + baseLrs.length
                    + " parameter groups, the optimizer now has " + groups.size());
        }
        double[] lrs = new double[baseLrs.length];
        for (int g = 0; g < lrs.length; g++) lrs[g] = Math.max(0, lrAt(g, baseLrs[g], step));   // may throw: nothing set yet
        for (int g = 0; g < lrs.length; g++) groups.get(g).setLr(lrs[g]);
        System.arraycopy(lrs, 0, lastLr, 0, lrs.length);
        lastStep = step;
    }

    @Override
    public final double[] lastLr() {
        return lastLr.clone();
    }

    @Override
    public final int lastStep() {
        return lastStep;
    }

    @Override
    public Map<String, String> stateDict() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("scheduler", getClass().getSimpleName());
        m.put("last_step", Integer.toString(lastStep));
        StringJoiner j = new StringJoiner(",");
        for (double b : baseLrs) j.add(Double.toString(b));
        m.put("base_lrs", j.toString());
        return m;
    }

    @Override
    public void loadStateDict(Map<String, String> state) {
        String name = getClass().getSimpleName();
        String kind = state.get("scheduler");
        if (!name.equals(kind)) throw new IllegalArgumentException(name + ": cannot load the state of scheduler '" + kind + "'");
        int step = (int) Checks.longOf(state, "last_step", name);
        if (step < 0) throw new IllegalArgumentException(name + ": last_step is negative: " + step);
        String[] parts = Checks.require(state, "base_lrs", name).split(",");
        if (parts.length != baseLrs.length) {
            throw new IllegalArgumentException(name + ": base_lrs has " + parts.length + " values, this scheduler has "
                    + baseLrs.length + " groups");
        }
        double[] bases = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                bases[i] = Checks.nonNegative(name, "base_lrs[" + i + "]", Double.parseDouble(parts[i]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": base_lrs[" + i + "] is not a number: '" + parts[i] + "'");
            }
        }
        double[] old = baseLrs.clone();
        System.arraycopy(bases, 0, baseLrs, 0, bases.length);
        try {
            apply(step);
        } catch (RuntimeException e) {
            System.arraycopy(old, 0, baseLrs, 0, old.length);
            throw e;
        }
    }
}
