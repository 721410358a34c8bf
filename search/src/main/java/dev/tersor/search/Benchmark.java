package dev.tersor.search;

import dev.tersor.tensor.Generator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ground-truth table of a small space, from the {@link GroundTruth} runs of every
 * architecture: per architecture the mean and spread over seeds of its test accuracy (the
 * truth) and of its validation accuracy (what a search may look at), with its costs. It judges
 * what a search returns: the regret (best mean test accuracy minus the returned one's), the
 * share of the space that is better, and random search given the same budget.
 */
public final class Benchmark {
    /** One architecture: accuracies over its seeds (the population standard deviation) and its costs. */
    public record Row(Architecture arch, int runs, double validationMean, double testMean, double testStd, double seconds, Map<String, Double> costs) {
    }

    private final SearchSpace space;
    private final Map<Architecture, List<GroundTruth.Run>> byArch = new LinkedHashMap<>();
    private final Map<Architecture, Row> rows = new LinkedHashMap<>();
    private final List<Long> seeds;

    /** The table of {@code runs}, which must cover every architecture of {@code space} with the same seeds; {@code costs} are reported per row. */
    public Benchmark(SearchSpace space, List<GroundTruth.Run> runs, List<CostTable> costs) {
        this.space = space;
        for (GroundTruth.Run r : runs) byArch.computeIfAbsent(space.validate(r.arch()), a -> new ArrayList<>()).add(r);
        List<Architecture> all = Experiment.all(space);
        if (byArch.size() != all.size()) {
            Architecture missing = all.stream().filter(a -> !byArch.containsKey(a)).findFirst().orElseThrow();
            throw new IllegalArgumentException("Benchmark: the runs cover " + byArch.size() + " of the " + all.size() + " architectures of " + space.name()
                    + " (e.g. none of " + missing.key() + ")");
        }
        seeds = byArch.values().iterator().next().stream().map(GroundTruth.Run::seed).sorted().toList();
        for (Architecture a : all) {
            List<GroundTruth.Run> rs = byArch.get(a);
            List<Long> s = rs.stream().map(GroundTruth.Run::seed).sorted().toList();
            if (!s.equals(seeds)) throw new IllegalArgumentException("Benchmark: " + a.key() + " has seeds " + s + ", the first architecture " + seeds);
            double val = 0, test = 0, sec = 0;
            for (GroundTruth.Run r : rs) {
                val += r.validationAccuracy();
                test += r.testAccuracy();
                sec += r.seconds();
            }
            val /= rs.size();
            test /= rs.size();
            double var = 0;
            for (GroundTruth.Run r : rs) var += (r.testAccuracy() - test) * (r.testAccuracy() - test);
            Map<String, Double> c = new LinkedHashMap<>();
            for (CostTable t : costs) c.put(t.metric(), t.of(a));
            rows.put(a, new Row(a, rs.size(), val, test, Math.sqrt(var / rs.size()), sec / rs.size(), c));
        }
    }

    /** The table of the runs in {@code csv}. */
    public static Benchmark read(SearchSpace space, Path csv, List<CostTable> costs) throws IOException {
        return new Benchmark(space, GroundTruth.read(csv, space), costs);
    }

    /** The rows in the space's enumeration order. */
    public List<Row> rows() {
        return List.copyOf(rows.values());
    }

    /** The row of {@code arch}. */
    public Row row(Architecture arch) {
        Row r = rows.get(space.validate(arch));
        if (r == null) throw new IllegalArgumentException("Benchmark: no row for " + arch.key());
        return r;
    }

    /** The architecture with the best mean test accuracy. */
    public Row best() {
        return rows.values().stream().max(Comparator.comparingDouble(Row::testMean)).orElseThrow();
    }

    /** Best mean test accuracy minus {@code arch}'s (0 for the best). */
    public double regret(Architecture arch) {
        return best().testMean() - row(arch).testMean();
    }

    /** The share of architectures with a strictly better mean test accuracy (0 for the best, near 1 for the worst). */
    public double shareBetter(Architecture arch) {
        double mine = row(arch).testMean();
        return (double) rows.values().stream().filter(r -> r.testMean() > mine).count() / rows.size();
    }

    /** The mean seconds of one stand-alone training. */
    public double meanTrainingSeconds() {
        return rows.values().stream().mapToDouble(Row::seconds).average().orElseThrow();
    }

    /**
     * Kendall τ between the test accuracies of every two seeds, averaged over the pairs: how well
     * one training ranks the space against another, the ceiling of any ranking.
     */
    public double seedToSeedTau() {
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < seeds.size(); i++) {
            for (int j = i + 1; j < seeds.size(); j++) {
                sum += KendallTau.of(testOfSeed(seeds.get(i)), testOfSeed(seeds.get(j)));
                pairs++;
            }
        }
        if (pairs == 0) throw new IllegalStateException("Benchmark: τ between seeds needs at least two seeds, the runs have " + seeds);
        return sum / pairs;
    }

    /** Kendall τ between {@code scores} (one per architecture, in {@link #rows()} order) and the mean test accuracies. */
    public double tau(double[] scores) {
        double[] truth = rows.values().stream().mapToDouble(Row::testMean).toArray();
        return KendallTau.of(scores, truth);
    }

    /**
     * Random search with a budget of {@code n} stand-alone trainings: {@code n} distinct
     * architectures drawn uniformly, each trained once (a seed drawn uniformly among the runs),
     * the one with the best validation accuracy returned. The mean regret over {@code repeats}
     * draws from {@code g}, and the mean share of the space better than the returned one.
     */
    public double[] randomSearch(int n, int repeats, Generator g) {
        if (n < 1 || repeats < 1) throw new IllegalArgumentException("Benchmark.randomSearch: n and repeats must be >= 1, got " + n + ", " + repeats);
        List<Architecture> all = new ArrayList<>(rows.keySet());
        int k = Math.min(n, all.size());
        double regret = 0, share = 0;
        for (int r = 0; r < repeats; r++) {
            int[] perm = g.permutation(all.size());
            Architecture pick = null;
            double bestVal = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < k; i++) {
                List<GroundTruth.Run> rs = byArch.get(all.get(perm[i]));
                double val = rs.get(g.nextInt(rs.size())).validationAccuracy();
                if (val > bestVal) {
                    bestVal = val;
                    pick = all.get(perm[i]);
                }
            }
            regret += regret(pick);
            share += shareBetter(pick);
        }
        return new double[] {regret / repeats, share / repeats};
    }

    private double[] testOfSeed(long seed) {
        double[] out = new double[rows.size()];
        int i = 0;
        for (Architecture a : rows.keySet()) {
            for (GroundTruth.Run r : byArch.get(a)) if (r.seed() == seed) out[i] = r.testAccuracy();
            i++;
        }
        return out;
    }

    /** The table as CSV: one line per architecture with its op names, costs, accuracies and mean training seconds. */
    public String csv() {
        return csv(Map.of());
    }

    /**
     * The same with extra columns after the costs, e.g. measured latencies: each a value per
     * architecture in {@link #rows()} order.
     */
    public String csv(Map<String, double[]> extra) {
        for (var e : extra.entrySet()) {
            if (e.getValue().length != rows.size()) {
                throw new IllegalArgumentException("Benchmark.csv: column " + e.getKey() + " has " + e.getValue().length + " values for " + rows.size() + " rows");
            }
        }
        StringBuilder sb = new StringBuilder("arch,ops");
        Row first = rows.values().iterator().next();
        for (String m : first.costs().keySet()) sb.append(',').append(m);
        for (String m : extra.keySet()) sb.append(',').append(m);
        sb.append(",val_mean,test_mean,test_std,runs,seconds\n");
        int i = 0;
        for (Row r : rows.values()) {
            sb.append(r.arch().key()).append(',').append(String.join(" ", space.opNames(r.arch())));
            for (double c : r.costs().values()) sb.append(',').append(Json.number(c));
            for (double[] c : extra.values()) sb.append(',').append(String.format(Locale.ROOT, "%.4f", c[i]));
            i++;
            sb.append(String.format(Locale.ROOT, ",%.4f,%.4f,%.4f,%d,%.1f%n", r.validationMean(), r.testMean(), r.testStd(), r.runs(), r.seconds()));
        }
        return sb.toString();
    }
}
