package dev.tersor.compress.prune;

/**
 * Automated gradual pruning (Zhu &amp; Gupta 2017, "To prune, or not to prune", arXiv 1710.01878,
 * §3, eq. 1): the sparsity rises from {@code s_i} to {@code s_f} over {@code n} pruning steps
 * {@code Δt} training steps apart, starting at step {@code t0}, fast at first and slowly at the
 * end:
 * <pre>
 * s_t = s_f + (s_i − s_f) · (1 − (t − t0) / (n·Δt))³        t ∈ [t0, t0 + n·Δt]
 * s_t = s_i before t0,  s_f after t0 + n·Δt
 * </pre>
 * Masks are recomputed at {@code t = t0, t0 + Δt, …, t0 + n·Δt} ({@link #isPruningStep}), as in
 * TensorFlow Model Optimization's {@code PolynomialDecay} schedule (exponent 3, progress clamped
 * to [0, 1], updates when {@code (t − t0) mod Δt = 0} inside the range).
 * <pre>{@code
 * AgpSchedule s = new AgpSchedule(0, 0.9, 0, 10, 100);   // 0 → 90% over steps 0..1000, a new mask every 100 steps
 * s.sparsityAt(500);                                      // 0.9 − 0.9·0.5³ = 0.7875
 * }</pre>
 *
 * @param initialSparsity s_i in [0, 1)
 * @param finalSparsity   s_f in [s_i, 1)
 * @param startStep       t0 ≥ 0
 * @param pruningSteps    n ≥ 1
 * @param frequency       Δt ≥ 1 training steps between mask updates
 */
public record AgpSchedule(double initialSparsity, double finalSparsity, long startStep, int pruningSteps, long frequency) {

    public AgpSchedule {
        if (!(initialSparsity >= 0 && initialSparsity < 1)) {
            throw new IllegalArgumentException("AgpSchedule: initial sparsity must be in [0, 1), got " + initialSparsity);
        }
        if (!(finalSparsity >= 0 && finalSparsity < 1)) {
            throw new IllegalArgumentException("AgpSchedule: final sparsity must be in [0, 1), got " + finalSparsity);
        }
        if (finalSparsity < initialSparsity) {
            throw new IllegalArgumentException("AgpSchedule: final sparsity " + finalSparsity + " is below the initial sparsity "
                    + initialSparsity + " (pruning only removes weights)");
        }
        if (startStep < 0) throw new IllegalArgumentException("AgpSchedule: start step must be >= 0, got " + startStep);
        if (pruningSteps < 1) throw new IllegalArgumentException("AgpSchedule: pruning steps n must be >= 1, got " + pruningSteps);
        if (frequency < 1) throw new IllegalArgumentException("AgpSchedule: frequency Δt must be >= 1 step, got " + frequency);
        if (startStep > Long.MAX_VALUE / 2 || frequency > (Long.MAX_VALUE / 2) / pruningSteps) {
            throw new IllegalArgumentException("AgpSchedule: t0 + n·Δt overflows (t0 " + startStep + ", n " + pruningSteps + ", Δt " + frequency + ")");
        }
    }

    /**
     * The schedule from {@code initial} to {@code finalSparsity} reaching the end at about
     * {@code endStep}: pruning from step 0, a mask update every {@code frequency} steps,
     * {@code n = max(1, ⌊endStep / frequency⌋)}.
     */
    public static AgpSchedule until(double initial, double finalSparsity, long endStep, long frequency) {
        if (frequency < 1) throw new IllegalArgumentException("AgpSchedule: frequency Δt must be >= 1 step, got " + frequency);
        if (endStep < 0) throw new IllegalArgumentException("AgpSchedule: end step must be >= 0, got " + endStep);
        return new AgpSchedule(initial, finalSparsity, 0, (int) Math.max(1, Math.min(Integer.MAX_VALUE, endStep / frequency)), frequency);
    }

    /** {@code t0 + n·Δt}: the step at which the final sparsity is reached. */
    public long endStep() {
        return startStep + pruningSteps * frequency;
    }

    /** {@code s_t} of eq. 1 at training step {@code step} (s_i before t0, s_f after the end). */
    public double sparsityAt(long step) {
        double p = Math.min(1.0, Math.max(0.0, (double) (step - startStep) / ((double) pruningSteps * frequency)));
        double r = 1 - p;
        return finalSparsity + (initialSparsity - finalSparsity) * r * r * r;
    }

    /** Whether the masks are recomputed at {@code step}: {@code t0 ≤ step ≤ t0 + n·Δt} and {@code (step − t0) mod Δt = 0}. */
    public boolean isPruningStep(long step) {
        return step >= startStep && step <= endStep() && (step - startStep) % frequency == 0;
    }
}
