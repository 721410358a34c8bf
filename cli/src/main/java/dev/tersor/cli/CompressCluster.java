package dev.tersor.cli;

import dev.tersor.compress.cluster.ClusterRegularizer;
import dev.tersor.compress.cluster.Clustering;
import dev.tersor.compress.cluster.ClusteringReport;
import dev.tersor.compress.cluster.StraightThroughClustering;
import dev.tersor.compress.convert.Conversion;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Adam;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.train.LossFunction;
import dev.tersor.nn.zoo.Recipe;
import java.io.PrintWriter;
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
 * {@code tersor compress cluster}: DP-Net weight clustering (arXiv 2003.09615). Optionally
 * trains first with the clustering-friendly regulariser λ·Σ(w − c(w))² (centres recomputed every
 * epoch, SGD with the model's recipe), then clusters every Conv2d/Linear to 2^bits centres by
 * the exact 1-D dynamic program, fine-tunes the shared centres and the biases with Adam, and
 * saves k centres plus packed indices per layer.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"DP-Net weight clustering: optimal 1-D clustering per layer, shared-centre fine-tuning, packed indices."})
final class CompressCluster implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CompressOptions common;

    @Option(names = "--bits", paramLabel = "B", defaultValue = "3", description = "Index bits: 2^B centres per layer, 1 to 8 (default: ${DEFAULT-VALUE}).")
    int bits;

    @Option(names = "--first-last-bits", paramLabel = "B",
            description = "Index bits of the first and last Conv2d/Linear (default: --bits, like every other layer).")
    Integer firstLastBits;

    @Option(names = "--regularize-epochs", paramLabel = "R", defaultValue = "0",
            description = "Epochs of clustering-friendly training before clustering (default: ${DEFAULT-VALUE}).")
    int regularizeEpochs;

    @Option(names = "--lambda", paramLabel = "L", defaultValue = "1e-3", description = "Strength of the clustering regulariser (default: ${DEFAULT-VALUE}).")
    double lambda;

    @Option(names = "--lambda-final", paramLabel = "L",
            description = "Anneal the regulariser: λ grows geometrically from --lambda to this over the --regularize-epochs (default: --lambda throughout).")
    Double lambdaFinal;

    @Option(names = "--regularize-lr", paramLabel = "LR",
            description = "SGD learning rate of the clustering-friendly training (default: the model's recipe, a fresh cosine cycle from it).")
    Double regularizeLr;

    @Option(names = "--ste-epochs", paramLabel = "E", defaultValue = "0",
            description = "Epochs of clustered training before the final clustering: forwards on the clustered weights, gradients to the latent"
                    + " weights (straight-through), centres re-clustered every epoch (default: ${DEFAULT-VALUE}).")
    int steEpochs;

    @Option(names = "--ste-lr", paramLabel = "LR",
            description = "SGD learning rate of the clustered training (default: the model's recipe, a fresh cosine cycle from it).")
    Double steLr;

    @Option(names = "--finetune-epochs", paramLabel = "E", defaultValue = "1", description = "Epochs of shared-centre fine-tuning, 0 for none (default: ${DEFAULT-VALUE}).")
    int finetuneEpochs;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "1e-4", description = "Adam learning rate of the fine-tuning (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--batch", paramLabel = "B", description = "Batch size (default: the model's recipe).")
    Integer batch;

    @Mixin
    DistillOptions distill;

    @Mixin
    FineTune.RunOptions run;

    @SuppressWarnings("try")
    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        CompressOptions.bits(cl, "--bits", bits, 1, 8);
        if (firstLastBits != null) CompressOptions.bits(cl, "--first-last-bits", firstLastBits, 1, 8);
        if (regularizeEpochs < 0) throw new ParameterException(cl, "--regularize-epochs must be >= 0, got " + regularizeEpochs);
        OptionChecks.positive(cl, "--lambda-final", lambdaFinal);
        if (lambdaFinal != null && !(lambda > 0)) throw new ParameterException(cl, "--lambda-final needs --lambda > 0 to grow from, got " + lambda);
        if (lambdaFinal != null && regularizeEpochs == 0) throw new ParameterException(cl, "--lambda-final needs --regularize-epochs > 0");
        OptionChecks.positive(cl, "--regularize-lr", regularizeLr);
        if (regularizeLr != null && regularizeEpochs == 0) throw new ParameterException(cl, "--regularize-lr needs --regularize-epochs > 0");
        if (steEpochs < 0) throw new ParameterException(cl, "--ste-epochs must be >= 0, got " + steEpochs);
        OptionChecks.positive(cl, "--ste-lr", steLr);
        if (steLr != null && steEpochs == 0) throw new ParameterException(cl, "--ste-lr needs --ste-epochs > 0");
        if (finetuneEpochs < 0) throw new ParameterException(cl, "--finetune-epochs must be >= 0, got " + finetuneEpochs);
        OptionChecks.positive(cl, "--lr", lr);
        run.validate(cl);
        try (Threads t = Threads.use(cl, common.threads)) {
            CompressOptions.Setup s = common.setup(cl, run);
            Module model = s.model();
            Recipe r = s.info().recipe();
            int b = batch != null ? batch : r.batch();
            PrintWriter err = cl.getErr();
            DistillOptions.Bound kt = distill.bind(cl, s, model);
            Map<String, String> settings = Map.of("compress.method", "cluster", "compress.bits", Integer.toString(bits),
                    "compress.seed", Long.toString(run.seed));
            if (regularizeEpochs > 0 && run.resume == null) {
                ClusterRegularizer reg = new ClusterRegularizer(model, bits, lambda, List.of());
                if (lambdaFinal != null) reg.annealTo(lambdaFinal, regularizeEpochs);
                DataLoader train = FineTune.loader(cl, s, b, run.seed);
                double regLr = regularizeLr != null ? regularizeLr : r.lr();
                Sgd sgd = new Sgd(model.parameters(), Sgd.options(regLr).momentum(r.momentum()).weightDecay(r.weightDecay()).build());
                err.println("tersor compress cluster: " + regularizeEpochs + " epochs of clustering-friendly training, lambda " + lambda
                        + (lambdaFinal == null ? "" : " growing to " + lambdaFinal) + ", SGD lr " + regLr);
                model.train();
                LossFunction task = DistillOptions.loss(kt, model, Losses::crossEntropy);   // the regulariser stays outside the α weighting
                FineTune.stage(cl, s, model, train, new FineTune.Run(sgd, Training.scheduler(withEpochs(r, regularizeEpochs, regLr), sgd, train.size()),
                        reg.addTo(task), regularizeEpochs, reg.everyEpoch(), settings));
                DistillOptions.close(task);
            }
            if (steEpochs > 0 && run.resume == null) clusteredTraining(cl, s, model, kt, b, settings);
            ClusteringReport report;
            try {
                report = cluster(model);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl, e.getMessage());
            }
            err.println(report);
            Trainer.Result fitted = null;
            if (finetuneEpochs > 0) {
                DataLoader train = FineTune.loader(cl, s, b, run.seed);
                Adam adam = new Adam(model.parameters(), Adam.options().lr(lr).build());
                model.train();
                LossFunction loss = DistillOptions.loss(kt, model, Losses::crossEntropy);
                fitted = FineTune.fit(cl, s, model, train, new FineTune.Run(adam, null, loss, finetuneEpochs, null, settings),
                        Path.of(common.out + ".ckpt"), run);
                DistillOptions.close(loss);
            }
            Conversion.convert(model);
            String recipe = String.format(Locale.ROOT, "cluster dpnet bits=%d first_last_bits=" + (firstLastBits == null ? bits : firstLastBits) + " regularize_epochs=%d lambda=%s%s%s ste_epochs=%d%s finetune_epochs=%d adam_lr=%s batch=%d seed=%d weights=%s",
                    bits, regularizeEpochs, lambda, lambdaFinal == null ? "" : " lambda_final=" + lambdaFinal,
                    regularizeLr == null ? "" : " regularize_lr=" + regularizeLr, steEpochs, steLr == null ? "" : " ste_lr=" + steLr, finetuneEpochs, lr, b, run.seed, common.weights.getFileName()) + (kt == null ? "" : " " + kt.description());
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("bits", bits);
            extra.put("finetune_epochs", finetuneEpochs);
            extra.put("clustered_sse", report.layers().stream().mapToDouble(ClusteringReport.Layer::sse).sum());
            if (fitted != null) extra.put("history", FineTune.record(fitted));
            common.finish(cl, s, model, bits + "-bit DP-Net clustering", recipe, extra);
        }
        return 0;
    }

    /**
     * {@code --ste-epochs} of SGD on the clustered weights with straight-through gradients to the
     * latent ones ({@link StraightThroughClustering}), each layer at its bits ({@link #layerBits});
     * the layers end at their clustered values, so the clustering that follows reproduces them exactly.
     */
    private void clusteredTraining(CommandLine cl, CompressOptions.Setup s, Module model, DistillOptions.Bound kt, int b, Map<String, String> settings) {
        Recipe r = s.info().recipe();
        double lrSte = steLr != null ? steLr : r.lr();
        DataLoader train = FineTune.loader(cl, s, b, run.seed);
        Sgd sgd = new Sgd(model.parameters(), Sgd.options(lrSte).momentum(r.momentum()).weightDecay(r.weightDecay()).build());
        cl.getErr().println("tersor compress cluster: " + steEpochs + " epochs of clustered training (straight-through), SGD lr " + lrSte);
        model.train();
        LossFunction task = DistillOptions.loss(kt, model, Losses::crossEntropy);
        StraightThroughClustering started;
        try {
            started = StraightThroughClustering.attach(model, layerBits(model));
        } catch (IllegalArgumentException e) {
            DistillOptions.close(task);
            throw new ParameterException(cl, e.getMessage());
        }
        try (StraightThroughClustering ste = started) {
            FineTune.stage(cl, s, model, train, new FineTune.Run(sgd, Training.scheduler(withEpochs(r, steEpochs, lrSte), sgd, train.size()),
                    task, steEpochs, ste.everyEpoch(), settings));
        } finally {
            DistillOptions.close(task);
        }
    }

    /** Every Conv2d/Linear at {@code --bits}, the first and last at {@code --first-last-bits} when given. */
    private ClusteringReport cluster(Module model) {
        Map<Integer, List<String>> byBits = new java.util.TreeMap<>();
        layerBits(model).forEach((path, b) -> byBits.computeIfAbsent(b, x -> new java.util.ArrayList<>()).add(path));
        List<ClusteringReport.Layer> all = new java.util.ArrayList<>();
        byBits.forEach((b, paths) -> all.addAll(Clustering.apply(model, b, paths).layers()));
        return new ClusteringReport(all);
    }

    /** Each Conv2d/Linear's bits, in model order: {@code --bits}, and {@code --first-last-bits} for the first and last when given. */
    private Map<String, Integer> layerBits(Module model) {
        List<String> layers = new java.util.ArrayList<>();
        for (var e : model.namedModules().entrySet()) {
            boolean plain = e.getValue().getClass() == dev.tersor.nn.Conv2d.class || e.getValue().getClass() == dev.tersor.nn.Linear.class;
            if (plain && !e.getKey().isEmpty()) layers.add(e.getKey());
        }
        if (layers.isEmpty()) throw new IllegalArgumentException("no Conv2d or Linear layer to cluster in " + model.getClass().getSimpleName());
        Map<String, Integer> plan = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            boolean end = i == 0 || i == layers.size() - 1;
            plan.put(layers.get(i), end && firstLastBits != null ? firstLastBits : bits);
        }
        return plan;
    }

    static Recipe withEpochs(Recipe r, int epochs, double lr) {
        return new Recipe(r.optimizer(), lr, r.momentum(), r.weightDecay(), r.schedule(), epochs, r.batch());
    }
}
