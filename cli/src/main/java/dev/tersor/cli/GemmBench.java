package dev.tersor.cli;

import dev.tersor.tensor.Generator;
import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor bench gemm --size N}: {@code C = A·B} for random float N×N matrices, straight
 * through {@link Backend#gemm} on the arrays (no tensor overhead). GFLOP/s = 2N³ / median.
 * After timing, a few entries of C are checked against a double-precision dot product. A size
 * whose matrices cannot fit the heap is refused before anything is allocated ({@link MemoryEstimate}).
 */
@Command(name = "gemm", mixinStandardHelpOptions = true,
        description = "Time C = A·B for random float N×N matrices through the backend's gemm kernel.")
final class GemmBench implements Callable<Integer> {

    /** Largest N whose N×N matrix fits one Java array. */
    static final int MAX_SIZE = 46340;

    @Spec
    CommandSpec spec;

    @Mixin
    BenchOptions opts;

    @Option(names = "--size", required = true, paramLabel = "N", description = "Matrix size: A, B and C are N×N.")
    int size;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for the random matrices (default: ${DEFAULT-VALUE}).")
    long seed;

    @SuppressWarnings("try")   // scopes held for their effect on close
    @Override
    public Integer call() {
        if (size < 1) throw new ParameterException(spec.commandLine(), "--size must be a positive integer, got " + size);
        if (size > MAX_SIZE) throw new ParameterException(spec.commandLine(), "--size must be <= " + MAX_SIZE + ", got " + size);
        opts.validate(spec.commandLine());
        MemoryEstimate.gemm(size).requireFits(spec.commandLine());
        PrintWriter err = spec.commandLine().getErr();
        int n = size;
        float[] a = random(n * n, new Generator(seed));
        float[] b = random(n * n, new Generator(seed + 1));
        float[] c = new float[n * n];
        Map<String, Object> record = new LinkedHashMap<>();
        try (var applied = opts.apply()) {
            Backend be = Backends.current();
            err.printf("tersor bench gemm: %d×%d×%d, backend %s%n", n, n, n, be.name());
            Timing.Result r = Timing.run(opts.plan(), null,
                    () -> be.gemm(false, false, n, n, n, a, 0, n, b, 0, n, 0f, c, 0, n), err);
            check(a, b, c, n);
            record.put("bench", "gemm");
            record.put("size", n);
            record.putAll(BenchCommand.environment());
            BenchCommand.putTiming(record, r, 2.0 * n * n * n);
        }
        BenchCommand.print(spec.commandLine().getOut(), opts.json,
                "gemm " + n + "×" + n + "×" + n + " (float32)", record);
        return 0;
    }

    static float[] random(int count, Generator g) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) x[i] = g.nextGaussian();
        return x;
    }

    /** Compares 16 entries of C with a double-precision dot product; a wrong kernel is an error. */
    private static void check(float[] a, float[] b, float[] c, int n) {
        Generator g = new Generator(12345);
        for (int t = 0; t < 16; t++) {
            int i = g.nextInt(n), j = g.nextInt(n);
            double exact = 0, scale = 0;
            for (int p = 0; p < n; p++) {
                double prod = (double) a[i * n + p] * b[p * n + j];
                exact += prod;
                scale += Math.abs(prod);
            }
            double got = c[i * n + j];
            if (!(Math.abs(got - exact) <= 1e-3 * scale + 1e-6)) {
                throw new IllegalStateException("gemm result is wrong at C[" + i + "," + j + "]: got " + got
                        + ", expected " + exact + " (backend " + Backends.current().name() + ")");
            }
        }
    }
}
