package dev.tersor.nn.adder;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A benchmark, not a test: {@link AdderConv2d} against {@link Conv2d} (Functional.conv2d) of
 * the same shape, forward and forward + backward, on one thread and on all of them. Each case
 * warms both layers up for three seconds (C2 compiles the Vector API kernels), then calls them
 * alternately for four seconds and prints medians and minima; the last column is adder time /
 * convolution time at the median.
 * <pre>
 * java --add-modules jdk.incubator.vector -cp nn/target/test-classes:nn/target/classes:tensor/target/classes \
 *      dev.tersor.nn.adder.AdderConvBench
 * </pre>
 * Cases: 3×3 256→256 on 14×14 with padding 1, batch 1 (the binary target shape), and
 * LeNet-5's conv2 (5×5, 6→16 on 14×14, no padding) at batch 1 and 64.
 */
public final class AdderConvBench {
    private AdderConvBench() {
    }

    record Case(String name, int batch, int in, int out, int hw, int kernel, int pad) {
    }

    public static void main(String[] args) {
        List<Case> cases = List.of(
                new Case("3x3 256->256 14x14 N1", 1, 256, 256, 14, 3, 1),
                new Case("lenet conv2 5x5 6->16 14x14 N1", 1, 6, 16, 14, 5, 0),
                new Case("lenet conv2 5x5 6->16 14x14 N64", 64, 6, 16, 14, 5, 0));
        int all = Parallel.threads();
        int[] threadCounts = all == 1 ? new int[] {1} : new int[] {1, all};
        System.out.printf(Locale.ROOT, "backend %s, Java %s, %d cpus%n", Backends.current().name(), Runtime.version(),
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%-34s %7s %-9s %11s %11s %11s %11s %8s%n", "case", "threads", "pass",
                "adder med", "adder min", "conv med", "conv min", "ratio");
        for (Case c : cases) {
            for (int threads : threadCounts) {
                Parallel.setThreads(threads);
                for (boolean backward : new boolean[] {false, true}) {
                    double[] t = time(c, backward);
                    System.out.printf(Locale.ROOT, "%-34s %7d %-9s %8.3f ms %8.3f ms %8.3f ms %8.3f ms %7.2fx%n", c.name(), threads,
                            backward ? "fwd+bwd" : "forward", t[0], t[1], t[2], t[3], t[0] / t[2]);
                }
            }
        }
        Parallel.setThreads(all);
    }

    /**
     * {adder median, adder min, conv median, conv min} in milliseconds: the two layers are
     * called alternately (after a joint warm-up), so that load from other processes hits both
     * alike.
     */
    private static double[] time(Case c, boolean backward) {
        Rng.manualSeed(1);
        Module adder = new AdderConv2d(c.in(), c.out(), c.kernel(), 1, c.pad());
        Module conv = new Conv2d(c.in(), c.out(), c.kernel(), 1, c.pad(), false);
        Tensor x = Tensor.randn(new Generator(2), c.batch(), c.in(), c.hw(), c.hw()).requiresGrad(backward);
        Runnable runAdder = () -> pass(adder, x, backward), runConv = () -> pass(conv, x, backward);
        long end = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < end) {
            runAdder.run();
            runConv.run();
        }
        List<Double> a = new ArrayList<>(), b = new ArrayList<>();
        end = System.nanoTime() + 4_000_000_000L;
        while (System.nanoTime() < end || a.size() < 5) {
            a.add(millis(runAdder));
            b.add(millis(runConv));
        }
        double[] av = sorted(a), bv = sorted(b);
        return new double[] {av[av.length / 2], av[0], bv[bv.length / 2], bv[0]};
    }

    private static void pass(Module layer, Tensor x, boolean backward) {
        if (backward) {
            layer.zeroGrad();
            x.zeroGrad();
            layer.call(x).sum().backward();
        } else {
            try (var g = Tensor.noGrad()) {
                layer.call(x);
            }
        }
    }

    private static double millis(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double[] sorted(List<Double> v) {
        double[] out = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(out);
        return out;
    }
}
