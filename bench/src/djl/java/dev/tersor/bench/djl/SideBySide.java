package dev.tersor.bench.djl;

import dev.tersor.tensor.backend.Parallel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Tersor beside DJL (PyTorch engine, offline) on the same networks and recipe, interleaved
 * round by round (Tersor, DJL, Tersor, DJL, ...), medians over rounds:
 * <pre>
 *   LeNet-5 MNIST epoch (s) · ResNet-20 training step, batch 128 (ms) · batch-1 inference of both (ms)
 *   time to first inference of a fresh JVM (ms, median of launches) · jar and native-library sizes (MB)
 * </pre>
 * {@code java -cp ... dev.tersor.bench.djl.SideBySide [--threads T] [--data DIR] [--rounds R] [--launches L] [--quick]};
 * {@code bench/djl/run.sh} builds the class path and runs it. Prints a markdown table, then one JSON line.
 */
public final class SideBySide {

    private SideBySide() {
    }

    record Options(int threads, Path data, int rounds, int launches, boolean quick) {
        static Options parse(String[] args) {
            int threads = 2, rounds = 3, launches = 5;
            Path data = null;
            boolean quick = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--quick" -> quick = true;
                    case "--threads", "--rounds", "--launches", "--data" -> {
                        if (i + 1 == args.length) throw new IllegalArgumentException(a + " needs a value");
                        String v = args[++i];
                        if (a.equals("--data")) {
                            data = Path.of(v);
                        } else {
                            int n = positive(a, v);
                            if (a.equals("--threads")) threads = n;
                            else if (a.equals("--rounds")) rounds = n;
                            else launches = n;
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + a
                            + "' (use --threads T, --data DIR, --rounds R, --launches L, --quick)");
                }
            }
            return new Options(threads, data, rounds, launches, quick);
        }

        private static int positive(String option, String v) {
            try {
                int n = Integer.parseInt(v);
                if (n >= 1) return n;
            } catch (NumberFormatException e) {
                // below
            }
            throw new IllegalArgumentException(option + " must be a positive integer, got '" + v + "'");
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        DjlWorkload.configure(o.threads());
        Parallel.setThreads(o.threads());
        Stopwatch watch = o.quick() ? new Stopwatch(1, 0.3, 3) : new Stopwatch(3, 1, 5);
        MnistData data = MnistData.load(o.data());
        log("data: %s, %d images, %d steps of 64; %d threads; engine %s", data.source, data.size(), data.steps(), o.threads(),
                DjlWorkload.engine());
        Map<String, double[]> rows = new LinkedHashMap<>();
        try (Workload tersor = new TersorWorkload(); Workload djl = new DjlWorkload()) {
            List<Workload> sides = List.of(tersor, djl);
            for (String model : List.of("lenet5", "resnet20")) {
                long a = tersor.trainableParameters(model), b = djl.trainableParameters(model);
                if (a != b) throw new IllegalStateException(model + ": Tersor has " + a + " trainable parameters, DJL " + b + ": not the same network");
                log("%s: %d trainable parameters on both sides", model, a);
            }
            rows.put("LeNet-5 epoch (s)", interleave(sides, o.rounds(), w -> w.lenetEpochSeconds(data, 42)));
            List<Runnable> steps = List.of(tersor.resnetStep(128, 1), djl.resnetStep(128, 1));
            rows.put("ResNet-20 step N128 (ms)", interleave(sides, o.rounds(), w -> watch.medianMs(steps.get(sides.indexOf(w)))));
            for (String model : List.of("lenet5", "resnet20")) {
                List<Runnable> infer = List.of(tersor.inference(model, 1), djl.inference(model, 1));
                rows.put((model.equals("lenet5") ? "LeNet-5" : "ResNet-20") + " batch-1 inference (ms)",
                        interleave(sides, o.rounds(), w -> watch.medianMs(infer.get(sides.indexOf(w)))));
            }
        }
        Launches launches = new Launches(System.getProperty("java.class.path"));
        double djlColdish = launches.launch("djl");   // the first one may unpack the native library into the DJL cache
        launches.launch("tersor");
        List<Double> t = new ArrayList<>(), d = new ArrayList<>();
        for (int i = 0; i < o.launches(); i++) {
            t.add(launches.launch("tersor"));
            d.add(launches.launch("djl"));
        }
        rows.put("first inference, fresh JVM (ms)", new double[] {median(t), median(d)});
        double mb = 1024.0 * 1024;
        Path cache = ai.djl.util.Utils.getEngineCacheDir("pytorch");
        rows.put("jars (MB)", new double[] {launches.tersorJarBytes() / mb, launches.djlJarBytes() / mb});
        rows.put("native library: jar / unpacked (MB)", new double[] {0, launches.nativeJarBytes() / mb, Launches.bytes(cache) / mb});
        print(o, data, rows, djlColdish, launches, cache);
    }

    /** {@code rounds} × (Tersor, DJL), then [median Tersor, median DJL]. */
    private static double[] interleave(List<Workload> sides, int rounds, ToDoubleFunction<Workload> f) {
        List<Double> a = new ArrayList<>(), b = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (Workload w : sides) {
                double v = f.applyAsDouble(w);
                (w == sides.get(0) ? a : b).add(v);
                log("round %d, %s: %.4g", r + 1, w.name(), v);
            }
        }
        return new double[] {median(a), median(b)};
    }

    private static double median(List<Double> xs) {
        return Stopwatch.median(xs.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static void print(Options o, MnistData data, Map<String, double[]> rows, double djlFirstLaunch, Launches launches, Path cache) {
        System.out.printf(Locale.ROOT, "Tersor beside DJL (%s, offline), %d threads, medians of %d interleaved rounds (launches: %d); %s%n",
                DjlWorkload.engine(), o.threads(), o.rounds(), o.launches(), Runtime.version());
        System.out.println();
        System.out.println("| measure | Tersor | DJL | Tersor / DJL |");
        System.out.println("|---|---:|---:|---:|");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("threads", o.threads());
        json.put("rounds", o.rounds());
        json.put("launches", o.launches());
        json.put("data", data.source);
        json.put("java", Runtime.version().toString());
        json.put("engine", DjlWorkload.engine());
        for (Map.Entry<String, double[]> e : rows.entrySet()) {
            double[] v = e.getValue();
            if (v.length == 3) {
                System.out.printf(Locale.ROOT, "| %s | none | %.1f / %.1f | |%n", e.getKey(), v[1], v[2]);
            } else {
                System.out.printf(Locale.ROOT, "| %s | %s | %s | %.2f× |%n", e.getKey(), fmt(v[0]), fmt(v[1]), v[0] / v[1]);
            }
            json.put(e.getKey(), List.of(v[0], v[1]));
        }
        System.out.printf(Locale.ROOT, "%nFirst DJL launch of this run (may unpack the native library into %s): %.0f ms.%n", cache, djlFirstLaunch);
        System.out.println("Tersor jars: " + String.join(", ", launches.tersorJarNames()));
        System.out.println("DJL jars: " + String.join(", ", launches.djlJarNames()));
        json.put("djl_first_launch_ms", djlFirstLaunch);
        json.put("native_unpacked_mb", rows.get("native library: jar / unpacked (MB)")[2]);
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, Object> e : json.entrySet()) {
            if (sb.length() > 1) sb.append(',');
            sb.append('"').append(e.getKey().replace("\"", "")).append("\":");
            Object v = e.getValue();
            sb.append(v instanceof String s ? "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : v.toString());
        }
        System.out.println(sb.append('}'));
    }

    private static String fmt(double x) {
        return x >= 100 ? String.format(Locale.ROOT, "%.0f", x) : x >= 10 ? String.format(Locale.ROOT, "%.1f", x)
                : String.format(Locale.ROOT, "%.3f", x);
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "side-by-side: " + format + "%n", args);
        System.err.flush();
    }
}
