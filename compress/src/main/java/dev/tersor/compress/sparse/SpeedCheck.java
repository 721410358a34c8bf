package dev.tersor.compress.sparse;

import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * Times a layer's sparse and dense forms on the layer's real input, so that
 * {@link SparseConversion} keeps a layer dense where its sparse kernel is slower on this
 * machine. Injectable: tests pass fixed timings, {@link #measured} times for real.
 */
@FunctionalInterface
public interface SpeedCheck {

    /**
     * Seconds per forward of each form.
     *
     * @param path   the layer's dotted path (for reports, or for a test's fixed answers)
     * @param sparse the sparse-compute layer
     * @param dense  the same weights computing densely
     * @param input  the layer's input in the model at the conversion's batch size
     */
    Timing time(String path, Module sparse, Module dense, Tensor input);

    /** Median seconds per call of the sparse and the dense form. */
    record Timing(double sparseSeconds, double denseSeconds) {
        public Timing {
            if (!(sparseSeconds >= 0) || !(denseSeconds >= 0)) {
                throw new IllegalArgumentException("timings must be >= 0 seconds, got sparse " + sparseSeconds + ", dense " + denseSeconds);
            }
        }

        /** Whether sparse is at least as fast as dense. */
        public boolean sparseWins() {
            return sparseSeconds <= denseSeconds;
        }

        /** {@code sparse / dense}: above 1 when sparse is slower. */
        public double ratio() {
            return denseSeconds == 0 ? (sparseSeconds == 0 ? 1 : Double.POSITIVE_INFINITY) : sparseSeconds / denseSeconds;
        }
    }

    /** No timing: every layer computes sparse (the timings reported are 0). */
    SpeedCheck ALWAYS_SPARSE = (path, sparse, dense, input) -> new Timing(0, 0);

    /** No timing: every layer computes dense (stored sparse all the same). */
    SpeedCheck ALWAYS_DENSE = (path, sparse, dense, input) -> new Timing(1, 0);

    /** {@link #measured(double, int) measured(0.25, 11)}: about 0.3 s a layer. */
    static SpeedCheck measured() {
        return measured(0.25, 11);
    }

    /**
     * Warms both forms up, alternating calls, for about {@code warmupSeconds} (C2 compiles both
     * paths' loops: timing C1 code would decide on nothing), then times {@code rounds}
     * interleaved rounds (sparse, dense, sparse, ...), each of enough calls to last about a
     * millisecond, and returns the medians per call.
     */
    static SpeedCheck measured(double warmupSeconds, int rounds) {
        if (!(warmupSeconds >= 0) || rounds < 1) {
            throw new IllegalArgumentException("warm-up must be >= 0 s and rounds >= 1, got " + warmupSeconds + " s, " + rounds + " rounds");
        }
        return (path, sparse, dense, input) -> {
            try (var g = Tensor.noGrad()) {
                long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
                long sparseNanos = 0, denseNanos = 0;
                int calls = 0;
                do {
                    long t0 = System.nanoTime();
                    sparse.call(input);
                    long t1 = System.nanoTime();
                    dense.call(input);
                    sparseNanos += t1 - t0;
                    denseNanos += System.nanoTime() - t1;
                    calls++;
                } while (System.nanoTime() < end || calls < 3);
                int repsSparse = reps(sparseNanos / 1e9 / calls), repsDense = reps(denseNanos / 1e9 / calls);
                double[] s = new double[rounds], d = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    s[r] = round(sparse, input, repsSparse);
                    d[r] = round(dense, input, repsDense);
                }
                return new Timing(median(s), median(d));
            }
        };
    }

    private static int reps(double perCall) {
        return (int) Math.max(1, Math.min(10_000, 1e-3 / Math.max(perCall, 1e-9)));
    }

    private static double round(Module m, Tensor x, int reps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) m.call(x);
        return (System.nanoTime() - t0) / 1e9 / reps;
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
