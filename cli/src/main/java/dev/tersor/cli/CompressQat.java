package dev.tersor.cli;

import dev.tersor.compress.convert.Conversion;
import dev.tersor.compress.quant.BatchNormFolding;
import dev.tersor.compress.quant.QuantConfig;
import dev.tersor.compress.quant.QuantMethod;
import dev.tersor.compress.quant.QuantReport;
import dev.tersor.compress.quant.Quantization;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Optimizer;
import dev.tersor.nn.train.LossFunction;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.zoo.Recipe;
import dev.tersor.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * {@code tersor compress qat}: quantization-aware training from float weights. Conv2d/Linear
 * layers get fake quantizers for their weights and inputs (uniform, LSQ, PACT or PAMS; first and
 * last layers stay float unless asked), the model is fine-tuned with the model's recipe (any
 * recipe flag overrides it; the quantizers' own parameters may take their own learning rate;
 * {@code --teacher M:W} distils a float teacher into the quantized model, {@link DistillOptions}),
 * optionally with batch norms folded after a chosen epoch, then converted to integer layers.
 */
@Command(name = "qat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Quantization-aware training (uniform, LSQ, PACT, PAMS), then conversion to integer layers and a compressed file."})
final class CompressQat implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CompressOptions common;

    @Mixin
    Training.RecipeOptions recipe;

    @Option(names = "--method", required = true, paramLabel = "lsq|pact|pams|uniform", description = "Quantizer.")
    String method;

    @Option(names = "--wbits", paramLabel = "B", defaultValue = "8", description = "Weight bits, 2 to 8 (default: ${DEFAULT-VALUE}).")
    int wbits;

    @Option(names = "--abits", paramLabel = "B", defaultValue = "8", description = "Input bits, 2 to 8 (default: ${DEFAULT-VALUE}).")
    int abits;

    @Option(names = "--layer-bits", paramLabel = "PATH=W:A", split = ",",
            description = "Mixed precision: bits of single layers, e.g. conv2=4:8,fc1=2:4 (quantized even when first or last).")
    List<String> layerBits;

    @Option(names = "--quantize-first", description = "Quantize the first Conv2d/Linear too (float by default).")
    boolean first;

    @Option(names = "--quantize-last", description = "Quantize the last Conv2d/Linear too (float by default).")
    boolean last;

    @Option(names = "--only", paramLabel = "REGEX",
            description = "Quantize only the Conv2d/Linear layers whose dotted path matches REGEX, first and last included (--task sr default: body\\.\\d+\\.body\\.\\d+, EDSR's residual blocks, as PAMS).")
    String only;

    @Option(names = "--quant-lr", paramLabel = "LR",
            description = "Learning rate of the quantizers' own parameters (LSQ steps, PACT/PAMS clips; default: --lr). PAMS's paper uses 100x the weights' rate.")
    Double quantLr;

    @Option(names = "--pact-lambda", paramLabel = "L", defaultValue = "2e-4", description = "PACT's L2 penalty on the clips (default: ${DEFAULT-VALUE}).")
    double pactLambda;

    @Option(names = "--fold-bn-epoch", paramLabel = "E",
            description = "Fold each batch norm into the layer before it at the start of epoch E (1 = before training; default: never).")
    Integer foldEpoch;

    @Mixin
    DistillOptions distill;

    @Mixin
    FineTune.RunOptions run;

    @Mixin
    SrTrain.Options sr;

    @SuppressWarnings("try")
    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        PrintWriter err = cl.getErr();
        QuantMethod m = method(cl);
        CompressOptions.bits(cl, "--wbits", wbits, 2, 8);
        CompressOptions.bits(cl, "--abits", abits, 2, 8);
        run.validate(cl);
        if (sr.applies(cl)) return new SrQat(this, sr).call(m, builder(cl, m));
        if (foldEpoch != null && foldEpoch < 1) throw new ParameterException(cl, "--fold-bn-epoch must be >= 1, got " + foldEpoch);
        if (foldEpoch != null && foldEpoch > 1 && run.keepBestGiven()) {
            throw new ParameterException(cl, "--keep best cannot go back across the batch-norm fold: the epochs before --fold-bn-epoch "
                    + foldEpoch + " have other weights (the batch norms); use --fold-bn-epoch 1 or --keep last");
        }
        QuantConfig config = config(cl, m);
        try (Threads t = Threads.use(cl, common.threads)) {
            CompressOptions.Setup s = common.setup(cl, run);
            Recipe r = recipe.resolve(cl, s.info().recipe(), err);
            Module model = s.model();
            DataLoader train = FineTune.loader(cl, s, r.batch(), run.seed);
            List<Quantization.Fold> folds = foldEpoch == null ? List.of() : folds(model, CompressOptions.sample(s));
            DistillOptions.Bound kt = distill.bind(cl, s, model);   // checked on the float model
            QuantReport report;
            try {
                report = Quantization.prepare(model, config);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl, e.getMessage());
            }
            err.println("tersor compress qat: " + report.quantizedPaths().size() + " layers quantized (" + String.join(", ", report.quantizedPaths())
                    + "), float: " + String.join(", ", report.floatPaths()));
            // the optimizer holds every parameter, the batch norms' too, before any fold (a resumed run's checkpoint has them all)
            Optimizer<?> opt = Training.optimizer(r, Quantization.weightParameters(model), Quantization.quantizerParameters(model),
                    quantLr != null ? quantLr : r.lr());
            if (foldEpoch != null && run.resume != null && TrainCommand.checkpointEpochs(run.resume) >= foldEpoch) {
                fold(model, folds);   // the checkpoint holds the folded model; its weights load next
            }
            LossFunction hard = DistillOptions.loss(kt, model, Losses::crossEntropy);
            LossFunction loss = m == QuantMethod.PACT ? pact(model, (float) pactLambda, hard) : hard;
            Trainer.EpochStart pams = Quantization.epochStart(model, 1);
            Trainer.EpochStart hook = (epoch, epochs) -> {
                StringBuilder line = new StringBuilder();
                if (foldEpoch != null && epoch == foldEpoch) {
                    fold(model, folds);
                    line.append("folded ").append(folds.size()).append(" batch norms");
                }
                String p = pams.starting(epoch, epochs);
                if (p != null) line.append(line.length() > 0 ? "; " : "").append(p);
                return line.length() == 0 ? null : line.toString();
            };
            Map<String, String> settings = new LinkedHashMap<>(RunSettings.record(s.info().name(), s.dataset(), r, run.seed, common.limit));
            settings.put("compress.method", m.name().toLowerCase(Locale.ROOT));
            settings.put("compress.bits", wbits + ":" + abits);
            if (kt != null) settings.put("compress.teacher", kt.teacher().spec());
            model.train();
            Trainer.Result fitted = FineTune.fit(cl, s, model, train,
                    new FineTune.Run(opt, Training.scheduler(r, opt, train.size()), loss, r.epochs(), hook, settings),
                    Path.of(common.out + ".ckpt"), run);
            DistillOptions.close(hard);
            Conversion.convert(model);
            String recipeLine = String.format(Locale.ROOT, "qat method=%s wbits=%d abits=%d layer_bits=%s first=%s last=%s only=%s %s quant_lr=%s fold_bn_epoch=%s seed=%d weights=%s",
                    m.name().toLowerCase(Locale.ROOT), wbits, abits, layerBits == null ? "" : String.join(",", layerBits), first, last, only == null ? "" : only, r,
                    quantLr != null ? quantLr : r.lr(), foldEpoch, run.seed, common.weights.getFileName())
                    + (kt == null ? "" : " " + kt.description());
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("wbits", wbits);
            extra.put("abits", abits);
            extra.put("epochs", r.epochs());
            extra.put("quantized_layers", report.quantizedPaths());
            extra.put("history", FineTune.record(fitted));
            common.finish(cl, s, model, "W" + wbits + "A" + abits + " " + m.name(), recipeLine, extra);
        }
        return 0;
    }

    private QuantMethod method(CommandLine cl) {
        for (QuantMethod q : QuantMethod.values()) if (q.name().equalsIgnoreCase(method.trim())) return q;
        throw new ParameterException(cl, "--method: unknown method '" + method + "'; valid: lsq, pact, pams, uniform");
    }

    private QuantConfig config(CommandLine cl, QuantMethod m) {
        try {
            return builder(cl, m).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        }
    }

    /** The config the flags ask for, not yet built (the SR path adds its default --only). */
    private QuantConfig.Builder builder(CommandLine cl, QuantMethod m) {
        try {
            QuantConfig.Builder b = QuantConfig.builder(m).bits(wbits, abits).quantizeFirst(first).quantizeLast(last).only(only);
            for (String spec : layerBits == null ? List.<String>of() : layerBits) {
                String[] kv = spec.split("=", -1);
                String[] wa = kv.length == 2 ? kv[1].split(":", -1) : new String[0];
                if (wa.length != 2) throw new ParameterException(cl, "--layer-bits: '" + spec + "' is not PATH=W:A (e.g. conv2=4:8)");
                try {
                    b.layer(kv[0].trim(), Integer.parseInt(wa[0].trim()), Integer.parseInt(wa[1].trim()));
                } catch (NumberFormatException e) {
                    throw new ParameterException(cl, "--layer-bits: '" + spec + "' has bits that are not integers");
                }
            }
            return b;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        }
    }

    /** Conv/BN pairs to fold later; a conv without bias gets a zero bias now, so the optimizer has every parameter from the start. */
    private static List<Quantization.Fold> folds(Module model, Tensor sample) {
        List<Quantization.Fold> out = new ArrayList<>();
        for (BatchNormFolding.Pair p : BatchNormFolding.pairs(model, sample)) {
            if (model.get(p.layer()) instanceof Conv2d c && c.bias() == null) model.replace(p.layer(), withZeroBias(c));
            out.add(new Quantization.Fold(p.layer(), p.batchNorm()));
        }
        model.train();
        return out;
    }

    /** Folds quantized pairs through their QAT layers and the float first/last layers in place; batch norms become Identity. */
    private static void fold(Module model, List<Quantization.Fold> folds) {
        List<Quantization.Fold> quantized = new ArrayList<>();
        for (Quantization.Fold f : folds) {
            Module layer = model.get(f.layer());
            if (layer instanceof Conv2d || layer instanceof dev.tersor.nn.Linear) {
                BatchNormFolding.foldInPlace(layer, model.get(f.batchNorm()));
                model.replace(f.batchNorm(), new dev.tersor.nn.Identity());
            } else {
                quantized.add(f);
            }
        }
        Quantization.foldBatchNorm(model, quantized);
    }

    private static Conv2d withZeroBias(Conv2d c) {
        int[] s = c.weight().shape();
        Conv2d copy = new Conv2d(s[1] * c.options().groups(), s[0], s[2], s[3], c.options(), true);
        copy.weight().set(c.weight().value().copy());
        copy.bias().set(Tensor.zeros(s[0]));
        return copy;
    }

    private static LossFunction pact(Module model, float lambda, LossFunction base) {
        return (out, labels) -> base.apply(out, labels).add(Quantization.pactPenalty(model, lambda));
    }
}
