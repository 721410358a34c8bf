package dev.tersor.bench;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
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
 * conv2d forward, and forward plus a backward producing input, weight and bias gradients, on
 * the typical CNN shapes of the performance targets (3×3, padding 1).
 * {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar Conv2dBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class Conv2dBenchmark {
    /** batch×in→out×hw: the three target shapes, and a LeNet and a ResNet stage-3 layer. */
    @Param({"64x3x64x32", "128x16x16x32", "1x256x256x14", "64x6x16x14", "128x64x64x8"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private Tensor x, w, b, ones;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        int n = Integer.parseInt(p[0]), c = Integer.parseInt(p[1]), k = Integer.parseInt(p[2]), hw = Integer.parseInt(p[3]);
        Generator g = new Generator(1);
        Parallel.setThreads(threads);
        x = Tensor.randn(g, n, c, hw, hw).requiresGrad(true);
        w = Tensor.randn(g, k, c, 3, 3).mul(0.1f).requiresGrad(true);
        b = Tensor.randn(g, k).requiresGrad(true);
        ones = Tensor.ones(n, k, hw, hw);
    }

    @Benchmark
    public Tensor forward() {
        try (var scope = Tensor.noGrad()) {
            return Functional.conv2d(x, w, b, Conv2dOptions.of(1, 1));
        }
    }

    @Benchmark
    public Tensor forwardBackward() {
        x.zeroGrad();
        w.zeroGrad();
        b.zeroGrad();
        Tensor y = Functional.conv2d(x, w, b, Conv2dOptions.of(1, 1));
        y.backward(ones);
        return w.grad();
    }
}
