package dev.tersor.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor bench suite}: every case of {@link SuiteCase#standard} on every thread count,
 * Tersor in this JVM and its anchor (numpy / PyTorch through {@code bench/anchors/}) as a
 * subprocess right after it, round after round (Tersor, anchor, Tersor, anchor, ...), then one
 * table of medians and ratios ({@link SuiteTable}). Before anything is timed it reports the
 * machine ({@link MachineFacts}) and what the anchors run on ({@link AnchorFacts}: the OpenBLAS
 * core, corrected when OpenBLAS says Prescott). A missing python, numpy or torch, or a failing
 * anchor, is a cell of the table, not an error; a failing Tersor case makes the exit status 1.
 */
@Command(name = "suite", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the GEMM, conv, LeNet-5 epoch and ResNet-20 step cases on each thread count, interleaved with",
            "their numpy / PyTorch anchors where /usr/bin/python3 has them; print one table of medians and ratios."})
final class BenchSuite implements Callable<Integer> {

    static final String SAMPLE = "/dev/tersor/nn/data/mnist-sample/";

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "Short warm-ups and one round: about a minute on two cores (checks the machinery, rough figures).")
    boolean quick;

    @Option(names = "--json", description = "End stdout with one line of JSON: machine, anchors, rows and every measurement.")
    boolean json;

    @Option(names = "--threads", paramLabel = "T,T", defaultValue = "1,2",
            description = "Comma-separated thread counts, each case runs on each (default: ${DEFAULT-VALUE}).")
    String threads;

    @Option(names = "--rounds", paramLabel = "R", description = "Interleaved rounds; the table shows medians over them (default: 3, 1 with --quick).")
    Integer rounds;

    @Option(names = "--data", paramLabel = "DIR", description = "MNIST IDX files (raw or .gz) for the LeNet-5 epoch (default: the bundled 8,000-image sample).")
    Path data;

    @Option(names = "--only", paramLabel = "ID,ID", description = "Run only these cases: gemm-512, gemm-1024, conv-n64-3-64, conv-n128-16-16, conv-n1-256-256, lenet5-epoch, resnet20-step.")
    String only;

    @Option(names = "--python", paramLabel = "PATH", defaultValue = "/usr/bin/python3",
            description = "The python that runs the anchors (default: ${DEFAULT-VALUE}, Debian's numpy and python3-torch).")
    Path python;

    @Option(names = "--anchors", paramLabel = "DIR", description = "The anchor scripts (default: bench/anchors of the checkout this jar was built in, else ./bench/anchors).")
    Path anchors;

    @Option(names = "--no-anchors", description = "Time Tersor only.")
    boolean noAnchors;

    @Option(names = "--anchor-timeout", paramLabel = "S", defaultValue = "900",
            description = "Kill an anchor run after S seconds (default: ${DEFAULT-VALUE}).")
    long anchorTimeout;

    /** One side of an interleaved run. */
    interface Side {
        Measurement measure(SuiteCase c, int threads, int round);
    }

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        List<Integer> counts = threadList(cl, threads);
        int r = rounds != null ? rounds : quick ? 1 : 3;
        if (r < 1) throw new ParameterException(cl, "--rounds must be >= 1, got " + r);
        if (anchorTimeout < 1) throw new ParameterException(cl, "--anchor-timeout must be >= 1 second, got " + anchorTimeout);
        if (data != null) requireMnist(cl, data);
        SuitePlan plan = quick ? SuitePlan.quick(r) : SuitePlan.standard(r);
        PrintWriter out = cl.getOut(), err = cl.getErr();
        Path scratch = Files.createTempDirectory("tersor-suite-");
        try {
            Path mnist = data != null ? data : unpackSample(scratch.resolve("mnist-sample"));
            String mnistLabel = data != null ? "MNIST from " + data : mnist == null ? "" : "bundled 8,000-image sample";
            List<SuiteCase> cases = select(cl, SuiteCase.standard(mnist, mnistLabel, scratch), only);
            MachineFacts machine = MachineFacts.detect();
            err.println("tersor bench suite: " + machine.describe());
            if (mnist == null) err.println("tersor bench suite: LeNet-5 epoch skipped: no MNIST data (pass --data DIR with the IDX files)");
            AnchorRunner runner = new AnchorRunner(python, anchors != null ? anchors : findAnchors(), anchorTimeout);
            AnchorFacts facts = noAnchors ? AnchorFacts.none("--no-anchors") : runner.prepare(machine.cpuFlags(), err);
            Function<SuiteCase, String> unavailable = c -> noAnchors ? "not run (--no-anchors)" : facts.unavailable(c.anchor().library());
            err.println("tersor bench suite: anchors: " + describe(facts));
            err.flush();
            List<Measurement> ms = interleave(cases, counts, plan.rounds(),
                    (c, t, round) -> TersorRunner.measure(c, t, round, plan),
                    (c, t, round) -> runner.measure(c, t, round, plan), c -> unavailable.apply(c) == null, err);
            List<SuiteTable.Row> rows = SuiteTable.rows(cases, counts, ms, unavailable);
            out.println("Tersor beside its anchors: " + machine.describe());
            out.println("Anchors: " + describe(facts));
            out.print(SuiteTable.render(rows));
            out.printf(Locale.ROOT, "Times in ms (LeNet-5: one training epoch), medians of %d interleaved round%s%s; ratio = Tersor's time"
                    + " / the anchor's (below 1: Tersor faster).%n", plan.rounds(), plan.rounds() == 1 ? "" : "s", quick ? " (--quick)" : "");
            if (json) out.println(Json.write(report(machine, facts, plan, quick, counts, mnistLabel, rows, ms)));
            out.flush();
            return ms.stream().anyMatch(m -> m.impl().equals("tersor") && !m.ok()) ? Main.EXIT_FAILURE : 0;
        } finally {
            deleteTree(scratch);
        }
    }

    /**
     * Runs every case on every thread count, {@code rounds} times: Tersor, then (where
     * {@code anchorRuns}) its anchor, each result one progress line on {@code log}.
     */
    static List<Measurement> interleave(List<SuiteCase> cases, List<Integer> threads, int rounds, Side tersor, Side anchor,
                                        java.util.function.Predicate<SuiteCase> anchorRuns, PrintWriter log) {
        List<Measurement> all = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (SuiteCase c : cases) {
                for (int t : threads) {
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d/%d  %s, %d thread%s:",
                            round, rounds, c.label(), t, t == 1 ? "" : "s"));
                    List<Measurement> pair = new ArrayList<>();
                    pair.add(tersor.measure(c, t, round));
                    if (c.anchor() != null && anchorRuns.test(c)) pair.add(anchor.measure(c, t, round));
                    for (Measurement m : pair) {
                        line.append(' ').append(m.impl()).append(' ').append(m.ok() ? SuiteTable.ms(m.millis()) + " ms" : "FAILED (" + m.error() + ")");
                    }
                    log.println(line);
                    log.flush();
                    all.addAll(pair);
                }
            }
        }
        return all;
    }

    static Map<String, Object> report(MachineFacts machine, AnchorFacts facts, SuitePlan plan, boolean quick, List<Integer> threads,
                                      String data, List<SuiteTable.Row> rows, List<Measurement> ms) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bench", "suite");
        m.put("quick", quick);
        m.put("rounds", plan.rounds());
        m.put("threads", threads);
        m.put("warmup_seconds", plan.warmupSeconds());
        m.put("time_seconds", plan.timeSeconds());
        m.put("min_reps", plan.minReps());
        m.put("mnist", data);
        m.put("machine", machine.toJson());
        m.put("anchors", facts.toJson());
        m.put("rows", SuiteTable.json(rows));
        m.put("measurements", ms.stream().map(Measurement::toJson).toList());
        return m;
    }

    /** {@code "1,2"} → [1, 2]: each a thread count {@link Threads#check} accepts, no repeats. */
    static List<Integer> threadList(CommandLine cl, String text) {
        Set<Integer> counts = new LinkedHashSet<>();
        for (String part : text.split(",", -1)) {
            int t;
            try {
                t = Integer.parseInt(part.strip());
            } catch (NumberFormatException e) {
                throw new ParameterException(cl, "--threads must be a comma-separated list of thread counts such as 1,2; got '" + text + "'");
            }
            Threads.check(cl, t);
            if (!counts.add(t)) throw new ParameterException(cl, "--threads lists " + t + " twice: '" + text + "'");
        }
        return List.copyOf(counts);
    }

    /** The cases named by {@code only} (all when null), in the suite's order; an unknown name is a usage error. */
    static List<SuiteCase> select(CommandLine cl, List<SuiteCase> cases, String only) {
        if (only == null) return cases;
        Set<String> wanted = new LinkedHashSet<>();
        for (String id : only.split(",")) wanted.add(id.strip());
        List<String> known = cases.stream().map(SuiteCase::id).toList();
        for (String id : wanted) {
            if (!known.contains(id)) {
                throw new ParameterException(cl, "--only: unknown case '" + id + "'; the cases are " + String.join(", ", known)
                        + (id.equals("lenet5-epoch") ? " (no MNIST data here)" : ""));
            }
        }
        return cases.stream().filter(c -> wanted.contains(c.id())).toList();
    }

    private static void requireMnist(CommandLine cl, Path dir) {
        if (!Files.isDirectory(dir)) throw new ParameterException(cl, "--data: " + dir + " is not a directory");
        for (boolean train : new boolean[] {true, false}) {
            for (String name : dev.tersor.nn.data.Mnist.fileNames(train)) {
                if (!Files.isRegularFile(dir.resolve(name)) && !Files.isRegularFile(dir.resolve(name + ".gz"))) {
                    throw new ParameterException(cl, "--data: " + dir + " has no " + name + " (nor " + name + ".gz); it needs the four MNIST IDX files");
                }
            }
        }
    }

    /** Copies the bundled MNIST sample (gzip IDX) into {@code dir} for both sides; null when the jar lacks it. */
    static Path unpackSample(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (boolean train : new boolean[] {true, false}) {
            for (String name : dev.tersor.nn.data.Mnist.fileNames(train)) {
                try (InputStream in = BenchSuite.class.getResourceAsStream(SAMPLE + name + ".gz")) {
                    if (in == null) return null;
                    Files.copy(in, dir.resolve(name + ".gz"), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return dir;
    }

    /** bench/anchors of the checkout this class was loaded from (cli/target/...), else of the working directory. */
    static Path findAnchors() {
        try {
            Path p = Path.of(BenchSuite.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
            for (int up = 0; up < 5 && p != null; up++, p = p.getParent()) {
                Path a = p.resolve("bench").resolve("anchors");
                if (Files.isRegularFile(a.resolve("probe.py"))) return a;
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall back to the working directory
        }
        return Path.of("bench", "anchors").toAbsolutePath();
    }

    static String describe(AnchorFacts f) {
        if (f.error() != null) return "none (" + f.error() + ")";
        StringBuilder sb = new StringBuilder();
        if (f.probe().get("numpy") instanceof Map<?, ?> np && Boolean.TRUE.equals(np.get("installed"))) {
            sb.append("numpy ").append(np.get("version")).append(" on OpenBLAS core ").append(f.openblasCore());
            if (f.coreType() != null) sb.append(" (OPENBLAS_CORETYPE=").append(f.coreType()).append(')');
        } else {
            sb.append("numpy not installed");
        }
        if (f.probe().get("torch") instanceof Map<?, ?> t && Boolean.TRUE.equals(t.get("installed"))) {
            Object threads = t.get("default_threads");
            sb.append("; torch ").append(t.get("version")).append(" (").append(threads instanceof Number n ? Long.toString(n.longValue()) : threads)
                    .append(" threads by default; each anchor sets its own)");
        } else {
            sb.append("; torch not installed");
        }
        return sb.toString();
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory left behind is not worth failing the report for
        }
    }
}
