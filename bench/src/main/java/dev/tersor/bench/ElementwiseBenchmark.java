package dev.tersor.bench;

import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.BinaryOp;
import dev.tersor.tensor.backend.UnaryOp;
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
 * Elementwise kernels on {@code n} = 1M floats (4 MiB per array, L3-resident here), one thread:
 * {@code z = a + b}, {@code z = a·b}, {@code z = e^a}, {@code z = tanh a}, {@code z = σ(a)}, {@code z = max(a, 0)}, per backend.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ElementwiseBenchmark {

    @Param({"scalar", "vector"})
    public String backend;

    @Param({"1048576"})
    public int n;

    private Backend impl;
    /** [n] each; a ∈ [-4, 4), b ∈ [-4, 4). */
    private float[] a, b, z;

    @Setup
    public void setUp() {
        impl = Backends.named(backend);
        Random r = new Random(42);
        a = new float[n];
        b = new float[n];
        z = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = 8f * r.nextFloat() - 4f;
            b[i] = 8f * r.nextFloat() - 4f;
        }
    }

    @Benchmark
    public float[] add() {
        impl.binary(BinaryOp.ADD, a, 0, b, 0, z, 0, n);
        return z;
    }

    @Benchmark
    public float[] mul() {
        impl.binary(BinaryOp.MUL, a, 0, b, 0, z, 0, n);
        return z;
    }

    @Benchmark
    public float[] exp() {
        impl.unary(UnaryOp.EXP, 0f, a, 0, z, 0, n);
        return z;
    }

    @Benchmark
    public float[] tanh() {
        impl.unary(UnaryOp.TANH, 0f, a, 0, z, 0, n);
        return z;
    }

    @Benchmark
    public float[] sigmoid() {
        impl.unary(UnaryOp.SIGMOID, 0f, a, 0, z, 0, n);
        return z;
    }

    @Benchmark
    public float[] relu() {
        impl.unary(UnaryOp.RELU, 0f, a, 0, z, 0, n);
        return z;
    }
}
