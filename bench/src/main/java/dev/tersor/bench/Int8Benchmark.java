package dev.tersor.bench;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.lowbit.Int8Conv2d;
import dev.tersor.tensor.lowbit.Int8Input;
import dev.tersor.tensor.lowbit.Int8Linear;
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
 * Int8 inference ({@link Int8Conv2d}, {@link Int8Linear}: quantizing the float input is part of
 * each call) against the float forward of the same layer ({@code Functional.conv2d},
 * {@code Functional.linear}, no grad), on the shapes of the int8 targets: the compute-bound
 * 3×3 256→256 convolution at 14×14, the memory-bound batch-1 4096→4096 linear layer, LeNet-5's
 * layers and ResNet-20's 3×3 stages (batch 1 and 64). A third candidate, {@code weightOnly},
 * keeps the int8 weights and dequantizes them on every call ({@code w·s} per output row, into a
 * reused float buffer) before the float kernel: the weight-only scheme, with the activations in
 * float.
 * {@code java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar Int8Benchmark -p threads=1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class Int8Benchmark {
    /** {@code conv:N,C,K,HW,k,pad} (stride 1) or {@code linear:N,in,out}. */
    @Param({"conv:1,256,256,14,3,1", "linear:1,4096,4096",
            "conv:1,1,6,28,5,2", "conv:1,6,16,14,5,0", "linear:1,400,120",
            "conv:64,1,6,28,5,2", "conv:64,6,16,14,5,0", "linear:64,400,120",
            "conv:1,16,16,32,3,1", "conv:1,32,32,16,3,1", "conv:1,64,64,8,3,1",
            "conv:64,16,16,32,3,1", "conv:64,32,32,16,3,1", "conv:64,64,64,8,3,1"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private Tensor x, w, b;
    private Conv2dOptions options;
    private Int8Conv2d conv;
    private Int8Linear linear;
    /** The weight-only candidate's int8 weights, their row scales and its dequantized float buffer. */
    private byte[] q;
    private float[] scales;
    private Tensor dequantized;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        String[] kind = shape.split(":");
        int[] p = java.util.Arrays.stream(kind[1].split(",")).mapToInt(Integer::parseInt).toArray();
        Generator g = new Generator(1);
        if (kind[0].equals("conv")) {
            int n = p[0], c = p[1], k = p[2], hw = p[3], ks = p[4];
            options = Conv2dOptions.of(1, p[5]);
            x = Tensor.randn(g, n, c, hw, hw);
            w = Tensor.randn(g, k, c, ks, ks).mul((float) (1 / Math.sqrt(c * ks * ks)));
            b = Tensor.randn(g, k).mul(0.1f);
            conv = Int8Conv2d.pack(quantizeRows(w, k), w.shape(), options, rowScales(w, k), inputOf(x), b.toArray(), false);
            weightOnly(w, k);
        } else {
            int n = p[0], in = p[1], out = p[2];
            x = Tensor.randn(g, n, in);
            w = Tensor.randn(g, out, in).mul((float) (1 / Math.sqrt(in)));
            b = Tensor.randn(g, out).mul(0.1f);
            linear = Int8Linear.pack(quantizeRows(w, out), out, in, rowScales(w, out), inputOf(x), b.toArray(), false);
            weightOnly(w, out);
        }
    }

    @Benchmark
    public Tensor float32() {
        try (var scope = Tensor.noGrad()) {
            return conv != null ? Functional.conv2d(x, w, b, options) : Functional.linear(x, w, b);
        }
    }

    @Benchmark
    public Tensor int8() {
        return conv != null ? conv.apply(x) : linear.apply(x);
    }

    /** Int8 weights dequantized on the fly: {@code w·s[row]} into the float buffer, then the float kernel. */
    @Benchmark
    public Tensor weightOnly() {
        float[] d = dequantized.data();
        int per = q.length / scales.length;
        for (int r = 0; r < scales.length; r++) {
            float sr = scales[r];
            for (int i = r * per, end = i + per; i < end; i++) d[i] = q[i] * sr;
        }
        dequantized.markModified();
        try (var scope = Tensor.noGrad()) {
            return conv != null ? Functional.conv2d(x, dequantized, b, options) : Functional.linear(x, dequantized, b);
        }
    }

    private void weightOnly(Tensor w, int rows) {
        q = quantizeRows(w, rows);
        scales = rowScales(w, rows);
        dequantized = Tensor.zeros(w.shape());
    }

    /** Symmetric per-row scales {@code max|w_r| / 127}. */
    static float[] rowScales(Tensor w, int rows) {
        float[] v = w.toArray();
        int per = v.length / rows;
        float[] s = new float[rows];
        for (int r = 0; r < rows; r++) {
            float m = 0;
            for (int i = 0; i < per; i++) m = Math.max(m, Math.abs(v[r * per + i]));
            s[r] = m > 0 ? m / 127f : 1f;
        }
        return s;
    }

    static byte[] quantizeRows(Tensor w, int rows) {
        float[] v = w.toArray(), s = rowScales(w, rows);
        int per = v.length / rows;
        byte[] q = new byte[v.length];
        for (int i = 0; i < v.length; i++) q[i] = (byte) Math.max(-127, Math.min(127, Math.rint(v[i] / s[i / per])));
        return q;
    }

    static Int8Input inputOf(Tensor x) {
        float m = 0;
        for (float v : x.toArray()) m = Math.max(m, Math.abs(v));
        return Int8Input.int8(m / 127f, 0);
    }
}
