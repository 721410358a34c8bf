package dev.tersor.compress.prune;

/**
 * How much to prune and how to spread it over the model's channel families.
 *
 * @param measure what {@code amount} is a fraction of: the channel groups ({@link Measure#CHANNELS}),
 *     or the multiply-accumulates of a forward ({@link Measure#FLOPS}) to remove
 * @param amount the fraction to remove, in [0, 1)
 * @param allocation {@link Allocation#UNIFORM}: every family in scope loses the same fraction of
 *     its groups (the least important by the criterion); {@link Allocation#GLOBAL}: groups of all
 *     families are ranked together by their family-normalised scores
 * @param multiple kept groups per family are rounded up to a multiple of this (e.g. 8 or 16 for
 *     the SIMD kernels; 1 for none); uniform allocation only
 * @param scope {@link Scope#ALL} families, or only {@link Scope#INTERNAL} ones (a single
 *     producing layer: a block's inner channels, not the residual ones)
 */
public record PruningTarget(Measure measure, double amount, Allocation allocation, int multiple, Scope scope) {

    /** What the amount is a fraction of. */
    public enum Measure { CHANNELS, FLOPS }

    /** How pruning is spread over families. */
    public enum Allocation { UNIFORM, GLOBAL }

    /** Which families may be pruned. */
    public enum Scope { ALL, INTERNAL }

    public PruningTarget {
        if (measure == null || allocation == null || scope == null) throw new IllegalArgumentException("PruningTarget: null setting");
        if (!(amount >= 0 && amount < 1)) {
            throw new IllegalArgumentException("PruningTarget: the fraction to remove must be in [0, 1), got " + amount);
        }
        if (multiple < 1) throw new IllegalArgumentException("PruningTarget: multiple must be >= 1, got " + multiple);
        if (multiple > 1 && allocation == Allocation.GLOBAL) {
            throw new IllegalArgumentException("PruningTarget: rounding kept channels to a multiple of " + multiple + " needs uniform allocation");
        }
    }

    /** Remove {@code fraction} of the FLOPs, uniformly, all families, no rounding. */
    public static PruningTarget flops(double fraction) {
        return new PruningTarget(Measure.FLOPS, fraction, Allocation.UNIFORM, 1, Scope.ALL);
    }

    /** Remove {@code fraction} of every family's channels, all families, no rounding. */
    public static PruningTarget channels(double fraction) {
        return new PruningTarget(Measure.CHANNELS, fraction, Allocation.UNIFORM, 1, Scope.ALL);
    }

    /** This target with another allocation. */
    public PruningTarget with(Allocation a) {
        return new PruningTarget(measure, amount, a, multiple, scope);
    }

    /** This target with another scope. */
    public PruningTarget with(Scope s) {
        return new PruningTarget(measure, amount, allocation, multiple, s);
    }

    /** This target with kept channels rounded up to a multiple of {@code m}. */
    public PruningTarget roundedTo(int m) {
        return new PruningTarget(measure, amount, allocation, m, scope);
    }
}
