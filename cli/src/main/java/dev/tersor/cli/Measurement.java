package dev.tersor.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One timed run of a suite case by one implementation: its value in ms, or why it failed.
 *
 * @param caseId  the {@link SuiteCase#id()}
 * @param impl    {@code tersor}, {@code numpy} or {@code torch}
 * @param threads thread count it ran on
 * @param round   1-based round of the interleaved sequence
 * @param millis  the case's metric in ms (NaN when it failed)
 * @param error   null, or one line saying why it failed
 * @param report  the run's JSON report (empty when it failed before writing one)
 */
record Measurement(String caseId, String impl, int threads, int round, double millis, String error, Map<String, Object> report) {

    Measurement {
        report = report == null ? Map.of() : new LinkedHashMap<>(report);
    }

    static Measurement ok(String caseId, String impl, int threads, int round, double millis, Map<String, Object> report) {
        return new Measurement(caseId, impl, threads, round, millis, null, report);
    }

    static Measurement failed(String caseId, String impl, int threads, int round, String error) {
        return new Measurement(caseId, impl, threads, round, Double.NaN, error, null);
    }

    boolean ok() {
        return error == null;
    }

    /** The JSON form: the identifying fields, the value or the error, and the run's own report. */
    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("case", caseId);
        m.put("impl", impl);
        m.put("threads", threads);
        m.put("round", round);
        m.put("ms", ok() ? BenchCommand.round(millis, 4) : null);
        m.put("error", error);
        m.put("report", report);
        return m;
    }
}
