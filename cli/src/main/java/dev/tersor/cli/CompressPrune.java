package dev.tersor.cli;

import dev.tersor.compress.prune.AgpSchedule;
import dev.tersor.compress.prune.Allocator;
import dev.tersor.compress.prune.ChannelCriterion;
import dev.tersor.compress.prune.ChannelGraph;
import dev.tersor.compress.prune.ChannelTrace;
import dev.tersor.compress.prune.Cogd;
import dev.tersor.compress.prune.Criteria;
import dev.tersor.compress.prune.GaussianKnockoffs;
import dev.tersor.compress.prune.HRank;
import dev.tersor.compress.prune.Pruning;
import dev.tersor.compress.prune.PruningPlan;
import dev.tersor.compress.prune.PruningTarget;
import dev.tersor.compress.prune.Scop;
import dev.tersor.compress.prune.SlimmingPenalty;
import dev.tersor.compress.prune.meta.Cacp;
import dev.tersor.compress.prune.meta.MetaPruning;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.train.LossFunction;
import dev.tersor.nn.zoo.Recipe;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tersor compress prune}: structural pruning into a physically smaller dense model. Traces
 * the model's channel groups, scores them (L1/L2 filter norms, network slimming's batch-norm
 * scales after optional sparsity training, HRank's feature-map ranks, SCOP's knockoff scales, CoGD's
 * soft masks trained with cogradient descent), removes the least
 * important groups until the FLOPs or channel target is met, fine-tunes with SGD and a cosine
 * schedule (optionally distilling from {@code --teacher M:W}, e.g. the unpruned model), and saves a compressed model file that records which channels were kept.
 */
@Command(name = "prune", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Structural pruning: removes channel groups for real (smaller dense layers), then fine-tunes."})
final class CompressPrune implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CompressOptions common;

    @Option(names = "--method", paramLabel = "l1|l2|slim|hrank|scop|cogd|metapruning|cacp", defaultValue = "l1",
            description = "Criterion: l1, l2 (filter norms), slim (batch-norm |gamma|), hrank (feature-map rank), scop (knockoff control),"
                    + " cogd (soft masks trained by cogradient descent);"
                    + " or a search: metapruning (PruningNet + evolution), cacp (one policy for every --cacp-rates) (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--flops", paramLabel = "F", description = "Fraction of the multiply-accumulates to remove, in [0, 1).")
    Double flops;

    @Option(names = "--rate", paramLabel = "R", description = "Fraction of every family's channels to remove, in [0, 1) (instead of --flops).")
    Double rate;

    @Option(names = "--allocation", paramLabel = "uniform|global", defaultValue = "uniform",
            description = "uniform: the same fraction of every family; global: rank all groups together (default: ${DEFAULT-VALUE}).")
    String allocation;

    @Option(names = "--round", paramLabel = "M", defaultValue = "1", description = "Round kept channels up to a multiple of M (default: ${DEFAULT-VALUE}).")
    int round;

    @Option(names = "--scope", paramLabel = "all|internal", defaultValue = "all",
            description = "all families, or internal ones only (a block's inner channels, not residual ones) (default: ${DEFAULT-VALUE}).")
    String scope;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "1",
            description = "Prune in N rounds along the AGP cubic, fine-tuning --step-epochs between rounds (default: ${DEFAULT-VALUE}: one shot).")
    int steps;

    @Option(names = "--step-epochs", paramLabel = "E", defaultValue = "1", description = "Epochs of fine-tuning between rounds (default: ${DEFAULT-VALUE}).")
    int stepEpochs;

    @Option(names = "--hrank-batches", paramLabel = "B", defaultValue = "5", description = "HRank: training batches to rank (default: ${DEFAULT-VALUE}).")
    int hrankBatches;

    @Option(names = "--hrank-batch", paramLabel = "N", defaultValue = "128", description = "HRank: images per batch (default: ${DEFAULT-VALUE}).")
    int hrankBatch;

    @Option(names = "--scop-epochs", paramLabel = "E", defaultValue = "2", description = "scop: epochs of knockoff-scale training (default: ${DEFAULT-VALUE}; the paper's code 20).")
    int scopEpochs;

    @Option(names = "--scop-lr", paramLabel = "LR", defaultValue = "0.004", description = "scop: Adam learning rate of the knockoff scales (default: ${DEFAULT-VALUE}).")
    double scopLr;

    @Option(names = "--scop-samples", paramLabel = "N", defaultValue = "10000",
            description = "scop: training images the Gaussian knockoff model is fitted to (default: ${DEFAULT-VALUE}).")
    int scopSamples;

    @Option(names = "--cogd-epochs", paramLabel = "E", defaultValue = "2",
            description = "cogd: epochs of joint mask and weight training (default: ${DEFAULT-VALUE}; GAL's official code, which CoGD's pruning builds on, 100).")
    int cogdEpochs;

    @Option(names = "--cogd-lr", paramLabel = "LR", defaultValue = "0.01",
            description = "cogd: plain gradient-descent rate of the weights during mask training (default: ${DEFAULT-VALUE}).")
    double cogdLr;

    @Option(names = "--cogd-mask-lr", paramLabel = "LR", defaultValue = "0.01", description = "cogd: rate of the soft masks (default: ${DEFAULT-VALUE}).")
    double cogdMaskLr;

    @Option(names = "--cogd-lambda", paramLabel = "L", defaultValue = "0.01",
            description = "cogd: strength of the L1 penalty on the soft masks (default: ${DEFAULT-VALUE}).")
    double cogdLambda;

    @Option(names = "--cogd-tau", paramLabel = "T", defaultValue = "0.5",
            description = "cogd: fraction of a layer's channels the asynchrony test counts as near zero, in [0, 1] (default: ${DEFAULT-VALUE}).")
    double cogdTau;

    @Option(names = "--slim-epochs", paramLabel = "E", defaultValue = "0",
            description = "slim: epochs of sparsity training (L1 on batch-norm scales) before pruning (default: ${DEFAULT-VALUE}).")
    int slimEpochs;

    @Option(names = "--slim-lambda", paramLabel = "L", defaultValue = "1e-4", description = "slim: strength of the L1 penalty (default: ${DEFAULT-VALUE}).")
    double slimLambda;

    @Option(names = "--finetune-epochs", paramLabel = "E", defaultValue = "0", description = "Epochs of fine-tuning after pruning (default: ${DEFAULT-VALUE}).")
    int finetuneEpochs;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "0.01", description = "SGD learning rate of the fine-tuning and sparsity training, cosine-annealed (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--batch", paramLabel = "B", description = "Batch size (default: the model's recipe).")
    Integer batch;

    @Mixin
    DistillOptions distill;

    @Mixin
    PruneSearch search;

    @Mixin
    FineTune.RunOptions run;

    @SuppressWarnings("try")
    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        PruningTarget target = target(cl);
        if (!List.of("l1", "l2", "slim", "hrank", "scop", "cogd", "metapruning", "cacp").contains(method)) {
            throw new ParameterException(cl, "--method must be l1, l2, slim, hrank, scop, cogd, metapruning or cacp, got '" + method + "'");
        }
        search.validate(cl, method, flops);
        if (steps < 1 || stepEpochs < 0) throw new ParameterException(cl, "--steps must be >= 1 and --step-epochs >= 0");
        if (steps > 1 && (method.equals("metapruning") || method.equals("cacp"))) {
            throw new ParameterException(cl, "--steps applies to the criteria, not to --method " + method);
        }
        if (scopEpochs < 1 || scopSamples < 2) throw new ParameterException(cl, "--scop-epochs must be >= 1 and --scop-samples >= 2");
        OptionChecks.positive(cl, "--scop-lr", scopLr);
        Cogd.Settings cogd = cogdSettings(cl);
        if (slimEpochs < 0 || finetuneEpochs < 0) throw new ParameterException(cl, "--slim-epochs and --finetune-epochs must be >= 0");
        if (slimEpochs > 0 && !method.equals("slim")) throw new ParameterException(cl, "--slim-epochs needs --method slim");
        if (hrankBatches < 1 || hrankBatch < 1) throw new ParameterException(cl, "--hrank-batches and --hrank-batch must be >= 1");
        OptionChecks.positive(cl, "--lr", lr);
        if (!(slimLambda >= 0) || Double.isInfinite(slimLambda)) throw new ParameterException(cl, "--slim-lambda must be finite and >= 0");
        run.validate(cl);
        Path planFile = Path.of(common.out + ".plan");
        if (run.resume != null && !Files.isRegularFile(planFile)) {
            throw new ParameterException(cl, "--resume needs the pruning plan " + planFile + " that the interrupted run wrote");
        }
        try (Threads t = Threads.use(cl, common.threads)) {
            CompressOptions.Setup s = common.setup(cl, run, search.validation);
            search.requireValidation(cl, method, s);
            Module model = s.model();
            Recipe r = s.info().recipe();
            DistillOptions.Bound kt = distill.bind(cl, s, model);   // before anything trains
            int b = batch != null ? batch : r.batch();
            PrintWriter err = cl.getErr();
            Tensor sample = CompressOptions.sample(s);
            ChannelGraph graph = trace(cl, model, sample);
            long macs = graph.macs(), params = model.parameterCount();
            PruningPlan plan;
            Cacp.Policy cacpPolicy = null;
            Map<String, String> settings = Map.of("compress.method", "prune-" + method, "compress.seed", Long.toString(run.seed));
            if (run.resume != null) {
                plan = PruningPlan.parse(Files.readString(planFile, StandardCharsets.UTF_8).strip(), 1 << 16);
                Pruning.apply(model, plan, sample);
                err.println("tersor compress prune: resuming with the plan in " + planFile);
            } else {
                choose(cl, graph, Criteria.l1().scores(model, graph), target);   // an unreachable target fails before any training
                if (slimEpochs > 0) {
                    SlimmingPenalty penalty = new SlimmingPenalty(model, slimLambda);
                    DataLoader train = FineTune.loader(cl, s, b, run.seed);
                    Sgd sgd = sgd(model, r);
                    err.println("tersor compress prune: " + slimEpochs + " epochs of sparsity training, lambda " + slimLambda);
                    model.train();
                    FineTune.stage(cl, s, model, train, new FineTune.Run(sgd, Training.scheduler(recipe(r, slimEpochs), sgd, train.size()),
                            penalty.addTo(Losses::crossEntropy), slimEpochs, null, settings));
                }
                if (method.equals("metapruning")) {
                    MetaPruning.Result mr = search.metaPruning(cl, s, model, sample, FineTune.loader(cl, s, b, run.seed), b, flops, target.scope(), run.seed);
                    err.println(table(graph, mr.removed()));
                    err.printf(Locale.ROOT, "tersor compress prune: MetaPruning widths %s, validation accuracy %.2f%%%n",
                            java.util.Arrays.toString(mr.widths()), 100 * mr.validationAccuracy());
                    plan = mr.plan();
                } else {
                    Set<Integer> removed;
                    if (method.equals("cacp")) {
                        cacpPolicy = search.cacp(cl, s, model, sample, FineTune.loader(cl, s, b, run.seed), b, flops, target.scope(), run.seed);
                        removed = cacpPolicy.removed(graph, flops);
                    } else if (steps > 1) {
                        removed = null;
                    } else {
                        removed = choose(cl, graph, scores(cl, s, b, err, model, graph, cogd), target);
                    }
                    if (removed == null) {
                        plan = iterative(cl, s, model, sample, target, macs, b, settings);
                    } else {
                        err.println(table(graph, removed));
                        plan = Pruning.apply(model, graph, removed, sample);
                    }
                }
                Files.writeString(planFile, plan.encode(), StandardCharsets.UTF_8);
            }
            Path main = common.out;   // finishOne sets common.out to the file it writes
            finishOne(cl, new Job(s, model, plan, sample, macs, params, b, settings, kt), main);
            if (cacpPolicy != null) {   // the other rates of the same policy, each from the float weights
                for (double rate : search.rates(flops)) {
                    if (Math.abs(rate - flops) < 1e-9) continue;
                    Module other = Models.load(s.info(), common.weights);
                    ChannelGraph g = ChannelTrace.trace(other, sample);
                    PruningPlan p = Pruning.apply(other, g, cacpPolicy.removed(g, rate), sample);
                    err.printf(Locale.ROOT, "tersor compress prune: CACP at %.0f%% FLOPs reduction%n", 100 * rate);
                    Path file = PruneSearch.fileFor(main, rate);   // name-f30, name-f70 beside --out
                    Models.outputFile(cl, "--out", file);
                    finishOne(cl, new Job(s, other, p, sample, macs, params, b, settings, kt), file);
                }
            }
            Files.deleteIfExists(planFile);
        }
        return 0;
    }


    private double[] scores(CommandLine cl, CompressOptions.Setup s, int b, PrintWriter err, Module model, ChannelGraph graph,
                            Cogd.Settings cogd) {
        try {
            return criterion(cl, s, b, err, cogd).scores(model, graph);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        }
    }

    /**
     * {@code --steps} rounds of scoring and pruning, the removed fraction rising along Zhu &amp;
     * Gupta's cubic (AGP) curve to the target, with {@code --step-epochs} of fine-tuning between
     * rounds; returns the composed plan.
     */
    private PruningPlan iterative(CommandLine cl, CompressOptions.Setup s, Module model, Tensor sample, PruningTarget target, long macs0,
                                  int b, Map<String, String> settings) {
        PrintWriter err = cl.getErr();
        AgpSchedule agp = new AgpSchedule(0, target.amount(), 0, steps, 1);
        PruningPlan plan = PruningPlan.none();
        double before = 0;
        for (int k = 1; k <= steps; k++) {
            ChannelGraph g = trace(cl, model, sample);
            double want = agp.sparsityAt(k);
            double amount = target.measure() == PruningTarget.Measure.FLOPS ? 1 - (1 - want) * macs0 / (double) g.macs() : 1 - (1 - want) / (1 - before);
            before = want;
            PruningTarget step = new PruningTarget(target.measure(), Math.min(0.999, Math.max(0, amount)), target.allocation(), target.multiple(),
                    target.scope());
            Set<Integer> removed = choose(cl, g, scores(cl, s, b, err, model, g, cogdSettings(cl)), step);
            err.printf(Locale.ROOT, "tersor compress prune: step %d/%d, %.1f%% of the target removed so far%n", k, steps, 100 * want / target.amount());
            err.println(table(g, removed));
            plan = plan.then(Pruning.apply(model, g, removed, sample));
            if (k < steps && stepEpochs > 0) {
                DataLoader train = FineTune.loader(cl, s, b, run.seed + k);
                Sgd sgd = sgd(model, s.info().recipe());
                model.train();
                FineTune.stage(cl, s, model, train, new FineTune.Run(sgd, Training.scheduler(recipe(s.info().recipe(), stepEpochs), sgd, train.size()),
                        Losses::crossEntropy, stepEpochs, null, settings));
            }
        }
        return plan;
    }

    /** A pruned model on its way to a file. */
    private record Job(CompressOptions.Setup s, Module model, PruningPlan plan, Tensor sample, long macs, long params, int batch,
                       Map<String, String> settings, DistillOptions.Bound kt) {
    }

    /** Fine-tunes (with resume), evaluates and saves one pruned model to {@code out}. */
    private void finishOne(CommandLine cl, Job j, Path out) throws IOException {
        CompressOptions.Setup s = j.s();
        Module model = j.model();
        PruningPlan plan = j.plan();
        Recipe r = s.info().recipe();
        PrintWriter err = cl.getErr();
        long macs = j.macs(), params = j.params();
        int b = j.batch();
        DistillOptions.Bound kt = j.kt();
        Map<String, String> settings = j.settings();
        Path resume = out.equals(common.out) ? run.resume : null;
        common.out = out;
            ChannelGraph pruned = ChannelTrace.trace(model, j.sample());
            err.printf(Locale.ROOT, "tersor compress prune: %,d -> %,d multiply-accumulates (%.1f%% removed), %,d -> %,d parameters%n",
                    macs, pruned.macs(), 100.0 * (macs - pruned.macs()) / macs, params, model.parameterCount());
            Trainer.Result fitted = null;
            if (finetuneEpochs > 0) {
                DataLoader train = FineTune.loader(cl, s, b, run.seed);
                Sgd sgd = sgd(model, r);
                model.train();
                LossFunction loss = DistillOptions.loss(kt, model, Losses::crossEntropy);
                fitted = FineTune.fit(cl, s, model, train, new FineTune.Run(sgd, Training.scheduler(recipe(r, finetuneEpochs), sgd, train.size()),
                        loss, finetuneEpochs, null, settings), Path.of(common.out + ".ckpt"), resume, run.checkpointEvery);
                DistillOptions.close(loss);
            }
            model.eval();
            String recipe = String.format(Locale.ROOT, "prune method=%s" + methodSettings() + " %s=%s allocation=%s round=%d scope=%s slim_epochs=%d slim_lambda=%s"
                            + (steps > 1 ? " steps=" + steps + " step_epochs=" + stepEpochs : "") + " finetune_epochs=%d sgd_lr=%s cosine batch=%d seed=%d weights=%s", method, flops != null ? "flops" : "rate",
                    flops != null ? flops : rate, allocation, round, scope, slimEpochs, slimLambda, finetuneEpochs, lr, b, run.seed,
                    common.weights.getFileName()) + (kt == null ? "" : " " + kt.description());
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("macs", pruned.macs());
            extra.put("float_macs", macs);
            extra.put("flops_ratio", (double) pruned.macs() / macs);
            extra.put("parameters", model.parameterCount());
            extra.put("float_parameters", params);
            extra.put("finetune_epochs", finetuneEpochs);
            if (fitted != null) extra.put("history", FineTune.record(fitted));
            common.finish(cl, s, model, plan, "structural pruning (" + method + ")", recipe, extra);
    }

    /** The settings of a trained criterion, for the recipe ("" for the others). */
    private String methodSettings() {
        return switch (method) {
            case "scop" -> " scop_epochs=" + scopEpochs + " scop_lr=" + scopLr + " scop_samples=" + scopSamples;
            case "cogd" -> " cogd_epochs=" + cogdEpochs + " cogd_lr=" + cogdLr + " cogd_mask_lr=" + cogdMaskLr + " cogd_lambda=" + cogdLambda
                    + " cogd_tau=" + cogdTau;
            default -> "";
        };
    }

    private PruningTarget target(CommandLine cl) {
        if ((flops == null) == (rate == null)) throw new ParameterException(cl, "give exactly one of --flops and --rate");
        double amount = flops != null ? flops : rate;
        String flag = flops != null ? "--flops" : "--rate";
        if (!(amount >= 0 && amount < 1)) throw new ParameterException(cl, flag + " must be in [0, 1), got " + amount);
        PruningTarget.Allocation a = switch (allocation) {
            case "uniform" -> PruningTarget.Allocation.UNIFORM;
            case "global" -> PruningTarget.Allocation.GLOBAL;
            default -> throw new ParameterException(cl, "--allocation must be uniform or global, got '" + allocation + "'");
        };
        PruningTarget.Scope sc = switch (scope) {
            case "all" -> PruningTarget.Scope.ALL;
            case "internal" -> PruningTarget.Scope.INTERNAL;
            default -> throw new ParameterException(cl, "--scope must be all or internal, got '" + scope + "'");
        };
        try {
            return new PruningTarget(flops != null ? PruningTarget.Measure.FLOPS : PruningTarget.Measure.CHANNELS, amount, a, round, sc);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        }
    }

    private static ChannelGraph trace(CommandLine cl, Module model, Tensor sample) {
        try {
            return ChannelTrace.trace(model, sample);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        }
    }

    private static Set<Integer> choose(CommandLine cl, ChannelGraph graph, double[] scores, PruningTarget target) {
        try {
            return Allocator.choose(graph, scores, target);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        }
    }

    /** The CoGD settings of the flags (checked whatever the method, so a bad flag fails before any training). */
    private Cogd.Settings cogdSettings(CommandLine cl) {
        if (cogdEpochs < 1) throw new ParameterException(cl, "--cogd-epochs must be >= 1, got " + cogdEpochs);
        OptionChecks.positive(cl, "--cogd-lr", cogdLr);
        OptionChecks.positive(cl, "--cogd-mask-lr", cogdMaskLr);
        if (!(cogdLambda >= 0) || Double.isInfinite(cogdLambda)) {
            throw new ParameterException(cl, "--cogd-lambda must be a finite number >= 0, got " + cogdLambda);
        }
        if (!(cogdTau >= 0 && cogdTau <= 1)) throw new ParameterException(cl, "--cogd-tau must be in [0, 1], got " + cogdTau);
        return new Cogd.Settings(cogdEpochs, cogdLr, cogdMaskLr, cogdLambda, cogdTau);
    }

    private ChannelCriterion criterion(CommandLine cl, CompressOptions.Setup s, int batchSize, PrintWriter err, Cogd.Settings cogd) {
        return switch (method) {
            case "l1" -> Criteria.l1();
            case "l2" -> Criteria.l2();
            case "slim" -> Criteria.slimming();
            case "scop" -> {
                int n = Math.min(scopSamples, s.train().size());
                err.println("tersor compress prune: fitting the Gaussian knockoff model to " + n + " training images");
                GaussianKnockoffs kf = GaussianKnockoffs.fit(DataSplits.normalize(s.info()).apply(s.train().subset(0, n).inputs(), null));
                yield new Scop(FineTune.loader(cl, s, batchSize, run.seed), kf, scopEpochs, scopLr, run.seed, progress(err));
            }
            case "cogd" -> new Cogd(FineTune.loader(cl, s, batchSize, run.seed), cogd, progress(err));
            default -> {
                List<Tensor> inputs = new ArrayList<>();
                DataLoader loader = FineTune.loader(cl, s, Math.min(hrankBatch, s.train().size()), run.seed);
                try (DataLoader.Batches it = loader.iterator()) {
                    while (it.hasNext() && inputs.size() < hrankBatches) {
                        Batch bt = it.next();
                        inputs.add(bt.inputs());
                    }
                }
                yield new HRank(inputs, inputs.size(), done -> {
                    err.printf(Locale.ROOT, "tersor compress prune: HRank ranked batch %d/%d%n", done, inputs.size());
                    err.flush();
                });
            }
        };
    }

    private static java.util.function.Consumer<String> progress(PrintWriter err) {
        return line -> {
            err.println("tersor compress prune: " + line);
            err.flush();
        };
    }

    private Sgd sgd(Module model, Recipe r) {
        return new Sgd(model.parameters(), Sgd.options(lr).momentum(r.momentum()).weightDecay(r.weightDecay()).build());
    }

    private Recipe recipe(Recipe r, int epochs) {
        return new Recipe(r.optimizer(), lr, r.momentum(), r.weightDecay(), "cosine", epochs, r.batch());
    }

    /** Each family's channels before and after, one row per family. */
    static String table(ChannelGraph graph, Set<Integer> removed) {
        Table t = new Table(List.of("family (producing layers)", "channels", "kept", "removed"), List.of(false, true, true, true));
        for (ChannelGraph.Family f : graph.families()) {
            long gone = f.groups().stream().filter(removed::contains).count();
            String layers = f.producers().size() <= 2 ? String.join(", ", f.producers())
                    : f.producers().get(0) + ", ... (" + f.producers().size() + " layers)";
            t.add(layers, Integer.toString(f.size()), Long.toString(f.size() - gone), Long.toString(gone));
        }
        return t.toString();
    }
}
