package dev.tersor.bench;

import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.ReduceOp;
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

/** Reductions of {@code n} = 1M floats to one value, one thread: {@code Σ x} and {@code max x}, per backend. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ReductionBenchmark {

    @Param({"scalar", "vector"})
    public String backend;

    @Param({"1048576"})
    public int n;

    private Backend impl;
    /** [n], x ∈ [-4, 4). */
    private float[] x;

    @Setup
    public void setUp() {
        impl = Backends.named(backend);
        Random r = new Random(42);
        x = new float[n];
        for (int i = 0; i < n; i++) x[i] = 8f * r.nextFloat() - 4f;
    }

    @Benchmark
    public float sum() {
        return impl.reduce(ReduceOp.SUM, x, 0, n);
    }

    @Benchmark
    public float max() {
        return impl.reduce(ReduceOp.MAX, x, 0, n);
    }
}
