package dev.tersor.bench;

import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.Parallel;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Square SGEMM {@code C = A·B}, A, B, C [size, size] row-major, through {@link Backend#gemm} on
 * {@code threads} threads. Time per product; {@code GFLOP/s = 2·size³ / time}.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar GemmBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBenchmark {

    @Param({"128", "256", "512", "1024", "2048"})
    public int size;

    @Param({"1", "2"})
    public int threads;

    @Param({"vector"})
    public String backend;

    private Backend impl;
    /** [size, size] each. */
    private float[] a, b, c;

    @Setup
    public void setUp() {
        Parallel.setThreads(threads);
        impl = Backends.named(backend);
        Random r = new Random(42);
        a = new float[size * size];
        b = new float[size * size];
        c = new float[size * size];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
            b[i] = r.nextFloat() - 0.5f;
        }
    }

    @Benchmark
    public float[] gemm() {
        impl.gemm(false, false, size, size, size, a, 0, size, b, 0, size, 0f, c, 0, size);
        return c;
    }
}
