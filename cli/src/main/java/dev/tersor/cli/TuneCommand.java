package dev.tersor.cli;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.loss.Reduction;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.backend.PlanDecision;
import dev.tersor.tensor.backend.PlanMode;
import dev.tersor.tensor.backend.Plans;
import dev.tersor.compress.io.CompressedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor tune --model M [--weights W] [--batch N] [--threads T]}: measures the kernel plans
 * of a zoo model's layers on this machine ahead of time (of a compressed model file's inference,
 * its integer layers' paths included, with {@code --weights}). One forward and backward pass (a
 * forward, for a compressed file) on random data
 * warms the JIT with the heuristic plans; three more run in measure mode, where each GEMM and
 * convolution shape not yet in the plan cache times its candidates on its third call and keeps
 * the fastest. It
 * prints, per shape, the plan chosen, why, and each candidate's best time, and writes the plan
 * cache ({@link Plans#file()}), which later runs read in the default {@code cached} mode.
 */
@Command(name = "tune", mixinStandardHelpOptions = true,
        description = "Measure the kernel plans (GEMM blocking, convolution algorithm, thread split, int8 path) of a model's layers"
                + " on this machine and write them to the plan cache.")
final class TuneCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "M", description = "Zoo model (may be left out when --weights names it).")
    String model;

    @Option(names = "--weights", paramLabel = "W",
            description = "Weights or a compressed model file: a compressed file tunes its inference (forward only, its integer layers included).")
    Path weights;

    @Option(names = "--batch", paramLabel = "N", description = "Batch size (default: the model's recipe).")
    Integer batch;

    @Option(names = "--threads", paramLabel = "T", description = "Threads to tune for (default: the current count).")
    Integer threads;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the weights and the random data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        if (weights != null) Models.existingFile(cl, "--weights", weights);
        ModelInfo info = Models.info(cl, model, weights);
        boolean inference = weights != null && CompressedModel.isCompressed(weights);
        int n = batch != null ? batch : info.recipe().batch();
        if (n < 1) throw new ParameterException(cl, "--batch must be a positive integer, got " + n);
        PrintWriter out = cl.getOut();
        PlanMode saved = Plans.mode();
        try (Threads t = Threads.use(cl, threads)) {
            Rng.manualSeed(seed);
            Module net = weights == null ? info.create() : Models.load(info, weights);
            if (inference) net.eval();
            else net.train();
            int[] shape = new int[info.inputShape().length + 1];
            shape[0] = n;
            System.arraycopy(info.inputShape(), 0, shape, 1, info.inputShape().length);
            Generator g = new Generator(seed);
            Tensor x = Tensor.randn(g, shape);
            Runnable pass = inference ? () -> forward(net, x) : () -> {
                net.zeroGrad();
                Tensor y = net.call(x);
                Tensor loss = info.isClassifier()
                        ? Losses.crossEntropy(y, Tensor.randint(new Generator(seed), 0, y.shape()[1], n))
                        : Losses.l1(y, Tensor.zeros(y.shape()), Reduction.MEAN);
                loss.backward();
            };
            Plans.setMode(PlanMode.HEURISTIC);
            pass.run();   // warm-up: compiles the kernels, so the timings below are not JIT time
            Plans.setMode(PlanMode.MEASURE);
            Plans.clearDecisions();
            for (int i = 0; i < Plans.MEASURE_ON_CALL; i++) pass.run();   // a new shape is measured on its third call
            List<PlanDecision> decisions = Plans.decisions();
            out.printf("tersor tune: %s%s, batch %d, %d threads; plan cache %s%n", info.name(), inference ? " (compressed file, inference)" : "",
                    n, Parallel.threads(), Plans.file());
            print(out, decisions);
            Plans.save();
            long measured = decisions.stream().filter(d -> d.source().equals("measured")).count();
            out.printf("%d shapes planned (%d measured now); written to %s%n", decisions.size(), measured, Plans.file());
            if (inside(decisions) > 0) {
                out.printf("(%d shapes ran inside parallel tasks, on one thread each, with the built-in plan)%n", inside(decisions));
            }
        } finally {
            Plans.setMode(saved);
        }
        out.flush();
        return 0;
    }

    @SuppressWarnings("try")
    private static void forward(Module net, Tensor x) {
        try (var scope = Tensor.noGrad()) {
            net.call(x);
        }
    }

    private static long inside(List<PlanDecision> decisions) {
        return decisions.stream().filter(d -> d.source().equals("heuristic")).count();
    }

    /** Measured and cached shapes in full; the built-in plans of calls inside parallel tasks as a count. */
    private static void print(PrintWriter out, List<PlanDecision> decisions) {
        for (PlanDecision d : decisions) {
            if (d.source().equals("heuristic")) continue;
            out.printf("%s  %s%n  chose %s (%s)%n", d.op(), d.shape(), d.chosen(), d.source() + ": " + d.reason());
            for (int i = 0; i < d.nanos().size(); i++) {
                long ns = d.nanos().get(i);
                out.printf("    %10s  %s%n", ns < 0 ? "not timed" : String.format("%.3f ms", ns / 1e6), d.candidates().get(i));
            }
        }
    }
}
