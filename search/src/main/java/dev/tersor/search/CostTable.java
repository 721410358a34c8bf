package dev.tersor.search;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.Summary;
import dev.tersor.tensor.Generator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An additive cost model: {@code cost(a) = base + Σ_i perChoice[i][a_i]}, exact for parameters
 * and multiply-accumulates of a chain (each layer's cost depends on its own op only) and the
 * lookup-table model of latency. {@link #macs} and {@link #parameters} read {@link Summary}
 * rows of the supernet (batch 1), attributing each leaf layer to the choice and candidate whose
 * module path holds it, or to the base.
 * <pre>{@code
 * CostTable macs = CostTable.macs(space);
 * macs.of(arch);        // == Summary.of(space.build(arch), space.inputShape()).totalMacs()
 * macs.min();           // the cheapest network's MACs
 * }</pre>
 */
public final class CostTable {
    private final String space, metric;
    private final double base;
    private final double[][] perChoice;

    /** A table for {@code space} measuring {@code metric} (e.g. {@code macs}, {@code latency_ms}); arrays are copied. */
    public CostTable(String space, String metric, double base, double[][] perChoice) {
        if (metric == null || metric.isEmpty()) throw new IllegalArgumentException("CostTable: metric must be named");
        if (!Double.isFinite(base)) throw new IllegalArgumentException("CostTable " + metric + ": base must be finite, got " + base);
        this.space = space;
        this.metric = metric;
        this.base = base;
        this.perChoice = new double[perChoice.length][];
        for (int i = 0; i < perChoice.length; i++) {
            this.perChoice[i] = perChoice[i].clone();
            for (double v : perChoice[i]) {
                if (!Double.isFinite(v)) throw new IllegalArgumentException("CostTable " + metric + ": choice " + i + " has a non-finite cost " + v);
            }
        }
    }

    /** Multiply-accumulates of one sample ({@link Module#multiplyAccumulates}, as {@link Summary} counts them). */
    public static CostTable macs(SearchSpace space) {
        return fromSummary(space, "macs", true);
    }

    /** Parameters of the layers a network runs (all of a stand-alone network's). */
    public static CostTable parameters(SearchSpace space) {
        return fromSummary(space, "params", false);
    }

    private static CostTable fromSummary(SearchSpace space, String metric, boolean macs) {
        Supernet net = preservingRng(space::supernet);
        List<Choice> cs = space.choices();
        double[][] per = new double[cs.size()][];
        for (int i = 0; i < cs.size(); i++) per[i] = new double[cs.get(i).size()];
        int widest = cs.stream().mapToInt(Choice::size).max().orElse(1);
        double base = 0;
        for (int j = 0; j < widest; j++) {
            List<Integer> ops = new ArrayList<>();
            for (Choice c : cs) ops.add(j % c.size());
            net.fixPath(new Architecture(space.name(), ops));
            for (Summary.Row r : Summary.of(net, space.inputShape()).rows()) {
                long v = macs ? r.macs() : r.parameters();
                int i = space.choiceOf(r.name());
                if (i < 0) {
                    if (j == 0) base += v;
                } else if (j < cs.get(i).size()) {
                    per[i][j] += v;
                }
            }
        }
        return new CostTable(space.name(), metric, base, per);
    }

    /** Runs {@code build} and puts the default random stream back as it was (building initialises weights from it). */
    static <T> T preservingRng(java.util.function.Supplier<T> build) {
        long[] saved = Rng.global().state();
        try {
            return build.get();
        } finally {
            Rng.restore(Generator.restore(saved));
        }
    }

    /** The space's name. */
    public String space() {
        return space;
    }

    /** What is counted, e.g. {@code macs}. */
    public String metric() {
        return metric;
    }

    /** The cost of the skeleton (what every architecture pays). */
    public double base() {
        return base;
    }

    /** The cost of candidate {@code j} of choice {@code i}. */
    public double cost(int i, int j) {
        return perChoice[i][j];
    }

    /** Number of choices. */
    public int choices() {
        return perChoice.length;
    }

    /** Number of candidates of choice {@code i}. */
    public int candidates(int i) {
        return perChoice[i].length;
    }

    /** The cost of {@code arch}. */
    public double of(Architecture arch) {
        if (!arch.space().equals(space)) throw new IllegalArgumentException("CostTable " + metric + " is for space '" + space + "', not '" + arch.space() + "'");
        if (arch.ops().size() != perChoice.length) {
            throw new IllegalArgumentException("CostTable " + metric + ": architecture has " + arch.ops().size() + " ops, the table " + perChoice.length + " choices");
        }
        double c = base;
        for (int i = 0; i < perChoice.length; i++) c += perChoice[i][arch.op(i)];
        return c;
    }

    /** The cheapest architecture (the first cheapest candidate of every choice). */
    public Architecture cheapest() {
        List<Integer> ops = new ArrayList<>();
        for (double[] row : perChoice) {
            int best = 0;
            for (int j = 1; j < row.length; j++) if (row[j] < row[best]) best = j;
            ops.add(best);
        }
        return new Architecture(space, ops);
    }

    /** The smallest cost any architecture has. */
    public double min() {
        return of(cheapest());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s of %s: base %s", metric, space, Json.number(base)));
        for (int i = 0; i < perChoice.length; i++) {
            sb.append("\n  choice ").append(i).append(':');
            for (double v : perChoice[i]) sb.append(' ').append(Json.number(v));
        }
        return sb.toString();
    }
}
