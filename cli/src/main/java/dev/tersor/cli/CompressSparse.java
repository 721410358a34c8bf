package dev.tersor.cli;

import dev.tersor.compress.prune.AgpSchedule;
import dev.tersor.compress.sparse.PruningScope;
import dev.tersor.compress.sparse.Sparsifier;
import dev.tersor.compress.sparse.SparsifyConfig;
import dev.tersor.compress.sparse.SparseConversion;
import dev.tersor.compress.sparse.SparsityReport;
import dev.tersor.compress.sparse.SpeedCheck;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Adam;
import dev.tersor.nn.train.Trainer;
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
 * {@code tersor compress sparsify}: unstructured magnitude pruning of the Conv2d/Linear weights
 * (one global threshold or one per layer), one shot before fine-tuning or gradually during it
 * (AGP, Zhu &amp; Gupta 2017), the masks held while Adam fine-tunes; then every pruned layer is
 * stored with only its nonzeros (CSR or bitmask, the smaller) and, timed on its real input at
 * {@code --decide-batch}, computes sparse, or dense where the sparse kernel is slower.
 */
@Command(name = "sparsify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Unstructured magnitude pruning stored sparsely (CSR or bitmask); layers where sparse is slower compute dense."})
final class CompressSparse implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CompressOptions common;

    @Option(names = "--sparsity", required = true, paramLabel = "S", description = "Target fraction of zero weights, in [0, 1).")
    double sparsity;

    @Option(names = "--schedule", paramLabel = "oneshot|agp", defaultValue = "oneshot",
            description = "Prune once before fine-tuning, or gradually during it (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--scope", paramLabel = "global|layer", defaultValue = "global",
            description = "One magnitude threshold over all pruned layers, or one per layer (default: ${DEFAULT-VALUE}).")
    String scope;

    @Option(names = "--layers", paramLabel = "PATH", split = ",", description = "Layers to prune (default: every Conv2d/Linear).")
    List<String> layers;

    @Option(names = "--keep-first-last", description = "Leave the first and last Conv2d/Linear dense.")
    boolean keepFirstLast;

    @Option(names = "--finetune-epochs", paramLabel = "E", defaultValue = "1", description = "Epochs of masked fine-tuning, 0 for none (default: ${DEFAULT-VALUE}).")
    int finetuneEpochs;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "5e-4", description = "Adam learning rate of the fine-tuning (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--batch", paramLabel = "B", description = "Batch size (default: the model's recipe).")
    Integer batch;

    @Option(names = "--agp-end", paramLabel = "F", defaultValue = "0.75",
            description = "AGP reaches the target after this fraction of the fine-tuning steps (default: ${DEFAULT-VALUE}).")
    double agpEnd;

    @Option(names = "--agp-updates", paramLabel = "N", defaultValue = "10", description = "AGP mask updates n (default: ${DEFAULT-VALUE}).")
    int agpUpdates;

    @Option(names = "--compute", paramLabel = "auto|sparse|dense", defaultValue = "auto",
            description = "auto: time both forms per layer and keep the faster; sparse or dense: no timing (default: ${DEFAULT-VALUE}).")
    String compute;

    @Option(names = "--decide-batch", paramLabel = "B", defaultValue = "1", description = "Batch size the layers are timed at (default: ${DEFAULT-VALUE}).")
    int decideBatch;

    @Mixin
    FineTune.RunOptions run;

    @SuppressWarnings("try")
    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (!(sparsity >= 0 && sparsity < 1)) throw new ParameterException(cl, "--sparsity must be in [0, 1), got " + sparsity);
        if (!schedule.equals("oneshot") && !schedule.equals("agp")) throw new ParameterException(cl, "--schedule must be oneshot or agp, got " + schedule);
        if (!scope.equals("global") && !scope.equals("layer")) throw new ParameterException(cl, "--scope must be global or layer, got " + scope);
        if (!List.of("auto", "sparse", "dense").contains(compute)) throw new ParameterException(cl, "--compute must be auto, sparse or dense, got " + compute);
        if (finetuneEpochs < 0) throw new ParameterException(cl, "--finetune-epochs must be >= 0, got " + finetuneEpochs);
        if (schedule.equals("agp") && finetuneEpochs == 0) throw new ParameterException(cl, "--schedule agp prunes during fine-tuning: give --finetune-epochs >= 1");
        if (schedule.equals("agp") && run.keepBestGiven()) {
            throw new ParameterException(cl, "--keep best with --schedule agp could keep an epoch before the target sparsity (then pruned "
                    + "further with no fine-tuning); use --schedule oneshot or --keep last");
        }
        OptionChecks.positive(cl, "--lr", lr);
        if (!(agpEnd > 0 && agpEnd <= 1)) throw new ParameterException(cl, "--agp-end must be in (0, 1], got " + agpEnd);
        if (agpUpdates < 1) throw new ParameterException(cl, "--agp-updates must be >= 1, got " + agpUpdates);
        if (decideBatch < 1) throw new ParameterException(cl, "--decide-batch must be >= 1, got " + decideBatch);
        run.validate(cl);
        try (Threads t = Threads.use(cl, common.threads)) {
            CompressOptions.Setup s = common.setup(cl, run);
            Module model = s.model();
            PrintWriter err = cl.getErr();
            Sparsifier sparsifier;
            try {
                sparsifier = Sparsifier.attach(model, new SparsifyConfig(sparsity, scope.equals("global") ? PruningScope.GLOBAL : PruningScope.LAYER,
                        layers, keepFirstLast));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl, e.getMessage());
            }
            int b = batch != null ? batch : s.info().recipe().batch();
            Trainer.Result fitted = null;
            Trainer.EpochStart hook = null;
            DataLoader train = null;
            if (finetuneEpochs > 0) train = FineTune.loader(cl, s, b, run.seed);
            if (schedule.equals("oneshot")) {
                sparsifier.prune(sparsity);
                err.printf(Locale.ROOT, "tersor compress sparsify: %s pruned to %.1f%% sparsity (%s threshold)%n",
                        String.join(", ", sparsifier.layers().keySet()), 100 * sparsifier.sparsity(), scope);
            } else {
                long steps = (long) finetuneEpochs * train.size(), end = Math.max(1, (long) Math.floor(agpEnd * (steps - 1)));
                AgpSchedule agp = new AgpSchedule(0, sparsity, 0, agpUpdates, Math.max(1, end / agpUpdates));
                hook = sparsifier.agp(agp, train.size());
                err.printf(Locale.ROOT, "tersor compress sparsify: AGP 0 → %.1f%% over steps 0..%d, a mask update every %d steps, on %s%n",
                        100 * sparsity, agp.endStep(), agp.frequency(), String.join(", ", sparsifier.layers().keySet()));
            }
            if (finetuneEpochs > 0) {
                Map<String, String> settings = new LinkedHashMap<>();
                settings.put("compress.method", "sparsify");
                settings.put("compress.sparsity", Double.toString(sparsity));
                settings.put("compress.schedule", schedule);
                settings.put("compress.seed", Long.toString(run.seed));
                Adam adam = new Adam(model.parameters(), Adam.options().lr(lr).build());
                model.train();
                fitted = FineTune.fit(cl, s, model, train, new FineTune.Run(adam, null, Losses::crossEntropy, finetuneEpochs, hook, settings),
                        Path.of(common.out + ".ckpt"), run);
            }
            sparsifier.stopSchedule();
            sparsifier.prune(sparsity);     // a no-op once the schedule reached the target
            Tensor sample = DataSplits.normalize(s.info()).apply(s.train().subset(0, Math.min(decideBatch, s.train().size())).inputs(), null);
            SpeedCheck check = compute.equals("auto") ? SpeedCheck.measured() : compute.equals("sparse") ? SpeedCheck.ALWAYS_SPARSE : SpeedCheck.ALWAYS_DENSE;
            SparsityReport report = SparseConversion.convert(model, sample, check);
            err.println(report);
            err.flush();
            String recipe = String.format(Locale.ROOT, "sparsify magnitude sparsity=%s scope=%s schedule=%s layers=%s keep_first_last=%s finetune_epochs=%d "
                            + "adam_lr=%s batch=%d agp_end=%s agp_updates=%d compute=%s decide_batch=%d seed=%d weights=%s", sparsity, scope, schedule,
                    String.join("+", sparsifier.layers().keySet()), keepFirstLast, finetuneEpochs, lr, b, agpEnd, agpUpdates, compute, report.batch(),
                    run.seed, common.weights.getFileName());
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("sparsity", report.sparsity());
            extra.put("schedule", schedule);
            extra.put("scope", scope);
            extra.put("finetune_epochs", finetuneEpochs);
            if (fitted != null) extra.put("history", FineTune.record(fitted));
            extra.put("decide_batch", report.batch());
            List<Object> rows = new ArrayList<>();
            for (SparsityReport.Row r : report.rows()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", r.path());
                m.put("sparsity", r.sparsity());
                m.put("storage", r.format().label());
                m.put("bytes", r.storedBytes());
                m.put("compute", r.sparseCompute() ? "sparse" : "dense");
                if (r.timing() != null && compute.equals("auto")) {
                    m.put("sparse_seconds", r.timing().sparseSeconds());
                    m.put("dense_seconds", r.timing().denseSeconds());
                }
                rows.add(m);
            }
            extra.put("sparse_layers", rows);
            extra.put("notes", report.notes());
            common.finish(cl, s, model, String.format(Locale.ROOT, "%.0f%% magnitude sparsity", 100 * sparsity), recipe, extra);
        }
        return 0;
    }
}
