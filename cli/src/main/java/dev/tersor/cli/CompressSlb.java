package dev.tersor.cli;

import dev.tersor.compress.convert.Conversion;
import dev.tersor.compress.slb.Slb;
import dev.tersor.compress.slb.SlbConfig;
import dev.tersor.compress.slb.SlbInit;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Adam;
import dev.tersor.nn.optim.ParamGroup;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.train.LossFunction;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
 * {@code tersor compress slb}: searched low-bit weights (SLB, arXiv 2009.08695). Each weight of
 * the quantized layers holds logits over the 2^b values of its grid; training uses the
 * softmax(A·T)-weighted value, the temperature T grows ×1.2 per epoch from 20% to 60% of the
 * epochs, then the argmax is used; batch norms are recalibrated for the discrete weights, and the
 * layers are saved as 2^b values plus packed b-bit indices.
 */
@Command(name = "slb", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Searched low-bit weights (SLB): 1, 2 or 4-bit weights found by a temperature-annealed softmax over each weight's grid."})
final class CompressSlb implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CompressOptions common;

    @Option(names = "--bits", paramLabel = "B", defaultValue = "2", description = "Weight bits: 1, 2 or 4 (default: ${DEFAULT-VALUE}).")
    int bits;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "5e-3", description = "Adam learning rate of biases and other parameters (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--logit-lr", paramLabel = "LR", defaultValue = "5e-2", description = "Adam learning rate of the weight logits (default: ${DEFAULT-VALUE}).")
    double logitLr;

    @Option(names = "--init", paramLabel = "from-weights|random", defaultValue = "from-weights",
            description = "Logits from the float weights (each weight starts at its nearest grid value) or the official random init (default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--batch", paramLabel = "B", description = "Batch size (default: the model's recipe).")
    Integer batch;

    @Option(names = "--recalibrate-batches", paramLabel = "N", defaultValue = "100",
            description = "Training batches for the batch-norm recalibration with the discrete weights (default: ${DEFAULT-VALUE}).")
    int recalibrate;

    @Mixin
    DistillOptions distill;

    @Mixin
    FineTune.RunOptions run;

    @SuppressWarnings("try")
    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (bits != 1 && bits != 2 && bits != 4) throw new ParameterException(cl, "--bits must be 1, 2 or 4, got " + bits);
        if (epochs < 1) throw new ParameterException(cl, "--epochs must be >= 1, got " + epochs);
        if (recalibrate < 1) throw new ParameterException(cl, "--recalibrate-batches must be >= 1, got " + recalibrate);
        for (double v : new double[] {lr, logitLr}) {
            if (!(v > 0) || Double.isInfinite(v)) throw new ParameterException(cl, "--lr and --logit-lr must be finite numbers > 0, got " + v);
        }
        SlbInit start = switch (init.trim().toLowerCase(Locale.ROOT)) {
            case "from-weights" -> SlbInit.FROM_WEIGHTS;
            case "random" -> SlbInit.RANDOM;
            default -> throw new ParameterException(cl, "--init: unknown '" + init + "'; valid: from-weights, random");
        };
        SlbConfig config;
        try {
            config = SlbConfig.bits(bits).withInit(start);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        }
        run.validate(cl);
        try (Threads t = Threads.use(cl, common.threads)) {
            CompressOptions.Setup s = common.setup(cl, run);
            DistillOptions.Bound kt = distill.bind(cl, s, s.model());   // checked on the float model
            Module model = Slb.prepare(s.model(), config);
            int b = batch != null ? batch : s.info().recipe().batch();
            DataLoader train = FineTune.loader(cl, s, b, run.seed);
            Adam.Options base = Adam.options().lr(lr).build();
            Adam adam = new Adam(List.of(new ParamGroup<>(Slb.otherParameters(model), base),
                    new ParamGroup<>(Slb.logitParameters(model), base.withLr(logitLr))));
            Map<String, String> settings = Map.of("compress.method", "slb", "compress.bits", Integer.toString(bits), "compress.seed",
                    Long.toString(run.seed));
            model.train();
            LossFunction loss = DistillOptions.loss(kt, model, Losses::crossEntropy);
            Trainer.Result fitted = FineTune.fit(cl, s, model, train,
                    new FineTune.Run(adam, null, loss, epochs, Slb.temperatureHook(model, epochs), settings),
                    Path.of(common.out + ".ckpt"), run);
            DistillOptions.close(loss);
            int recalibrated = Slb.recalibrateBatchNorm(model, train, recalibrate);
            Conversion.convert(model);
            String recipe = String.format(Locale.ROOT, "slb bits=%d epochs=%d adam_lr=%s logit_lr=%s init=%s batch=%d recalibrated_bn=%d seed=%d weights=%s",
                    bits, epochs, lr, logitLr, init, b, recalibrated, run.seed, common.weights.getFileName()) + (kt == null ? "" : " " + kt.description());
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("bits", bits);
            extra.put("epochs", epochs);
            extra.put("history", FineTune.record(fitted));
            common.finish(cl, s, model, bits + "-bit SLB", recipe, extra);
        }
        return 0;
    }
}
