package dev.tersor.search;

import java.util.Locale;

/**
 * An upper limit on a cost: an architecture is admitted when {@code table.of(a) <= limit}. A limit
 * that no architecture meets is rejected here, naming the smallest possible value and the
 * architecture that has it.
 * <pre>{@code
 * Constraint c = new Constraint(CostTable.macs(space), 2e6);   // at most 2 M multiply-accumulates
 * }</pre>
 *
 * @param table the cost model
 * @param limit the largest admitted cost (inclusive)
 */
public record Constraint(CostTable table, double limit) {
    public Constraint {
        if (table == null) throw new IllegalArgumentException("Constraint: table must not be null");
        if (Double.isNaN(limit)) throw new IllegalArgumentException("Constraint " + table.metric() + ": limit must be a number");
        double min = table.min();
        if (limit < min) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "no architecture of search space '%s' has %s <= %s: the smallest possible is %s (architecture %s)",
                    table.space(), table.metric(), Json.number(limit), Json.number(min), table.cheapest().key()));
        }
    }

    /** Whether {@code arch} is within the limit. */
    public boolean admits(Architecture arch) {
        return table.of(arch) <= limit;
    }

    @Override
    public String toString() {
        return table.metric() + " <= " + Json.number(limit);
    }
}
