package dev.tersor.nn;

import java.util.List;

/** What {@link Module#loadStateDict} found: keys the model has but the file lacks, and the reverse. */
public record StateDictReport(List<String> missing, List<String> unexpected, List<String> mismatched) {
    public StateDictReport {
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        mismatched = List.copyOf(mismatched);
    }

    /** True when every key matched in name and shape. */
    public boolean isClean() {
        return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (!missing.isEmpty()) sb.append("  missing keys: ").append(missing).append('\n');
        if (!unexpected.isEmpty()) sb.append("  unexpected keys: ").append(unexpected).append('\n');
        if (!mismatched.isEmpty()) sb.append("  shape mismatches: ").append(mismatched).append('\n');
        return sb.length() == 0 ? "  all keys match" : sb.toString().stripTrailing();
    }
}
