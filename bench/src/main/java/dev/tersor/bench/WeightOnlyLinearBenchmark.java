package dev.tersor.bench;

import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.lowbit.Int8Linear;
import dev.tersor.tensor.lowbit.Int8WeightOnlyLinear;
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
 * The fused weight-only candidate ({@link Int8WeightOnlyLinear}: int8 weights widened to float
 * lanes in registers, float activations) beside the float and the int8 forward of the same linear layer, on the
 * int8 targets' linear shapes: the memory-bound batch-1 4096→4096 layer and LeNet-5's fc1 at
 * batch 1 and 64. The unfused weight-only candidate (dequantize into a float buffer, then the
 * float kernel) is {@link Int8Benchmark#weightOnly}.
 * {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar WeightOnlyLinearBenchmark -p threads=1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class WeightOnlyLinearBenchmark {
    /** {@code N x in x out} (not commas: JMH splits {@code -p} values on them). */
    @Param({"1x4096x4096", "1x400x120", "64x400x120"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private Tensor x, w, b;
    private Int8Linear linear;
    private Int8WeightOnlyLinear fused;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        int[] p = java.util.Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
        int n = p[0], in = p[1], out = p[2];
        Generator g = new Generator(1);
        x = Tensor.randn(g, n, in);
        w = Tensor.randn(g, out, in).mul((float) (1 / Math.sqrt(in)));
        b = Tensor.randn(g, out).mul(0.1f);
        byte[] q = Int8Benchmark.quantizeRows(w, out);
        float[] s = Int8Benchmark.rowScales(w, out);
        linear = Int8Linear.pack(q, out, in, s, Int8Benchmark.inputOf(x), b.toArray(), false);
        fused = Int8WeightOnlyLinear.pack(q, out, in, s, b.toArray());
    }

    @Benchmark
    public Tensor float32() {
        try (var scope = Tensor.noGrad()) {
            return Functional.linear(x, w, b);
        }
    }

    @Benchmark
    public Tensor int8() {
        return linear.apply(x);
    }

    @Benchmark
    public Tensor weightOnlyFused() {
        return fused.apply(x);
    }
}
