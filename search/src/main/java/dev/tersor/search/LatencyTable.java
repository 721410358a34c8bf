package dev.tersor.search;

import dev.tersor.nn.Module;
import dev.tersor.nn.profile.LayerProfile;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.backend.Plans;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A latency lookup table measured on the running JVM: the eval-mode forward time of every
 * candidate of every choice and of the skeleton (stem, head, reductions), timed inside whole
 * forwards by the per-layer profiler ({@link #measure}), medians of {@code runs} forwards after
 * {@code warmup} untimed ones, with a fixed thread count. The
 * prediction for an architecture is the table's sum ({@link CostTable}, metric
 * {@code latency_ms}); {@link #check} compares it with whole-network measurements. Tables are
 * stored per machine and JVM (a small JSON file recording the CPU model, the JVM, the thread
 * count and the batch), and a table of another machine is not used:
 * <pre>{@code
 * CostTable latency = LatencyTable.loadOrMeasure(Path.of("latency.json"), supernet, LatencyTable.Options.defaults());
 * Constraint fast = new Constraint(latency, 1.5);     // at most 1.5 ms per batch
 * }</pre>
 */
public final class LatencyTable {
    /**
     * @param batch         samples per timed call
     * @param threads       the kernels' thread count while timing ({@link Parallel#setThreads})
     * @param warmup        untimed forwards before each timed series
     * @param runs          timed forwards (the median counts)
     * @param warmupSeconds forwards of random paths first, for this long: the JIT compiles the
     *                      kernels of every candidate in tiers over several seconds, and a table
     *                      timed before that reads 2–10× slow against the networks timed later
     */
    public record Options(int batch, int threads, int warmup, int runs, double warmupSeconds) {
        public Options {
            if (batch < 1 || threads < 1 || warmup < 0 || runs < 1 || !(warmupSeconds >= 0)) {
                throw new IllegalArgumentException("LatencyTable: batch, threads and runs must be >= 1, warmup and warmupSeconds >= 0, got " + batch
                        + ", " + threads + ", " + warmup + ", " + runs + ", " + warmupSeconds);
            }
        }

        /** No timed warm-up of random paths. */
        public Options(int batch, int threads, int warmup, int runs) {
            this(batch, threads, warmup, runs, 0);
        }

        /** Batch 1, one thread, 5 s of random paths, then 30 warm-up forwards and the median of 31. */
        public static Options defaults() {
            return new Options(1, 1, 30, 31, 5);
        }
    }

    /** Where a table was measured. */
    public record Machine(String cpu, String jvm, int threads, int batch) {
        /** This machine and JVM with {@code o}'s thread count and batch. */
        public static Machine current(Options o) {
            return new Machine(cpuModel(), System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"), o.threads(), o.batch());
        }
    }

    private LatencyTable() {
    }

    /**
     * Measures every candidate and the skeleton of {@code net}'s space inside whole forwards
     * ({@link LayerProfile}, medians): for each candidate index j, the path that takes candidate
     * j at every choice that has one (its last elsewhere) is profiled with hooks on the
     * candidate blocks only; a block's time is its row, the skeleton's the same path's forward
     * timed without hooks less the blocks (the median over those paths). Timing the blocks in place, on the inputs the
     * network really feeds them and with its caches as they are, makes the table's sum the
     * measured forward of each of those paths; a {@link Zero} never runs and costs nothing.
     */
    public static CostTable measure(Supernet net, Options o) {
        SearchSpace space = net.space();
        List<Choice> cs = space.choices();
        int widest = 0;
        for (Choice c : cs) widest = Math.max(widest, c.size());
        Map<String, int[]> blocks = new LinkedHashMap<>();   // candidate module path -> {choice, candidate}
        double[][] per = new double[cs.size()][];
        for (int i = 0; i < cs.size(); i++) {
            per[i] = new double[cs.get(i).size()];
            for (String p : space.paths(i)) for (int j = 0; j < cs.get(i).size(); j++) blocks.put(p + "." + j, new int[] {i, j});
        }
        Architecture previous = net.fixedPath();
        int threads = Parallel.threads();
        double[] bases = new double[widest];
        try (var g = Tensor.noGrad()) {
            Parallel.setThreads(o.threads());
            Tensor x = sample(space, o.batch());
            net.eval();
            warmUp(net, x, o.warmupSeconds());
            LayerProfile.Options po = new LayerProfile.Options(o.warmup(), o.runs(), false, true);
            for (int j = 0; j < widest; j++) {
                List<Integer> ops = new ArrayList<>();
                for (Choice c : cs) ops.add(Math.min(j, c.size() - 1));
                net.fixPath(new Architecture(space.name(), ops));
                LayerProfile.Result r = LayerProfile.measure(net, x, po, blocks::containsKey);
                double inBlocks = 0;
                for (LayerProfile.Row row : r.rows()) {
                    int[] at = blocks.get(row.path());
                    if (at == null) continue;
                    inBlocks += row.forwardMs();
                    if (at[1] == j) per[at[0]][at[1]] += row.forwardMs();   // summed over the choice's paths
                }
                // the hooks' own cost falls outside the blocks' frames: the skeleton is the plain forward less the blocks
                bases[j] = Math.max(0, median(net, x, o) - inBlocks);
            }
            Arrays.sort(bases);
            return new CostTable(space.name(), "latency_ms", bases[bases.length / 2], per);
        } finally {
            Parallel.setThreads(threads);
            if (previous == null) net.sampleUniformly();
            else net.fixPath(previous);
        }
    }

    /** Per architecture, the predicted and the measured whole-network latency (ms), and the share predicted within ±10%. */
    public record Check(List<Architecture> archs, double[] predicted, double[] measured) {
        /** The share of architectures whose prediction is within 10% of the measurement. */
        public double shareWithin10Percent() {
            int ok = 0;
            for (int i = 0; i < predicted.length; i++) if (Math.abs(predicted[i] - measured[i]) <= 0.1 * measured[i]) ok++;
            return (double) ok / predicted.length;
        }
    }

    /** Measures whole networks of {@code archs} (the supernet with the path fixed) against the table's predictions. */
    public static Check check(Supernet net, CostTable table, List<Architecture> archs, Options o) {
        double[] p = new double[archs.size()], m = new double[archs.size()];
        Architecture previous = net.fixedPath();
        int threads = Parallel.threads();
        try (var g = Tensor.noGrad()) {
            net.eval();
            Parallel.setThreads(o.threads());
            Tensor x = sample(net.space(), o.batch());
            warmUp(net, x, o.warmupSeconds());
            for (int i = 0; i < archs.size(); i++) {
                net.fixPath(archs.get(i));
                p[i] = table.of(archs.get(i));
                m[i] = median(net, x, o);
            }
        } finally {
            Parallel.setThreads(threads);
            if (previous == null) net.sampleUniformly();
            else net.fixPath(previous);
        }
        return new Check(archs, p, m);
    }

    /** The table in {@code path} when it was measured here (same CPU, JVM, threads, batch) for this space, else a new measurement written there. */
    public static CostTable loadOrMeasure(Path path, Supernet net, Options o) throws IOException {
        Machine here = Machine.current(o);
        if (Files.exists(path)) {
            Map<String, Object> m = Json.object(Json.parse(Files.readString(path), path.toString()), path.toString());
            Machine there = machine(m, path.toString());
            if (there.equals(here) && Json.string(Json.member(m, "space", path.toString()), path.toString()).equals(net.space().name())) {
                return read(m, net.space(), path.toString());
            }
        }
        CostTable t = measure(net, o);
        write(path, t, here);
        return t;
    }

    /** Writes {@code table} with the machine it was measured on. */
    public static void write(Path path, CostTable table, Machine machine) throws IOException {
        StringBuilder sb = new StringBuilder("{\n  \"space\": ").append(Json.quote(table.space()))
                .append(",\n  \"cpu\": ").append(Json.quote(machine.cpu())).append(",\n  \"jvm\": ").append(Json.quote(machine.jvm()))
                .append(",\n  \"threads\": ").append(machine.threads()).append(",\n  \"batch\": ").append(machine.batch())
                .append(",\n  \"unit\": \"ms\",\n  \"base\": ").append(Json.number(table.base())).append(",\n  \"ops\": [");
        for (int i = 0; i < table.choices(); i++) {
            sb.append(i == 0 ? "\n    [" : ",\n    [");
            for (int j = 0; j < table.candidates(i); j++) sb.append(j == 0 ? "" : ", ").append(Json.number(table.cost(i, j)));
            sb.append(']');
        }
        AtomicFiles.write(path, sb.append("\n  ]\n}\n").toString());
    }

    private static Machine machine(Map<String, Object> m, String what) {
        return new Machine(Json.string(Json.member(m, "cpu", what), what), Json.string(Json.member(m, "jvm", what), what),
                (int) Json.integer(Json.member(m, "threads", what), what), (int) Json.integer(Json.member(m, "batch", what), what));
    }

    private static CostTable read(Map<String, Object> m, SearchSpace space, String what) {
        List<Object> rows = Json.array(Json.member(m, "ops", what), what + ": ops");
        if (rows.size() != space.choices().size()) throw new IllegalArgumentException(what + ": ops has " + rows.size() + " rows, space '" + space.name() + "' has " + space.choices().size() + " choices");
        double[][] per = new double[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            List<Object> r = Json.array(rows.get(i), what + ": ops[" + i + "]");
            if (r.size() != space.choices().get(i).size()) throw new IllegalArgumentException(what + ": ops[" + i + "] has " + r.size() + " entries, choice " + space.choices().get(i).name() + " has " + space.choices().get(i).size() + " candidates");
            per[i] = new double[r.size()];
            for (int j = 0; j < r.size(); j++) per[i][j] = Json.real(r.get(j), what + ": ops[" + i + "][" + j + "]");
        }
        return new CostTable(space.name(), "latency_ms", Json.real(Json.member(m, "base", what), what), per);
    }

    /** Runs random paths (a fixed stream of its own, not the global one) for {@code seconds}. */
    private static void warmUp(Supernet net, Tensor x, double seconds) {
        Generator paths = new Generator(7);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            net.fixPath(net.space().random(paths));
            net.call(x);
        }
    }

    private static Tensor sample(SearchSpace space, int batch) {
        int[] s = space.inputShape();
        return Tensor.randn(new Generator(1), batch, s[0], s[1], s[2]);
    }

    private static double median(Module m, Tensor x, Options o) {
        for (int i = 0; i < o.warmup(); i++) m.call(x);
        double[] t = new double[o.runs()];
        for (int i = 0; i < o.runs(); i++) {
            long start = System.nanoTime();
            m.call(x);
            t[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }

    private static String cpuModel() {
        String model = Plans.cpuModel();   // the kernel plans' machine key reads the same name
        return !model.equals("unknown") ? model : System.getProperty("os.arch") + " (" + Runtime.getRuntime().availableProcessors() + " processors)";
    }
}
