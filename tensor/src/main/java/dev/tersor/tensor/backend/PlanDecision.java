package dev.tersor.tensor.backend;

import java.util.List;

/**
 * How {@link Plans} chose the plan of one shape: {@code source} is {@code "measured"},
 * {@code "cached"} or {@code "heuristic"}; for a measured shape {@code candidates} and
 * {@code nanos} hold each timed plan and its best time (−1 when the time budget ran out before
 * it was tried), in the order tried.
 */
public record PlanDecision(String op, String shape, String chosen, String source,
                           List<String> candidates, List<Long> nanos) {
    public PlanDecision {
        candidates = List.copyOf(candidates);
        nanos = List.copyOf(nanos);
    }

    /** One line for people: what was chosen and why. */
    public String reason() {
        if (!source.equals("measured")) {
            return source.equals("cached") ? "read from the plan cache"
                    : "built-in rule: this mode does not measure, or the call ran inside a parallel task";
        }
        long best = Long.MAX_VALUE, heuristic = nanos.isEmpty() ? -1 : nanos.get(0);
        for (long t : nanos) if (t >= 0) best = Math.min(best, t);
        if (candidates.size() == 1) return "only candidate";
        if (candidates.get(0).equals(chosen)) return "heuristic choice was fastest of " + candidates.size();
        return String.format("fastest of %d, %.2fx the heuristic's speed", candidates.size(),
                heuristic > 0 ? (double) heuristic / best : 1.0);
    }
}
