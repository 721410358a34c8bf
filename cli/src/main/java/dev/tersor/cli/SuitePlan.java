package dev.tersor.cli;

import java.util.List;

/**
 * How long {@code tersor bench suite} times each case: the timing flags both sides take
 * ({@link Timing} and {@code bench/anchors/timing.py} share the method) and how many interleaved
 * rounds (Tersor, anchor, Tersor, anchor, ...) it runs.
 *
 * @param warmupSeconds cap on each warm-up
 * @param timeSeconds   least duration of each timed phase
 * @param minReps       least timed repetitions
 * @param rounds        rounds of every case on every thread count (at least 1)
 */
record SuitePlan(double warmupSeconds, double timeSeconds, int minReps, int rounds) {

    SuitePlan {
        if (!(warmupSeconds >= 0) || !(timeSeconds >= 0) || minReps < 1 || rounds < 1) {
            throw new IllegalArgumentException("bad suite plan: warm-up " + warmupSeconds + " s, timed " + timeSeconds
                    + " s, " + minReps + " reps, " + rounds + " rounds");
        }
    }

    /** About a minute for the whole suite on two cores: short warm-ups, one round. */
    static SuitePlan quick(int rounds) {
        return new SuitePlan(0.5, 0.2, 3, rounds);
    }

    /** The measuring plan: warm-ups capped at 5 s (they stop once steady), 1 s timed, 5 reps at least. */
    static SuitePlan standard(int rounds) {
        return new SuitePlan(5, 1, 5, rounds);
    }

    /** {@code --warmup-seconds W --time-seconds T --min-reps R}, accepted by both sides. */
    List<String> timingArgs() {
        return List.of("--warmup-seconds", Double.toString(warmupSeconds), "--time-seconds", Double.toString(timeSeconds),
                "--min-reps", Integer.toString(minReps));
    }
}
