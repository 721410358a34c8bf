package dev.tersor.cli;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.Summary;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.loss.Reduction;
import dev.tersor.nn.optim.Optimizer;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor bench train-step --model M --batch B}: one full training step of a zoo model on
 * random data of its input shape, in training mode: {@code zeroGrad}, forward, loss
 * (cross entropy against random labels; L1 against a random target for super-resolution
 * models), backward, and the optimizer step of the model's recipe (no schedule).
 * {@code gflops} counts 3 × 2 × MACs per sample (forward, and twice that for backward). A batch
 * that cannot fit the heap is refused before anything batch-sized is allocated
 * ({@link MemoryEstimate#trainStep}).
 */
@Command(name = "train-step", mixinStandardHelpOptions = true,
        description = "Time one training step (forward, loss, backward, optimizer step) of a zoo model on random data.")
final class TrainStepBench implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BenchOptions opts;

    @Option(names = "--model", required = true, paramLabel = "M", description = "Zoo model.")
    String model;

    @Option(names = "--batch", paramLabel = "B", description = "Batch size (default: the model's recipe).")
    Integer batch;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the weights and the random data (default: ${DEFAULT-VALUE}).")
    long seed;

    @SuppressWarnings("try")
    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        ModelInfo info = Models.info(cl, model);
        int n = batch != null ? batch : info.recipe().batch();
        if (n < 1) throw new ParameterException(cl, "--batch must be a positive integer, got " + n);
        opts.validate(cl);
        PrintWriter err = cl.getErr();
        Map<String, Object> record = new LinkedHashMap<>();
        try (var applied = opts.apply()) {
            Rng.manualSeed(seed);
            Module net = info.create();
            Summary summary = Summary.of(net, info.inputShape());
            long macs = summary.totalMacs();
            int[] shape = new int[info.inputShape().length + 1];
            shape[0] = 1;
            System.arraycopy(info.inputShape(), 0, shape, 1, info.inputShape().length);
            int[] outShape;
            try (var ng = Tensor.noGrad()) {
                outShape = net.eval().call(Tensor.zeros(shape)).shape();   // of one sample: [1, ...]
            }
            long targetBytes = info.isClassifier() ? Integer.BYTES : Float.BYTES * ForwardBench.sampleElements(outShape);
            shape[0] = n;
            outShape[0] = n;
            long buffers = 0;
            for (Tensor t : net.namedBuffers().values()) buffers += t.numel();
            MemoryEstimate.trainStep(net.parameterCount(), MemoryEstimate.stateSlots(info.recipe().optimizer(),
                    info.recipe().momentum()), buffers, ForwardBench.sampleElements(info.inputShape()), targetBytes,
                    summary.rows(), n).requireFits(cl);
            net.train();
            Optimizer<?> opt = Training.optimizer(info.recipe(), net);
            Generator g = new Generator(seed);
            Tensor x = Tensor.randn(g, shape);
            IntTensor labels = info.isClassifier() ? Tensor.randint(g, 0, outShape[1], n) : null;
            Tensor target = info.isClassifier() ? null : Tensor.rand(g, outShape).mul(255f);
            err.printf("tersor bench train-step: %s, batch %d, input %s, %s%n", info.name(), n,
                    java.util.Arrays.toString(shape), info.recipe().optimizer());
            Runnable step = () -> {
                opt.zeroGrad();
                Tensor out = net.call(x);
                Tensor loss = labels != null ? Losses.crossEntropy(out, labels) : Losses.l1(out, target, Reduction.MEAN);
                loss.backward();
                opt.step();
            };
            Timing.Result r = Timing.run(opts.plan(), null, step, err);
            record.put("bench", "train-step");
            record.put("model", info.name());
            record.put("batch", n);
            record.put("input_shape", InfoCommand.ints(info.inputShape()));
            record.put("optimizer", info.recipe().optimizer());
            record.put("macs_per_sample", macs);
            record.putAll(BenchCommand.environment());
            BenchCommand.putTiming(record, r, 6.0 * macs * n);
            record.put("images_per_s", BenchCommand.round(n / (r.medianMs() / 1e3), 1));
        }
        BenchCommand.print(cl.getOut(), opts.json, "train-step " + info.name() + ", batch " + n, record);
        return 0;
    }
}
