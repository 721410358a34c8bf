package dev.tersor.cli;

import dev.tersor.tensor.Generator;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.Parallel;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tersor demo}: a few-second self-check of the engine. A 2-layer MLP written with plain
 * tensor ops learns an XOR-like task (four Gaussian blobs at (±1, ±1); class 1 where the signs
 * differ) with full-batch SGD, then is scored on a held-out set. Deterministic for a seed.
 * <pre>
 *   h      = tanh(x·W1 + b1)          x [n, 2], W1 [2, H], b1 [H]
 *   logits = h·W2 + b2                W2 [H, 2], b2 [2]
 *   loss   = −mean(Σ onehot ⊙ logSoftmax(logits))
 * </pre>
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train a tiny MLP on an XOR-like task with autograd and SGD; print the accuracy.")
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--steps", defaultValue = "200", description = "SGD steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--hidden", defaultValue = "16", description = "Hidden units (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--lr", defaultValue = "0.5", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for data and weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "T", description = "Threads for parallel kernels.")
    Integer threads;

    @Override
    public Integer call() {
        if (steps < 1) throw new ParameterException(spec.commandLine(), "--steps must be >= 1, got " + steps);
        if (hidden < 1) throw new ParameterException(spec.commandLine(), "--hidden must be >= 1, got " + hidden);
        if (!(lr > 0) || Float.isInfinite(lr)) throw new ParameterException(spec.commandLine(), "--lr must be > 0, got " + lr);
        if (threads != null && threads < 1) throw new ParameterException(spec.commandLine(), "--threads must be >= 1, got " + threads);
        int previousThreads = Parallel.threads();
        if (threads != null) Parallel.setThreads(threads);
        try {
            return train(spec.commandLine().getOut());
        } finally {
            Parallel.setThreads(previousThreads);
        }
    }

    @SuppressWarnings("try")   // scopes held for their effect on close
    private int train(PrintWriter out) {
        long t0 = System.nanoTime();

        Generator g = new Generator(seed);
        Tensor[] train = blobs(g, 256);
        Tensor[] test = blobs(g, 1024);
        Tensor w1 = Tensor.randn(g, 2, hidden).mul((float) Math.sqrt(1.0 / 2)).requiresGrad(true);
        Tensor b1 = Tensor.zeros(hidden).requiresGrad(true);
        Tensor w2 = Tensor.randn(g, hidden, 2).mul((float) Math.sqrt(1.0 / hidden)).requiresGrad(true);
        Tensor b2 = Tensor.zeros(2).requiresGrad(true);
        Tensor[] params = {w1, b1, w2, b2};

        out.printf("tersor demo: 2-layer MLP (2 → %d → 2, tanh) on XOR-like blobs, full-batch SGD (lr %s)%n", hidden, lr);
        out.println("   step     loss");
        float loss = Float.NaN;
        for (int step = 1; step <= steps; step++) {
            Tensor l = loss(forward(train[0], w1, b1, w2, b2), train[1]);
            loss = l.item();
            if (step == 1 || step % Math.max(1, steps / 4) == 0 || step == steps) {
                out.printf(Locale.ROOT, "  %5d   %.4f%n", step, loss);
            }
            l.backward();
            try (var noGrad = Tensor.noGrad()) {
                for (Tensor p : params) {
                    p.addInPlace(p.grad(), -lr);
                    p.zeroGrad();
                }
            }
        }
        double accuracy;
        try (var noGrad = Tensor.noGrad()) {
            IntTensor predicted = forward(test[0], w1, b1, w2, b2).argmax(1, false);
            IntTensor labels = test[1].argmax(1, false);
            accuracy = 100.0 * predicted.countEqual(labels) / labels.numel();
        }
        double seconds = (System.nanoTime() - t0) * 1e-9;
        out.printf(Locale.ROOT, "  %-11s %d%n", "steps", steps);
        out.printf(Locale.ROOT, "  %-11s %.4f%n", "final loss", loss);
        out.printf(Locale.ROOT, "  %-11s %.2f%% of %d held-out points%n", "accuracy", accuracy, test[1].size(0));
        out.printf(Locale.ROOT, "  %-11s %s%n", "backend", Backends.current().name());
        out.printf(Locale.ROOT, "  %-11s %d%n", "threads", Parallel.threads());
        out.printf(Locale.ROOT, "  %-11s %.2f%n", "seconds", seconds);
        out.printf(Locale.ROOT, "accuracy: %.2f%%%n", accuracy);
        out.flush();
        return 0;
    }

    private static Tensor forward(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
        return x.matmul(w1).add(b1).tanh().matmul(w2).add(b2);
    }

    private static Tensor loss(Tensor logits, Tensor onehot) {
        return logits.logSoftmax(1).mul(onehot).sum().mul(-1f / logits.size(0));
    }

    /** {@code n} points around (±1, ±1) with σ = 0.35, and one-hot labels (1 where the signs differ). */
    private static Tensor[] blobs(Generator g, int n) {
        float[] x = new float[2 * n];
        float[] y = new float[2 * n];
        for (int i = 0; i < n; i++) {
            float sx = g.nextFloat() < 0.5f ? -1f : 1f;
            float sy = g.nextFloat() < 0.5f ? -1f : 1f;
            x[2 * i] = sx + 0.35f * g.nextGaussian();
            x[2 * i + 1] = sy + 0.35f * g.nextGaussian();
            y[2 * i + (sx == sy ? 0 : 1)] = 1f;
        }
        return new Tensor[] {Tensor.fromArray(x, n, 2), Tensor.fromArray(y, n, 2)};
    }
}
