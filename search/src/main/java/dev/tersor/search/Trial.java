package dev.tersor.search;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One evaluated candidate, as logged (one JSON object per line):
 * <pre>
 * {"trial": 12, "generation": 0, "origin": "random", "space": "fashion-chain-4x4", "ops": [0, 3, 1, 2], "op_names": [...],
 *  "score": 0.8125, "costs": {"macs": 1234567, "params": 12345}}
 * </pre>
 *
 * @param index      its position in the log (0, 1, ...)
 * @param generation the strategy's round (a generation of the evolution, a batch of random search)
 * @param origin     how it was made: {@code random}, {@code mutation} or {@code crossover}
 * @param arch       the architecture
 * @param score      its fitness
 * @param costs      its costs by metric
 */
public record Trial(int index, int generation, String origin, Architecture arch, double score, Map<String, Double> costs) {
    public Trial {
        costs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(costs));
    }

    /** The JSON line (no newline). */
    public String toJson(SearchSpace space) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"trial\": ").append(index).append(", \"generation\": ").append(generation).append(", \"origin\": ").append(Json.quote(origin));
        String a = arch.toJson(space);
        sb.append(", ").append(a, 1, a.length() - 1);
        sb.append(", \"score\": ").append(Json.number(score)).append(", \"costs\": {");
        int i = 0;
        for (var e : costs.entrySet()) sb.append(i++ == 0 ? "" : ", ").append(Json.quote(e.getKey())).append(": ").append(Json.number(e.getValue()));
        return sb.append("}}").toString();
    }

    /** Parses a {@link #toJson} line, checking the architecture against {@code space}. */
    static Trial fromJson(String line, SearchSpace space, String what) {
        try {
            Map<String, Object> m = Json.object(Json.parse(line, what), what);
            Map<String, Object> arch = new LinkedHashMap<>();
            for (String k : List.of("space", "ops", "op_names")) if (m.containsKey(k)) arch.put(k, m.get(k));
            Architecture a = space.validate(Architecture.fromJson(arch, what));
            Map<String, Double> costs = new LinkedHashMap<>();
            for (var e : Json.object(Json.member(m, "costs", what), what + ": costs").entrySet()) costs.put(e.getKey(), Json.real(e.getValue(), what + ": costs"));
            return new Trial(index(m, "trial", what), index(m, "generation", what), Json.string(Json.member(m, "origin", what), what + ": origin"), a,
                    Json.real(Json.member(m, "score", what), what + ": score"), costs);
        } catch (IllegalArgumentException e) {   // every message names the line's source
            if (e.getMessage() != null && e.getMessage().startsWith(what)) throw e;
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }

    private static int index(Map<String, Object> m, String key, String what) {
        long v = Json.integer(Json.member(m, key, what), what + ": " + key);
        if (v < 0 || v > Integer.MAX_VALUE) throw new IllegalArgumentException(what + ": " + key + " is " + v + ", expected an integer >= 0");
        return (int) v;
    }
}
