package dev.tersor.tensor.backend;

import java.util.Locale;

/**
 * How {@link Plans} chooses a kernel plan for a shape it has not planned yet
 * ({@code -Dtersor.plans=heuristic|measure|cached}).
 *
 * <ul>
 *   <li>{@link #HEURISTIC}: the built-in rule only; never reads the cache file, never times
 *       anything. The same build always runs the same plans: fully deterministic.</li>
 *   <li>{@link #CACHED} (the default): a plan stored in the cache file by an earlier
 *       {@code measure} run or {@code tersor tune}, else the heuristic. Never times anything, so
 *       an ordinary run costs nothing extra and two launches with the same cache file run the
 *       same plans (bit-identical results).</li>
 *   <li>{@link #MEASURE}: a shape missing from the cache times its candidates (about 0.2 s at
 *       most), keeps the fastest and writes it to the cache file.</li>
 * </ul>
 */
public enum PlanMode {
    HEURISTIC, MEASURE, CACHED;

    /** The mode named by {@code text} (any case), or a clear error listing the three. */
    public static PlanMode parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tersor.plans must be heuristic, measure or cached, got '" + text + "'");
        }
    }

    /** The lower-case name used on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
