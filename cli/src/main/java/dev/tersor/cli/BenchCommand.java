package dev.tersor.cli;

import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.Parallel;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor bench}: whole-operation timings with warm-up and medians (see {@link Timing}).
 * Each subcommand prints a human-readable summary, or with {@code --json} ends stdout with one
 * line of JSON; progress goes to stderr. This class also holds the report both share.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time whole operations after a JIT warm-up; report medians (and JSON with --json).",
        subcommands = {GemmBench.class, Conv2dBench.class, LinearBench.class, ForwardBench.class, TrainStepBench.class,
            BenchSuite.class})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** The fields every report starts with after the parameters. */
    static Map<String, Object> environment() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("threads", Parallel.threads());
        m.put("backend", Backends.current().name());
        m.put("java_version", Runtime.version().toString());
        m.put("java_vendor", System.getProperty("java.vendor"));
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("tersor_version", Main.version());
        return m;
    }

    /** Adds the timing fields ({@code median_ms}, {@code reps}, ...) and GFLOP/s at the median. */
    static void putTiming(Map<String, Object> record, Timing.Result r, double flopsPerCall) {
        record.put("reps", r.reps());
        record.put("median_ms", round(r.medianMs(), 4));
        record.put("min_ms", round(r.minMs(), 4));
        record.put("mean_ms", round(r.meanMs(), 4));
        record.put("gflops", round(flopsPerCall / (r.medianMs() * 1e6), 3));
        record.put("warmup_calls", r.warmupCalls());
        record.put("warmup_s", round(r.warmupSeconds(), 2));
        record.put("steady", r.steady());
    }

    /** Prints the report: one JSON line, or a short human summary headed by {@code title}. */
    static void print(PrintWriter out, boolean json, String title, Map<String, Object> record) {
        if (json) {
            out.println(Json.write(record));
        } else {
            out.println(title);
            out.printf(Locale.ROOT, "  backend   %s, %s threads, Java %s%n",
                    record.get("backend"), record.get("threads"), record.get("java_version"));
            out.printf(Locale.ROOT, "  median    %s ms   (min %s ms, mean %s ms)%n",
                    record.get("median_ms"), record.get("min_ms"), record.get("mean_ms"));
            out.printf(Locale.ROOT, "  GFLOP/s   %s%n", record.get("gflops"));
            out.printf(Locale.ROOT, "  reps      %s after %s warm-up calls in %s s (%s)%n",
                    record.get("reps"), record.get("warmup_calls"), record.get("warmup_s"),
                    Boolean.TRUE.equals(record.get("steady")) ? "steady" : "not steady");
        }
        out.flush();
    }

    static double round(double x, int decimals) {
        if (!Double.isFinite(x)) return x;
        double scale = Math.pow(10, decimals);
        double r = Math.round(x * scale) / scale;
        return r == 0 && x != 0 ? x : r;   // keep tiny values rather than report 0
    }
}
