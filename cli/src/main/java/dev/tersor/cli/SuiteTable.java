package dev.tersor.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The one table of {@code tersor bench suite}: per case and thread count, the median over rounds
 * of each side's value, and the ratio
 * <pre>
 *   ratio = median(Tersor ms over rounds) / median(anchor ms over rounds)    (below 1: Tersor faster)
 * </pre>
 * GFLOP/s = flops / median. Failed runs are left out of the medians and counted; a side with no
 * successful run has no median, and the row says why.
 */
final class SuiteTable {

    private SuiteTable() {
    }

    /** Median, range and failures of one side's runs of one row. */
    record Stats(int runs, int failures, double median, double min, double max, String lastError) {

        static Stats of(List<Measurement> ms) {
            List<Double> values = new ArrayList<>();
            String error = null;
            for (Measurement m : ms) {
                if (m.ok()) values.add(m.millis());
                else error = m.error();
            }
            if (values.isEmpty()) return new Stats(0, ms.size(), Double.NaN, Double.NaN, Double.NaN, error);
            double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (double x : v) {
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            return new Stats(v.length, ms.size() - v.length, Timing.median(v), min, max, error);
        }

        boolean measured() {
            return runs > 0;
        }

        /** (max − min) / median over the rounds; 0 for one round. */
        double spread() {
            return measured() ? (max - min) / median : Double.NaN;
        }
    }

    /**
     * One row. {@code anchorStatus} is null when the anchor was measured, else what the anchor cell
     * says instead of a time ({@code not installed}, {@code failed: ...}, {@code none}).
     */
    record Row(SuiteCase suiteCase, int threads, Stats tersor, String anchorName, Stats anchor, String anchorStatus) {

        /** Tersor's median time over the anchor's; NaN unless both were measured. */
        double ratio() {
            return tersor.measured() && anchor.measured() ? tersor.median() / anchor.median() : Double.NaN;
        }

        double gflops(Stats s) {
            return suiteCase.flops() > 0 && s.measured() ? suiteCase.flops() / (s.median() * 1e6) : Double.NaN;
        }
    }

    /**
     * The rows, cases in order and thread counts within each. {@code unavailable} gives, per case
     * with an anchor, why it was not run (null: it was run, and its measurements are in {@code ms}).
     */
    static List<Row> rows(List<SuiteCase> cases, List<Integer> threads, List<Measurement> ms,
                          Function<SuiteCase, String> unavailable) {
        List<Row> rows = new ArrayList<>();
        for (SuiteCase c : cases) {
            for (int t : threads) {
                Stats tersor = Stats.of(select(ms, c.id(), "tersor", t));
                String name = c.anchor() == null ? null : c.anchor().library();
                Stats anchor = Stats.of(name == null ? List.of() : select(ms, c.id(), name, t));
                String status = name == null ? "none" : unavailable.apply(c);
                if (status == null && !anchor.measured()) {
                    status = anchor.failures() > 0 ? "failed: " + anchor.lastError() : "not run";
                }
                rows.add(new Row(c, t, tersor, name, anchor, status));
            }
        }
        return rows;
    }

    private static List<Measurement> select(List<Measurement> ms, String caseId, String impl, int threads) {
        List<Measurement> out = new ArrayList<>();
        for (Measurement m : ms) {
            if (m.caseId().equals(caseId) && m.impl().equals(impl) && m.threads() == threads) out.add(m);
        }
        return out;
    }

    /** The plain-text table. */
    static String render(List<Row> rows) {
        Table t = new Table(List.of("case", "threads", "Tersor ms", "anchor", "anchor ms", "Tersor/anchor time",
                "Tersor GFLOP/s", "anchor GFLOP/s"), List.of(false, true, true, false, true, true, true, true));
        for (Row r : rows) {
            String tersor = r.tersor().measured() ? ms(r.tersor().median()) : "failed: " + r.tersor().lastError();
            String anchorName = r.anchorName() == null ? "—" : r.anchorName();
            String anchor = r.anchorStatus() != null ? r.anchorStatus() : ms(r.anchor().median());
            t.add(r.suiteCase().label(), Integer.toString(r.threads()), tersor, anchorName, anchor,
                    Double.isNaN(r.ratio()) ? "—" : String.format(Locale.ROOT, "%.2f×", r.ratio()),
                    gflops(r.gflops(r.tersor())), gflops(r.gflops(r.anchor())));
        }
        return t.toString();
    }

    /** A time with three significant digits or more: 1234, 123.4, 12.34, 1.234. */
    static String ms(double x) {
        if (x >= 1000) return String.format(Locale.ROOT, "%.0f", x);
        if (x >= 100) return String.format(Locale.ROOT, "%.1f", x);
        if (x >= 10) return String.format(Locale.ROOT, "%.2f", x);
        return String.format(Locale.ROOT, "%.3f", x);
    }

    private static String gflops(double g) {
        return Double.isNaN(g) ? "" : String.format(Locale.ROOT, "%.1f", g);
    }

    /** The rows as JSON objects (times rounded to 4 decimals; missing values null). */
    static List<Map<String, Object>> json(List<Row> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("case", r.suiteCase().id());
            m.put("label", r.suiteCase().label());
            m.put("threads", r.threads());
            put(m, "tersor", r.tersor(), r.gflops(r.tersor()));
            m.put("anchor", r.anchorName());
            m.put("anchor_status", r.anchorStatus() == null ? "measured" : r.anchorStatus());
            put(m, "anchor", r.anchor(), r.gflops(r.anchor()));
            m.put("ratio", num(r.ratio()));
            m.put("ratio_is", "tersor_ms/anchor_ms");
            out.add(m);
        }
        return out;
    }

    private static void put(Map<String, Object> m, String side, Stats s, double gflops) {
        m.put(side + "_ms", num(s.median()));
        m.put(side + "_min_ms", num(s.min()));
        m.put(side + "_max_ms", num(s.max()));
        m.put(side + "_spread", num(s.spread()));
        m.put(side + "_runs", s.runs());
        m.put(side + "_failures", s.failures());
        m.put(side + "_gflops", num(gflops));
        if (s.lastError() != null) m.put(side + "_error", s.lastError());
    }

    private static Object num(double x) {
        return Double.isNaN(x) ? null : BenchCommand.round(x, 4);
    }
}
