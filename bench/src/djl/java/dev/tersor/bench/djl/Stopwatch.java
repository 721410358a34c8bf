package dev.tersor.bench.djl;

import java.util.Arrays;

/**
 * The timing both sides of the DJL comparison go through: call {@code body} for
 * {@code warmupSeconds} (at least 3 calls), then time at least {@code minReps} calls and at least
 * {@code timeSeconds}; the result is the median per-call time in ms.
 */
record Stopwatch(double warmupSeconds, double timeSeconds, int minReps) {

    Stopwatch {
        if (!(warmupSeconds >= 0) || !(timeSeconds >= 0) || minReps < 1) {
            throw new IllegalArgumentException("bad stopwatch: " + warmupSeconds + " s warm-up, " + timeSeconds + " s, " + minReps + " reps");
        }
    }

    double medianMs(Runnable body) {
        long start = System.nanoTime();
        for (int calls = 0; calls < 3 || (System.nanoTime() - start) * 1e-9 < warmupSeconds; calls++) body.run();
        double[] t = new double[Math.max(minReps, 16)];
        int n = 0;
        long timed = System.nanoTime();
        while (n < minReps || (System.nanoTime() - timed) * 1e-9 < timeSeconds) {
            if (n == t.length) t = Arrays.copyOf(t, 2 * n);
            long t0 = System.nanoTime();
            body.run();
            t[n++] = (System.nanoTime() - t0) * 1e-6;
        }
        return median(Arrays.copyOf(t, n));
    }

    /** The median (mean of the middle two for an even count). */
    static double median(double[] xs) {
        if (xs.length == 0) throw new IllegalArgumentException("median of nothing");
        double[] s = xs.clone();
        Arrays.sort(s);
        int h = s.length / 2;
        return s.length % 2 == 1 ? s[h] : 0.5 * (s[h - 1] + s[h]);
    }
}
