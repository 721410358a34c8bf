package dev.tersor.cli;

import dev.tersor.compress.convert.Conversion;
import dev.tersor.compress.ptq.Calibration;
import dev.tersor.compress.ptq.ObserverKind;
import dev.tersor.compress.ptq.PtqConfig;
import dev.tersor.compress.ptq.PtqResult;
import dev.tersor.compress.quant.BatchNormFolding;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.DataLoader;
import java.io.PrintWriter;
import java.util.Arrays;
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
 * {@code tersor compress ptq}: post-training quantization. Batch norms are folded into the
 * layers before them, the input of every Conv2d/Linear is observed on the first {@code --calib}
 * images of the training part (in order, with the model's preprocessing; the validation part
 * ({@code --val-split}, seeded by {@code --split-seed}, else {@link Holdout#SEED}) and the test split stay out), weights become per-channel
 * symmetric integers and inputs per-tensor affine integers, and the model is converted to
 * integer layers and saved.
 */
@Command(name = "ptq", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Post-training quantization: calibrate on training images, convert to integer layers, save a compressed file.",
            "Weights per-channel symmetric, inputs per-tensor affine (as torch.ao's onednn/qnnpack qconfig)."})
final class CompressPtq implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CompressOptions common;

    @Option(names = "--calib", paramLabel = "N", defaultValue = "2048", description = "Calibration images: the first N of the training split, the validation part left out (default: ${DEFAULT-VALUE}).")
    int calib;

    @Option(names = "--calib-batch", paramLabel = "B", defaultValue = "64", description = "Calibration batch size (default: ${DEFAULT-VALUE}).")
    int calibBatch;

    @Option(names = "--observer", paramLabel = "minmax|moving-average|percentile|histogram", defaultValue = "histogram",
            description = "How input ranges are chosen (default: ${DEFAULT-VALUE}, torch.ao's HistogramObserver L2 search).")
    String observer;

    @Option(names = "--wbits", paramLabel = "B", defaultValue = "8", description = "Weight bits, 2 to 8 (default: ${DEFAULT-VALUE}).")
    int wbits;

    @Option(names = "--abits", paramLabel = "B", defaultValue = "8",
            description = "Input bits, 2 to 8, or 32: weight-only, the inputs stay float (default: ${DEFAULT-VALUE}).")
    int abits;

    @Option(names = "--bias-correction", description = "Correct each layer's bias for the mean error its quantized weights cause.")
    boolean biasCorrection;

    @Option(names = "--no-fold-bn", description = "Keep batch norms as float layers instead of folding them into the layer before.")
    boolean noFold;

    @Option(names = "--layers", split = ",", paramLabel = "PATH", description = "Only these layers (dotted paths, comma-separated; default: every Conv2d and Linear).")
    List<String> layers;

    @Option(names = "--split-seed", paramLabel = "S",
            description = "Seed of the validation split (default: " + Holdout.SEED + "). Give the seed the float model was trained with"
                    + " (train --val-split F --seed S) so that the validation part holds the images it was validated on, not trained on.")
    Long splitSeed;

    @SuppressWarnings("try")
    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (calib < 1) throw new ParameterException(cl, "--calib must be >= 1, got " + calib);
        if (calibBatch < 1) throw new ParameterException(cl, "--calib-batch must be >= 1, got " + calibBatch);
        CompressOptions.bits(cl, "--wbits", wbits, 2, 8);
        if (abits != PtqConfig.WEIGHT_ONLY && (abits < 2 || abits > 8)) {
            throw new ParameterException(cl, "--abits must be between 2 and 8 bits, or " + PtqConfig.WEIGHT_ONLY + " (weight-only), got " + abits);
        }
        ObserverKind kind = observerKind(cl, observer);
        PtqConfig config;
        try {
            config = PtqConfig.defaults().withObserver(kind).withBits(wbits, abits).withBiasCorrection(biasCorrection)
                    .withLayers(layers == null ? List.of() : layers);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        }
        try (Threads t = Threads.use(cl, common.threads)) {
            CompressOptions.Setup s = common.setup(cl, splitSeed);
            Module model = s.model();
            DataLoader data = CompressOptions.firstSamples(s.info(), s.train(), calib, calibBatch);
            List<BatchNormFolding.Pair> folded = noFold ? List.of() : BatchNormFolding.fold(model, CompressOptions.sample(s));
            PrintWriter err = cl.getErr();
            if (!folded.isEmpty()) err.println("tersor compress ptq: folded " + folded.size() + " batch norms into the layers before them");
            PtqResult result = Calibration.run(model, data, config.withProgress(WriterStream.of(err)));
            Conversion.convert(model, result.layers());
            String recipe = String.format(Locale.ROOT, "ptq observer=%s wbits=%d abits=%d calib=%d bias_correction=%s fold_bn=%s weights=%s",
                    observer, wbits, abits, Math.min(calib, s.train().size()), biasCorrection, !noFold, common.weights.getFileName());
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("observer", observer);
            extra.put("wbits", wbits);
            extra.put("abits", abits);
            extra.put("calibration_samples", result.samples());
            extra.put("folded_batch_norms", folded.size());
            common.finish(cl, s, model, "int" + wbits + (config.weightOnly() ? " weight-only" : "") + " PTQ", recipe, extra);
        }
        return 0;
    }

    static ObserverKind observerKind(CommandLine cl, String name) {
        String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (ObserverKind k : ObserverKind.values()) if (k.name().equals(n)) return k;
        throw new ParameterException(cl, "--observer: unknown observer '" + name + "'; valid: "
                + String.join(", ", Arrays.stream(ObserverKind.values()).map(k -> k.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList()));
    }
}
