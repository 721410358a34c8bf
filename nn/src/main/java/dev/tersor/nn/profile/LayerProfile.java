package dev.tersor.nn.profile;

import dev.tersor.nn.Module;
import dev.tersor.tensor.BackwardProfile;
import dev.tersor.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Where a model's time goes, layer by layer: forward hooks on every module time each call, and a
 * module's own time is its call's time less its children's (so a block's residual add or a
 * model's functional pooling shows on the block or the model, and the rows add up to the whole
 * forward). With {@code backward}, the model runs in training mode and {@code sum(output)} is
 * backpropagated; each recorded op's backward time goes to the module whose forward recorded it
 * ({@link BackwardProfile}). Forward times are means (or, with {@link Options#median}, medians)
 * over {@code iterations} after a warm-up of {@code warmup} iterations and at least
 * {@code warmupSeconds}; backward times are means. Hooks cost
 * about a microsecond per module call, so very small layers read high; profiling only some
 * modules ({@link #measure(Module, Tensor, Options, Predicate)}) puts the time of the others
 * into their nearest profiled ancestor and keeps that overhead to the profiled calls, which is
 * how the search module's latency table times candidate blocks inside the whole network.
 * <pre>{@code
 * LayerProfile.Result r = LayerProfile.measure(model, input, new LayerProfile.Options(5, 20, true));
 * for (LayerProfile.Row row : r.rows()) System.out.println(row.path() + " " + row.forwardMs() + " ms");
 * }</pre>
 */
public final class LayerProfile {
    private LayerProfile() {
    }

    /**
     * Warm-up and measured iterations, whether to time backward too, whether forward times are
     * the median of the iterations (robust to a noisy machine) instead of their mean, and the
     * least time the warm-up lasts: it runs {@code warmup} iterations and keeps going until
     * {@code warmupSeconds} have passed (the JIT compiles the large kernels seconds into a run;
     * a count alone times interpreted code on a fast model).
     */
    public record Options(int warmup, int iterations, boolean backward, boolean median, double warmupSeconds) {
        public Options {
            if (warmup < 0) throw new IllegalArgumentException("warmup must be >= 0, got " + warmup);
            if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
            if (!(warmupSeconds >= 0) || Double.isInfinite(warmupSeconds)) {
                throw new IllegalArgumentException("warmupSeconds must be a finite number >= 0, got " + warmupSeconds);
            }
        }

        /** A warm-up of {@code warmup} iterations, however short. */
        public Options(int warmup, int iterations, boolean backward, boolean median) {
            this(warmup, iterations, backward, median, 0);
        }

        /** Mean forward times. */
        public Options(int warmup, int iterations, boolean backward) {
            this(warmup, iterations, backward, false);
        }
    }

    /**
     * One module's share.
     *
     * @param path        dotted path ({@code ""}: the model itself, its own ops)
     * @param type        the module's class
     * @param outputShape its output's shape (of the first call)
     * @param macs        multiply-accumulates of one forward of the batch (layers without children; 0 for containers)
     * @param forwardMs   own forward time per iteration
     * @param backwardMs  backward time of the ops its forward recorded, per iteration (NaN without backward)
     */
    public record Row(String path, String type, int[] outputShape, long macs, double forwardMs, double backwardMs) {
        /** Achieved GFLOP/s of the forward (2 per multiply-accumulate), NaN for a row without MACs. */
        public double forwardGflops() {
            return macs == 0 || forwardMs <= 0 ? Double.NaN : 2.0 * macs / (forwardMs * 1e6);
        }
    }

    /** Every module that took time or does multiply-accumulates, in forward order, and the totals per iteration. */
    public record Result(List<Row> rows, double forwardMs, double backwardMs, Options options) {
        public Result {
            rows = List.copyOf(rows);
        }

        /** Total multiply-accumulates of one forward. */
        public long macs() {
            return rows.stream().mapToLong(Row::macs).sum();
        }
    }

    private static final class Stat {
        String type;
        int[] shape;
        long macs, order = -1;
        long[] selfNanos;   // [iterations], own time in each measured iteration
    }

    private static final class Frame {
        final String path;
        final long start;
        final BackwardProfile.Scope scope;
        long children;

        Frame(String path, BackwardProfile.Scope scope) {
            this.path = path;
            this.scope = scope;
            this.start = System.nanoTime();
        }
    }

    /** Profiles every module of {@code model} on {@code input} (a batch); the model is left in eval mode. */
    public static Result measure(Module model, Tensor input, Options o) {
        return measure(model, input, o, path -> true);
    }

    /**
     * Profiles the modules whose dotted path {@code profiled} accepts, and the model itself
     * (whose row then holds the time of everything not profiled below it).
     */
    public static Result measure(Module model, Tensor input, Options o, Predicate<String> profiled) {
        Map<Module, String> paths = new IdentityHashMap<>();
        model.namedModules().forEach((p, m) -> {
            if (p.isEmpty() || profiled.test(p)) paths.putIfAbsent(m, p);
        });
        Map<String, Stat> stats = new LinkedHashMap<>();
        ArrayDeque<Frame> stack = new ArrayDeque<>();
        long[] calls = {0};
        boolean[] measuring = {false};
        int[] iteration = {0};
        List<Module.HookHandle> handles = new ArrayList<>();
        for (var e : paths.entrySet()) {
            Module m = e.getKey();
            String path = e.getValue();
            boolean leaf = m.children().isEmpty();
            handles.add(m.registerForwardPreHook((mod, x) -> {
                stats.computeIfAbsent(path, k -> new Stat());   // rows in the order the calls start
                stack.push(new Frame(path, BackwardProfile.scope(path)));
                return null;
            }));
            handles.add(m.registerForwardHook((mod, x, y) -> {
                long end = System.nanoTime();
                Frame f = stack.pop();
                f.scope.close();
                long elapsed = end - f.start;
                if (!stack.isEmpty()) stack.peek().children += elapsed;
                Stat s = stats.get(path);
                if (s.order < 0) {
                    s.order = calls[0]++;
                    s.type = mod.getClass().getSimpleName();
                    s.shape = y.shape();
                }
                if (measuring[0]) {
                    if (s.selfNanos == null) s.selfNanos = new long[o.iterations()];
                    s.selfNanos[iteration[0]] += elapsed - f.children;
                    if (leaf && s.macs == 0) s.macs = Math.max(0, mod.multiplyAccumulates(x, y));
                }
                return null;
            }));
        }
        long[] forwardTotal = new long[o.iterations()];
        Map<String, Long> backward = Map.of();
        try (BackwardProfile profile = o.backward() ? BackwardProfile.start() : null) {
            if (o.backward()) model.train();
            else model.eval();
            long warmupEnd = System.nanoTime() + (long) (o.warmupSeconds() * 1e9);
            measuring[0] = false;
            for (int i = 0; i < o.warmup() || System.nanoTime() - warmupEnd < 0; i++) pass(model, input, o.backward());
            measuring[0] = true;
            if (profile != null) profile.reset();
            for (int i = 0; i < o.iterations(); i++) {
                iteration[0] = i;
                forwardTotal[i] = pass(model, input, o.backward());
            }
            if (profile != null) backward = profile.nanos();
        } finally {
            for (Module.HookHandle h : handles) h.close();
            model.zeroGrad();
            model.eval();
        }
        double n = o.iterations();
        List<Row> rows = new ArrayList<>();
        double backwardTotal = 0;
        for (long b : backward.values()) backwardTotal += b;
        for (var e : stats.entrySet()) {
            Stat s = e.getValue();
            Long b = backward.get(e.getKey());
            double self = s.selfNanos == null ? 0 : Math.max(0, summary(s.selfNanos, o.median()));
            if (self <= 0 && s.macs == 0 && (b == null || b == 0)) continue;
            rows.add(new Row(e.getKey(), s.type, s.shape, s.macs, self / 1e6,
                    o.backward() ? (b == null ? 0 : b) / n / 1e6 : Double.NaN));
        }
        return new Result(rows, summary(forwardTotal, o.median()) / 1e6, o.backward() ? backwardTotal / n / 1e6 : Double.NaN, o);
    }

    /** The mean, or the median (the mean of the middle two for an even count), of {@code nanos}. */
    static double summary(long[] nanos, boolean median) {
        if (!median) {
            double sum = 0;
            for (long v : nanos) sum += v;
            return sum / nanos.length;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int h = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2.0;
    }

    /** One forward (under no-grad unless {@code backward}), then the backward of sum(output) when asked; returns the forward's nanoseconds. */
    private static long pass(Module model, Tensor input, boolean backward) {
        long start = System.nanoTime();
        Tensor y;
        if (backward) {
            y = model.call(input);
        } else {
            try (var g = Tensor.noGrad()) {
                y = model.call(input);
            }
        }
        long elapsed = System.nanoTime() - start;
        if (backward) {
            model.zeroGrad();
            y.sum().backward();
        }
        return elapsed;
    }
}
