package dev.tersor.search;

import dev.tersor.nn.Module;
import dev.tersor.nn.ModuleList;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
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
 * candidate of every choice on its own input, and of the skeleton (stem, head), each the median
 * of {@code runs} timed calls after {@code warmup} untimed ones, with a fixed thread count. The
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
     * @param batch   samples per timed call
     * @param threads the kernels' thread count while timing ({@link Parallel#setThreads})
     * @param warmup  untimed calls first (the JIT compiles the kernels)
     * @param runs    timed calls (the median counts)
     */
    public record Options(int batch, int threads, int warmup, int runs) {
        public Options {
            if (batch < 1 || threads < 1 || warmup < 0 || runs < 1) {
                throw new IllegalArgumentException("LatencyTable: batch, threads and runs must be >= 1 and warmup >= 0, got " + batch + ", " + threads
                        + ", " + warmup + ", " + runs);
            }
        }

        /** Batch 1, one thread, 30 warm-up calls, the median of 31. */
        public static Options defaults() {
            return new Options(1, 1, 30, 31);
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

    /** Measures every candidate and the skeleton of {@code net}'s space. */
    public static CostTable measure(Supernet net, Options o) {
        SearchSpace space = net.space();
        List<Choice> cs = space.choices();
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        List<Module.HookHandle> hooks = new ArrayList<>();
        List<String> skeleton = new ArrayList<>();
        for (var e : net.children().entrySet()) {
            boolean holdsChoice = false;
            for (int i = 0; i < cs.size(); i++) for (String p : space.paths(i)) holdsChoice |= p.equals(e.getKey()) || p.startsWith(e.getKey() + ".");
            if (holdsChoice) continue;
            if (e.getValue() instanceof ModuleList list) {   // e.g. a cell space's reductions: each block on its own input
                for (int i = 0; i < list.size(); i++) skeleton.add(e.getKey() + "." + i);
            } else {
                skeleton.add(e.getKey());
            }
        }
        for (String s : skeleton) hooks.add(capture(net.get(s), s, inputs));
        for (int i = 0; i < cs.size(); i++) {
            List<String> paths = space.paths(i);
            List<ModuleList> lists = net.candidateLists(i);
            for (int k = 0; k < paths.size(); k++) hooks.add(capture(firstRun(lists.get(k)), paths.get(k), inputs));
        }
        Architecture firsts = new Architecture(space.name(), firstRunIndices(net));
        Architecture previous = net.fixedPath();
        int threads = Parallel.threads();
        try (var g = Tensor.noGrad()) {
            net.eval();
            net.fixPath(firsts);
            net.call(sample(space, o.batch()));
            hooks.forEach(Module.HookHandle::close);
            Parallel.setThreads(o.threads());
            double base = 0;
            for (String s : skeleton) base += median(net.get(s), inputs.get(s), o);
            double[][] per = new double[cs.size()][];
            for (int i = 0; i < cs.size(); i++) {
                per[i] = new double[cs.get(i).size()];
                List<String> paths = space.paths(i);
                List<ModuleList> lists = net.candidateLists(i);
                for (int k = 0; k < paths.size(); k++) {
                    Tensor in = inputs.get(paths.get(k));
                    for (int j = 0; j < per[i].length; j++) {
                        Module op = lists.get(k).get(j);
                        if (!(op instanceof Zero)) per[i][j] += median(op, in, o);
                    }
                }
            }
            return new CostTable(space.name(), "latency_ms", base, per);
        } finally {
            Parallel.setThreads(threads);
            if (previous == null) net.sampleUniformly();
            else net.fixPath(previous);
        }
    }

    /** The first candidate of a choice that a supernet runs (a {@link Zero} is skipped and sees no input). */
    private static Module firstRun(ModuleList candidates) {
        return candidates.get(firstRunIndex(candidates));
    }

    private static int firstRunIndex(ModuleList candidates) {
        for (int j = 0; j < candidates.size(); j++) if (!(candidates.get(j) instanceof Zero)) return j;
        return 0;
    }

    private static List<Integer> firstRunIndices(Supernet net) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < net.space().choices().size(); i++) out.add(firstRunIndex(net.candidates(i)));
        return out;
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

    private static Module.HookHandle capture(Module m, String key, Map<String, Tensor> inputs) {
        return m.registerForwardPreHook((mod, x) -> {
            inputs.put(key, x);
            return null;
        });
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
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch") + " (" + Runtime.getRuntime().availableProcessors() + " processors)";
    }
}
