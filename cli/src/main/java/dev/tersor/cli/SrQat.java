package dev.tersor.cli;

import dev.tersor.compress.convert.Conversion;
import dev.tersor.compress.distill.SrDistillation;
import dev.tersor.compress.io.CompressedModel;
import dev.tersor.compress.quant.PamsEdsr;
import dev.tersor.compress.quant.QuantConfig;
import dev.tersor.compress.quant.QuantMethod;
import dev.tersor.compress.quant.QuantReport;
import dev.tersor.compress.quant.Quantization;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.optim.LrScheduler;
import dev.tersor.nn.optim.Optimizer;
import dev.tersor.nn.optim.StepLr;
import dev.tersor.nn.sr.PatchLoader;
import dev.tersor.nn.sr.PatchPairs;
import dev.tersor.nn.sr.PatchSpec;
import dev.tersor.nn.sr.SrEvaluation;
import dev.tersor.nn.sr.SrTrainer;
import dev.tersor.nn.sr.Upscaler;
import dev.tersor.nn.train.Checkpoint;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.nn.zoo.Recipe;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * {@code tersor compress qat --task sr}: quantization-aware training of a super-resolution model
 * from its float weights, PAMS's way by default ({@link PamsEdsr}: the residual blocks'
 * convolutions quantized, Adam at 1e-4 with the clips at 1e-2, the clips set by an EMA in the
 * first epoch, the rate halved every 10 epochs, 30 epochs of 1000 iterations, batch 16), with
 * {@code --teacher M:W} adding PAMS's SKT loss ({@link SrDistillation}: L1 + {@code --at-weight}·AT
 * on the tail input). After training the model is converted to integer layers and written as a
 * compressed file that {@code tersor eval --task sr} and {@code upscale} load; the float and the
 * quantized model are scored on {@code --val} beside bicubic.
 * <pre>{@code
 * tersor compress qat --task sr --model edsr --weights edsr-x2.safetensors --method pams --wbits 4 --abits 4 \
 *     --teacher edsr:edsr-x2.safetensors --data data/sr-photos --val data/sr-eval --out edsr-x2-w4a4.safetensors
 * }</pre>
 */
final class SrQat {
    /** PAMS's {@code main.py}/{@code option.py}: Adam 1e-4, step schedule, 30 epochs, batch 16. */
    static final Recipe PAMS_RECIPE = new Recipe("adam", PamsEdsr.LR, 0, 0, "step", PamsEdsr.EPOCHS, 16);
    private static final List<String> CLASSIFY_ONLY = List.of("--dataset", "--limit", "--val-split", "--keep", "--fold-bn-epoch", "--pact-lambda",
            "--alpha", "--temperature", "--at-layers");
    private final CompressQat q;
    private final SrTrain.Options o;

    SrQat(CompressQat command, SrTrain.Options sr) {
        this.q = command;
        this.o = sr;
    }

    @SuppressWarnings("try")
    Integer call(QuantMethod method, QuantConfig.Builder config) throws IOException {
        CommandLine cl = q.spec.commandLine();
        PrintWriter err = cl.getErr();
        for (String flag : CLASSIFY_ONLY) {
            if (cl.getParseResult().hasMatchedOption(flag)) throw new ParameterException(cl, flag + " is for classifiers; compress qat --task sr does not take it");
        }
        if (q.common.data == null) throw new ParameterException(cl, "--task sr needs --data D, a folder of HR training images");
        Models.existingFile(cl, "--weights", q.common.weights);
        if (q.run.resume != null) Models.existingFile(cl, "--resume", q.run.resume);
        ModelInfo info = SrModels.info(cl, q.common.model, q.common.weights);
        int scale = SrModels.resolveScale(cl, info, o.scale, q.common.weights);
        String architecture = SrModels.architecture(cl, info, scale);
        Recipe r = q.recipe.resolve(cl, PAMS_RECIPE, err);
        int patch = o.patch(cl, scale, 48 * scale);
        int iterations = o.iterations(cl, 1000);
        int decay = o.decay(cl, PamsEdsr.DECAY_EPOCHS);
        int tile = o.tile(cl);
        q.distill.validate(cl);
        double atWeight = q.distill.atWeight;
        if (q.quantLr != null && !(q.quantLr > 0 && Double.isFinite(q.quantLr))) throw new ParameterException(cl, "--quant-lr must be > 0, got " + q.quantLr);
        if (q.only == null) config.only(PamsEdsr.BLOCK_CONVOLUTIONS);
        Models.outputFile(cl, "--out", q.common.out);
        Path ckpt = Path.of(q.common.out + ".ckpt");

        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("task", "sr-qat");
        settings.put("model", info.name());
        settings.put("scale", Integer.toString(scale));
        settings.put("method", method.name().toLowerCase(Locale.ROOT));
        settings.put("bits", q.wbits + ":" + q.abits);
        settings.put("teacher", q.distill.teacher == null ? "" : q.distill.teacher);
        settings.put("patch", Integer.toString(patch));
        settings.put("iterations_per_epoch", Integer.toString(iterations));
        settings.put("batch", Integer.toString(r.batch()));
        settings.put("seed", Long.toString(q.run.seed));
        if (q.run.resume != null) requireSame(cl, Checkpoint.runInfo(q.run.resume), settings);

        try (Threads t = Threads.use(cl, q.common.threads)) {
            PatchSpec spec = new PatchSpec(scale, patch, true);
            SrTrain.Folders folders = SrTrain.Folders.load(err, q.common.data, o.val, spec);
            Module student = loadFloat(cl, info, scale, q.common.weights, "--weights");
            Tensor sample = Tensor.zeros(1, 3, 12, 12);
            QuantReport report;
            try {
                report = Quantization.prepare(student, config.build());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl, e.getMessage());
            }
            err.println("tersor compress qat --task sr: " + report.quantizedPaths().size() + " layers quantized W" + q.wbits + "A" + q.abits + " "
                    + method.name() + " (" + summary(report.quantizedPaths()) + "), float: " + summary(report.floatPaths()));
            SrDistillation skt = teacher(cl, info, scale, student, sample, atWeight);
            double quantLr = q.quantLr != null ? q.quantLr : method == QuantMethod.PAMS ? PamsEdsr.CLIP_LR : r.lr();
            Optimizer<?> opt = Training.optimizer(r, Quantization.weightParameters(student), Quantization.quantizerParameters(student), quantLr);
            LrScheduler sched = r.schedule().equals("step") ? new StepLr(opt, Math.multiplyExact(decay, iterations), 0.5)
                    : Training.scheduler(r, opt, iterations);
            PatchPairs pairs = PatchPairs.of(folders.train().images(), folders.train().names(), spec, Math.multiplyExact(r.batch(), iterations), q.run.seed);
            Rng.manualSeed(q.run.seed);
            err.printf(Locale.ROOT, "training %d epochs of %d iterations, batch %d of LR %dx%d patches, %s (quantizers at lr %s)%s, %s, %d threads%n",
                    r.epochs(), iterations, r.batch(), patch / scale, patch / scale, r, quantLr,
                    r.schedule().equals("step") ? ", halved every " + decay + " epochs" : "",
                    skt == null ? "L1 loss" : "L1 + " + atWeight + " x attention transfer against " + q.distill.teacher, Parallel.threads());
            err.flush();
            SrTrainer.Options options = SrTrainer.Options.epochs(r.epochs()).checkpoint(ckpt).resumeFrom(q.run.resume)
                    .checkpointEvery(q.run.checkpointEvery).tile(tile).log(WriterStream.of(err)).runInfo(settings)
                    .objective(skt).onEpochStart(Quantization.epochStart(student, 1));
            SrTrainer.Result result;
            try {
                result = new SrTrainer(student, scale, opt, sched).fit(new PatchLoader(pairs, r.batch(), 1), folders.valImages(),
                        folders.valNames(), options);
            } finally {
                if (skt != null) skt.close();
            }
            Conversion.convert(student);
            String recipeLine = String.format(Locale.ROOT, "qat task=sr method=%s wbits=%d abits=%d scale=%d %s quant_lr=%s patch=%d iterations=%d "
                            + "decay=%d teacher=%s at_weight=%s seed=%d weights=%s", method.name().toLowerCase(Locale.ROOT), q.wbits, q.abits, scale, r,
                    quantLr, patch, iterations, decay, q.distill.teacher, atWeight, q.run.seed, q.common.weights.getFileName());
            CompressedModel.save(student, architecture, recipeLine, q.common.out);
            report(cl, info, scale, folders, tile, result, report);
        }
        return 0;
    }

    private Module loadFloat(CommandLine cl, ModelInfo info, int scale, Path weights, String flag) throws IOException {
        try {
            return SrModels.load(cl, info, scale, weights);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, flag + ": " + e.getMessage());
        }
    }

    /** The SKT loss against {@code --teacher} (null without one, or with --at-weight 0: plain L1). */
    private SrDistillation teacher(CommandLine cl, ModelInfo info, int scale, Module student, Tensor sample, double atWeight) throws IOException {
        if (q.distill.teacher == null || atWeight == 0) return null;
        DistillOptions.Teacher t = q.distill.teacher(cl, true);
        String spec = t.spec();
        Path w = t.weights();
        ModelInfo ti = SrModels.info(cl, t.info().name(), w);
        Module teacher = loadFloat(cl, ti, SrModels.resolveScale(cl, ti, scale, w), w, "--teacher");
        try {
            return SrDistillation.create(student, teacher, SrDistillation.EDSR_FEATURE, 1, atWeight, sample);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, "--teacher " + spec + ": " + e.getMessage());
        }
    }

    /** Scores the float weights and the written file on --val (bicubic beside) and prints the table or the JSON line. */
    private void report(CommandLine cl, ModelInfo info, int scale, SrTrain.Folders folders, int tile, SrTrainer.Result result, QuantReport quant)
            throws IOException {
        Module floatModel = SrModels.load(cl, info, scale, q.common.weights);
        Module loaded = SrModels.load(cl, SrModels.info(cl, null, q.common.out), scale, q.common.out);
        SrEvaluation.Result before = null, after = null;
        if (folders.val() != null) {
            before = SrEvaluation.evaluate(folders.valImages(), folders.valNames(), new Upscaler(floatModel, scale, tile, Upscaler.receptiveRadius(floatModel)), null);
            after = SrEvaluation.evaluate(folders.valImages(), folders.valNames(), new Upscaler(loaded, scale, tile, Upscaler.receptiveRadius(floatModel)), null);
        }
        long fileBytes = Files.size(q.common.out), floatBytes = Files.size(q.common.weights);
        PrintWriter out = cl.getOut();
        if (q.common.json) {
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("task", "sr");
            rec.put("model", info.name());
            rec.put("scale", scale);
            rec.put("method", q.method.toLowerCase(Locale.ROOT));
            rec.put("wbits", q.wbits);
            rec.put("abits", q.abits);
            rec.put("quantized_layers", quant.quantizedPaths());
            rec.put("out", q.common.out.toString());
            rec.put("file_bytes", fileBytes);
            rec.put("float_file_bytes", floatBytes);
            rec.put("float_psnr_y", before == null ? null : before.modelMean().psnrY());
            rec.put("psnr_y", after == null ? null : after.modelMean().psnrY());
            rec.put("float_ssim_y", before == null ? null : before.modelMean().ssimY());
            rec.put("ssim_y", after == null ? null : after.modelMean().ssimY());
            rec.put("bicubic_psnr_y", before == null ? null : before.bicubicMean().psnrY());
            List<Double> psnr = new ArrayList<>(), loss = new ArrayList<>();
            for (SrTrainer.Epoch e : result.history()) {
                psnr.add(e.validationPsnrY());
                loss.add(e.trainLoss());
            }
            rec.put("train_loss", loss);
            rec.put("val_psnr_y", psnr);
            out.println(Json.write(rec));
        } else {
            if (before != null) {
                out.printf(Locale.ROOT, "validation PSNR-Y / SSIM-Y on %d images: float %.2f dB / %.4f, W%dA%d %.2f dB / %.4f (%+.2f dB), bicubic %.2f dB%n",
                        folders.valImages().size(), before.modelMean().psnrY(), before.modelMean().ssimY(), q.wbits, q.abits,
                        after.modelMean().psnrY(), after.modelMean().ssimY(), after.modelMean().psnrY() - before.modelMean().psnrY(),
                        before.bicubicMean().psnrY());
            }
            out.printf(Locale.ROOT, "file: %s, %,d bytes (float weights %,d bytes, %.2fx smaller)%n", q.common.out, fileBytes, floatBytes,
                    (double) floatBytes / fileBytes);
        }
        out.flush();
    }

    private void requireSame(CommandLine cl, Map<String, String> saved, Map<String, String> now) {
        if (!"sr-qat".equals(saved.get("task"))) throw new ParameterException(cl, "--resume " + q.run.resume + " is not a checkpoint of 'compress qat --task sr'");
        List<String> diff = new ArrayList<>();
        for (var e : now.entrySet()) {
            String was = saved.get(e.getKey());
            if (was != null && !was.equals(e.getValue())) diff.add(e.getKey() + " " + e.getValue() + " (the run had " + was + ")");
        }
        if (!diff.isEmpty()) throw new ParameterException(cl, "--resume " + q.run.resume + ": settings differ from the run that wrote it: " + String.join("; ", diff));
    }

    private static String summary(List<String> paths) {
        return paths.size() <= 6 ? String.join(", ", paths) : String.join(", ", paths.subList(0, 4)) + ", ... " + paths.get(paths.size() - 1);
    }
}
