package dev.tersor.cli;

import dev.tersor.compress.abs.Abs;
import dev.tersor.compress.abs.AbsConfig;
import dev.tersor.compress.abs.AbsReport;
import dev.tersor.compress.abs.FilterRemoval;
import dev.tersor.compress.convert.Conversion;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.ParamGroup;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.train.Trainer;
import dev.tersor.nn.train.LossFunction;
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
 * {@code tersor compress abs}: automatic bit sharing (ABS, arXiv 2101.04935) searches each
 * layer's weight and input bits (and 0-bit filters) under a BOPs budget, as a fraction of the
 * W8A8 BOPs of the searched layers, then saves the chosen mixed-precision model on integer layers.
 * Weights train with SGD (momentum) and the gates with plain SGD at their own rate.
 */
@Command(name = "abs", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Automatic bit sharing: search per-layer bits (and 0-bit filters) under a BOPs budget, save the mixed-precision model."})
final class CompressAbs implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CompressOptions common;

    @Option(names = "--budget", paramLabel = "F", defaultValue = "0.5", description = "BOPs budget as a fraction of W8A8's, in (0, 1] (default: ${DEFAULT-VALUE}).")
    double budget;

    @Option(names = "--bits", split = ",", paramLabel = "B", defaultValue = "2,4,8", description = "Candidate bits for weights and inputs (default: ${DEFAULT-VALUE}).")
    int[] bits;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "2", description = "Search epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "0.005", description = "SGD learning rate of the weights, momentum 0.9 (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--gate-lr", paramLabel = "LR", defaultValue = "0.02", description = "Plain SGD learning rate of the gates (default: ${DEFAULT-VALUE}).")
    double gateLr;

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
        if (epochs < 1) throw new ParameterException(cl, "--epochs must be >= 1, got " + epochs);
        for (double v : new double[] {lr, gateLr}) {
            if (!(v > 0) || Double.isInfinite(v)) throw new ParameterException(cl, "--lr and --gate-lr must be finite numbers > 0, got " + v);
        }
        run.validate(cl);
        try (Threads t = Threads.use(cl, common.threads)) {
            CompressOptions.Setup s = common.setup(cl, run);
            AbsConfig config;
            try {
                config = AbsConfig.builder(s.info().inputShape()).budget(budget).weightBits(bits).inputBits(bits).build();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl, e.getMessage());
            }
            Module model = s.model();
            DistillOptions.Bound kt = distill.bind(cl, s, model);   // checked on the float model
            Abs.prepare(model, config);
            int b = batch != null ? batch : s.info().recipe().batch();
            DataLoader train = FineTune.loader(cl, s, b, run.seed);
            Sgd opt = new Sgd(List.of(new ParamGroup<>(Abs.weightParameters(model), Sgd.options(lr).momentum(0.9).build()),
                    new ParamGroup<>(Abs.gateParameters(model), Sgd.options(gateLr).build())));
            LossFunction task = DistillOptions.loss(kt, model, Losses::crossEntropy);   // the BOPs penalty stays outside the α weighting
            LossFunction loss = (out, labels) -> task.apply(out, labels).add(Abs.penalty(model));
            Map<String, String> settings = Map.of("compress.method", "abs", "compress.budget", Double.toString(budget), "compress.seed",
                    Long.toString(run.seed));
            model.train();
            Trainer.Result fitted = FineTune.fit(cl, s, model, train, new FineTune.Run(opt, null, loss, epochs, null, settings),
                    Path.of(common.out + ".ckpt"), run);
            DistillOptions.close(task);
            Abs.Result r = Abs.finish(model);
            PrintWriter err = cl.getErr();
            err.println(r.report());
            FilterRemoval.Result removal = FilterRemoval.apply(r.model(), CompressOptions.sample(s));
            err.println(removal.total() == 0 ? "no 0-bit filter group to remove" : "removed " + removal.total() + " 0-bit filters from the model "
                    + removal.removedFilters() + " (with the next layers' inputs)");
            Module integer = Conversion.convert(r.model());
            String recipe = String.format(Locale.ROOT, "abs budget=%s bits=%s epochs=%d sgd_lr=%s gate_lr=%s batch=%d seed=%d weights=%s",
                    budget, joined(bits), epochs, lr, gateLr, b, run.seed, common.weights.getFileName()) + (kt == null ? "" : " " + kt.description());
            AbsReport rep = r.report();
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("budget", budget);
            extra.put("searched_bops", rep.bops());
            extra.put("w8a8_bops", rep.w8a8Bops());
            extra.put("meets_budget", rep.meetsBudget());
            extra.put("repairs", rep.repairs());
            extra.put("history", FineTune.record(fitted));
            extra.put("removed_filters", removal.removedFilters());
            common.finish(cl, s, integer, removal.plan(), "ABS at " + budget + " of W8A8 BOPs", recipe, extra);
        }
        return 0;
    }

    private static String joined(int[] v) {
        StringBuilder sb = new StringBuilder();
        for (int x : v) sb.append(sb.length() == 0 ? "" : ",").append(x);
        return sb.toString();
    }
}
