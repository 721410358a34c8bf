package dev.tersor.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One benchmark of {@code tersor bench suite}: the {@code tersor} command that times it
 * in-process, the anchor script that times the same work in numpy or PyTorch, and which number of
 * the two JSON reports is compared ({@link Metric}).
 *
 * @param id         short name for {@code --only} and the JSON ({@code gemm-1024})
 * @param label      what the table calls it ({@code SGEMM 1024³})
 * @param tersorArgs the {@code tersor} arguments without {@code --threads} and the timing flags
 * @param anchor     the anchor, or null for none
 * @param metric     what is compared
 * @param flops      floating-point operations per timed call (0: no GFLOP/s column)
 */
record SuiteCase(String id, String label, List<String> tersorArgs, Anchor anchor, Metric metric, double flops) {

    SuiteCase {
        tersorArgs = List.copyOf(tersorArgs);
    }

    /**
     * A script under {@code bench/anchors/} run by Debian's python: {@code python3 SCRIPT ARGS
     * --threads T} plus the timing flags for {@link Metric#MEDIAN_CALL}.
     *
     * @param library the Python library it needs ({@code numpy} or {@code torch})
     */
    record Anchor(String library, String script, List<String> args) {
        Anchor {
            args = List.copyOf(args);
        }
    }

    /** The number a report is reduced to, in milliseconds. */
    enum Metric {
        /** {@code median_ms} of a timed call (the bench commands and the timing.py anchors). */
        MEDIAN_CALL,
        /** {@code 1000 × epoch_seconds[0]}: one training pass over the data (tersor train, the LeNet-5 anchor). */
        FIRST_EPOCH;

        /** The report's value in ms; throws {@link IllegalArgumentException} naming the missing field. */
        double millis(Map<String, Object> report) {
            String field = this == MEDIAN_CALL ? "median_ms" : "epoch_seconds";
            Object v = report.get(field);
            if (this == FIRST_EPOCH && v instanceof List<?> l && !l.isEmpty()) v = l.get(0);
            if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < 0) {
                throw new IllegalArgumentException("the report has no usable " + field + " (got " + v + ")");
            }
            return this == MEDIAN_CALL ? n.doubleValue() : 1000 * n.doubleValue();
        }
    }

    /** The full {@code tersor} argument list for {@code threads}. */
    List<String> tersorCommand(int threads, SuitePlan plan) {
        List<String> a = new ArrayList<>(tersorArgs);
        a.add("--threads");
        a.add(Integer.toString(threads));
        if (metric == Metric.MEDIAN_CALL) a.addAll(plan.timingArgs());
        return a;
    }

    /** The anchor's arguments after the script for {@code threads}; null without an anchor. */
    List<String> anchorArgs(int threads, SuitePlan plan) {
        if (anchor == null) return null;
        List<String> a = new ArrayList<>(anchor.args());
        a.add("--threads");
        a.add(Integer.toString(threads));
        if (metric == Metric.MEDIAN_CALL) a.addAll(plan.timingArgs());
        return a;
    }

    /**
     * The cases of issue 13: SGEMM 512³ and 1024³, three 3×3 (pad 1) convolutions forward +
     * backward, LeNet-5's MNIST epoch on {@code mnist} (null: left out) and ResNet-20's (CIFAR,
     * [128, 3, 32, 32]) training step. Outputs of the epoch runs go to {@code scratch}.
     */
    static List<SuiteCase> standard(Path mnist, String mnistLabel, Path scratch) {
        List<SuiteCase> cases = new ArrayList<>();
        for (int n : new int[] {512, 1024}) {
            String size = Integer.toString(n);
            cases.add(new SuiteCase("gemm-" + n, "SGEMM " + n + "³", List.of("bench", "gemm", "--size", size, "--json"),
                    new Anchor("numpy", "numpy_gemm.py", List.of("--size", size)), Metric.MEDIAN_CALL, 2.0 * n * n * n));
        }
        int[][] convs = {{64, 3, 64, 32}, {128, 16, 16, 32}, {1, 256, 256, 14}};   // N, C, K, H
        for (int[] c : convs) {
            List<String> shape = List.of("--batch", Integer.toString(c[0]), "--in", Integer.toString(c[1]),
                    "--out", Integer.toString(c[2]), "--hw", Integer.toString(c[3]), "--kernel", "3", "--pad", "1", "--backward");
            List<String> t = new ArrayList<>(List.of("bench", "conv2d"));
            t.addAll(shape);
            t.add("--json");
            double flops = 3 * 2.0 * c[0] * c[2] * c[1] * 9 * c[3] * c[3];
            cases.add(new SuiteCase(String.format(Locale.ROOT, "conv-n%d-%d-%d", c[0], c[1], c[2]),
                    String.format(Locale.ROOT, "conv fwd+bwd N%d %d→%d %d×%d", c[0], c[1], c[2], c[3], c[3]), t,
                    new Anchor("torch", "torch_conv2d.py", shape), Metric.MEDIAN_CALL, flops));
        }
        if (mnist != null) {
            String dir = mnist.toString();
            cases.add(new SuiteCase("lenet5-epoch", "LeNet-5 epoch, " + mnistLabel,
                    List.of("train", "--model", "lenet5", "--data", dir, "--dataset", "mnist", "--epochs", "1",
                            "--out", scratch.resolve("lenet5-tersor.safetensors").toString(), "--json"),
                    new Anchor("torch", "torch_lenet5_mnist.py", List.of("--data", dir, "--epochs", "1",
                            "--out", scratch.resolve("lenet5-torch.safetensors").toString())),
                    Metric.FIRST_EPOCH, 0));
        }
        cases.add(new SuiteCase("resnet20-step", "ResNet-20 train step N128",
                List.of("bench", "train-step", "--model", "resnet20", "--batch", "128", "--json"),
                new Anchor("torch", "torch_train_step.py", List.of("--model", "resnet20", "--batch", "128")),
                Metric.MEDIAN_CALL, 0));
        return cases;
    }
}
