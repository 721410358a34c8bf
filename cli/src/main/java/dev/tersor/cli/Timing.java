package dev.tersor.cli;

import java.io.PrintWriter;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Times a whole operation the way every {@code tersor bench} command (and the Python anchors in
 * {@code bench/anchors/}) does:
 * <ol>
 *   <li><b>warm-up</b>: call it in windows of {@code windowSeconds} until two consecutive
 *       windows have medians within {@code tolerance} of each other, the JIT spent at most
 *       {@value #JIT_SHARE} of the second one's time compiling (its accumulated compilation time;
 *       two windows of code still waiting for C2 can look steady too, and a trickle of small
 *       compilations goes on for long after), and at least {@code minWarmupCalls} calls ran; or
 *       until {@code warmupSeconds} have passed (then it says so);</li>
 *   <li><b>timed phase</b>: at least {@code minReps} calls, more until {@code minSeconds} have
 *       passed; report the median (and min, mean) of the per-call times.</li>
 * </ol>
 * An untimed {@code setup} runs before every call (e.g. zeroing gradients).
 */
final class Timing {
    /** The most of a warm-up window the JIT may spend compiling for the window to count as steady. */
    static final double JIT_SHARE = 0.05;

    /** How long to warm up and how much to time. */
    record Plan(double warmupSeconds, double windowSeconds, int minWarmupCalls, int minReps,
                double minSeconds, double tolerance) {
        Plan {
            if (!(warmupSeconds >= 0)) throw new IllegalArgumentException("warm-up seconds must be >= 0, got " + warmupSeconds);
            if (!(windowSeconds > 0)) throw new IllegalArgumentException("window seconds must be > 0, got " + windowSeconds);
            if (minWarmupCalls < 1) throw new IllegalArgumentException("warm-up calls must be >= 1, got " + minWarmupCalls);
            if (minReps < 1) throw new IllegalArgumentException("repetitions must be >= 1, got " + minReps);
            if (!(minSeconds >= 0)) throw new IllegalArgumentException("timed seconds must be >= 0, got " + minSeconds);
            if (!(tolerance > 0)) throw new IllegalArgumentException("tolerance must be > 0, got " + tolerance);
        }

        /**
         * The standard plan: warm-up capped at {@code warmupSeconds} in 1-second windows (shorter
         * when the cap is short), 5% tolerance, at least 5 warm-up calls.
         */
        static Plan standard(double warmupSeconds, int minReps, double minSeconds) {
            double window = Math.max(1e-3, Math.min(1.0, warmupSeconds / 4));
            return new Plan(warmupSeconds, window, 5, minReps, minSeconds, 0.05);
        }
    }

    /** Per-call times of the timed phase, in milliseconds, and what the warm-up did. */
    record Result(int warmupCalls, double warmupSeconds, boolean steady, int reps, double timedSeconds,
                  double medianMs, double minMs, double meanMs, double maxMs) {
    }

    private Timing() {
    }

    /** Warms {@code body} up and times it; progress goes to {@code log} (may be null). */
    static Result run(Plan plan, Runnable setup, Runnable body, PrintWriter log) {
        return run(plan, setup, body, log, Timing::compilationMillis);
    }

    /** The JVM's accumulated JIT compilation time in ms, or -1 where the JVM does not report it (then only the timings decide). */
    static long compilationMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /** The same with the compilation clock given (tests). */
    static Result run(Plan plan, Runnable setup, Runnable body, PrintWriter log, LongSupplier jitMillis) {
        // ---- warm-up ----
        long start = System.nanoTime();
        long windowStart = start;
        long jitAtWindowStart = jitMillis.getAsLong();
        double[] window = new double[16];
        int inWindow = 0, calls = 0, windows = 0;
        double previous = Double.NaN;
        boolean steady = false;
        while (true) {
            double ms = once(setup, body);
            calls++;
            if (inWindow == window.length) window = Arrays.copyOf(window, inWindow * 2);
            window[inWindow++] = ms;
            long now = System.nanoTime();
            if ((now - windowStart) * 1e-9 >= plan.windowSeconds()) {
                double m = median(Arrays.copyOf(window, inWindow));
                windows++;
                long jit = jitMillis.getAsLong();
                if (log != null) {
                    log.printf(Locale.ROOT, "warm-up window %d: median %.3f ms over %d calls%s%n", windows, m, inWindow,
                            jit >= 0 ? ", JIT compiling " + (jit - jitAtWindowStart) + " ms" : "");
                    log.flush();
                }
                boolean close = Math.abs(m - previous) <= plan.tolerance() * Math.min(m, previous);
                boolean compiling = jit - jitAtWindowStart > JIT_SHARE * (now - windowStart) * 1e-6;
                if (close && !compiling && calls >= plan.minWarmupCalls()) {
                    steady = true;
                    break;
                }
                previous = m;
                inWindow = 0;
                windowStart = now;
                jitAtWindowStart = jit;
            }
            if ((now - start) * 1e-9 >= plan.warmupSeconds()) break;
        }
        double warmupSeconds = (System.nanoTime() - start) * 1e-9;
        if (log != null) {
            log.printf(Locale.ROOT, "warm-up: %d calls in %.2f s, %s%n", calls, warmupSeconds,
                    steady ? "steady" : "not steady within the cap; timing anyway");
            log.flush();
        }

        // ---- timed phase ----
        double[] times = new double[Math.max(16, plan.minReps())];
        int reps = 0;
        long timedStart = System.nanoTime();
        while (reps < plan.minReps() || (System.nanoTime() - timedStart) * 1e-9 < plan.minSeconds()) {
            if (reps == times.length) {
                if (reps >= 1 << 24) break;
                times = Arrays.copyOf(times, reps * 2);
            }
            times[reps++] = once(setup, body);
        }
        double timedSeconds = (System.nanoTime() - timedStart) * 1e-9;
        double[] t = Arrays.copyOf(times, reps);
        double sum = 0, min = Double.POSITIVE_INFINITY, max = 0;
        for (double x : t) {
            sum += x;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return new Result(calls, warmupSeconds, steady, reps, timedSeconds, median(t), min, sum / reps, max);
    }

    private static double once(Runnable setup, Runnable body) {
        if (setup != null) setup.run();
        long t0 = System.nanoTime();
        body.run();
        return (System.nanoTime() - t0) * 1e-6;
    }

    /** The median of {@code xs} (mean of the middle two for an even count); sorts a copy. */
    static double median(double[] xs) {
        if (xs.length == 0) throw new IllegalArgumentException("median of nothing");
        double[] s = xs.clone();
        Arrays.sort(s);
        int h = s.length / 2;
        return s.length % 2 == 1 ? s[h] : 0.5 * (s[h - 1] + s[h]);
    }
}
