package dev.tersor.cli;

import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.optim.Adam;
import dev.tersor.nn.optim.AdamW;
import dev.tersor.nn.optim.CosineLr;
import dev.tersor.nn.optim.LrScheduler;
import dev.tersor.nn.optim.MultiStepLr;
import dev.tersor.nn.optim.Optimizer;
import dev.tersor.nn.optim.ParamGroup;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.zoo.Recipe;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The recipe flags of {@code train} ({@code --optimizer}, {@code --lr}, ... {@code --batch}):
 * each one left out takes the model's default {@link Recipe}. Also builds the optimizer and the
 * learning-rate schedule a recipe names:
 * <ul>
 *   <li>{@code sgd}: {@link Sgd} with momentum and weight decay (on all parameters);
 *       {@code adam}: {@link Adam} (L2 weight decay); {@code adamw}: {@link AdamW} (decoupled);</li>
 *   <li>{@code cosine}: {@link CosineLr} to 0 over all iterations, no warm-up, stepped every
 *       iteration; {@code step}: ×0.1 at 50% and 75% of the iterations ({@link MultiStepLr});
 *       {@code none}: constant.</li>
 * </ul>
 */
final class Training {
    static final List<String> OPTIMIZERS = List.of("sgd", "adam", "adamw");
    static final List<String> SCHEDULES = List.of("cosine", "step", "none");

    /** The recipe flags, as a picocli mixin; null fields take the model's recipe. */
    static final class RecipeOptions {
        @Option(names = "--epochs", paramLabel = "E", description = "Epochs in all, resumed ones included (default: the model's recipe).")
        Integer epochs;

        @Option(names = "--batch", paramLabel = "B", description = "Batch size; the last partial batch is dropped (default: the model's recipe).")
        Integer batch;

        @Option(names = "--optimizer", paramLabel = "sgd|adam|adamw", description = "Optimizer (default: the model's recipe).")
        String optimizer;

        @Option(names = "--lr", paramLabel = "LR", description = "Base learning rate (default: the model's recipe).")
        Double lr;

        @Option(names = "--momentum", paramLabel = "MOM", description = "SGD momentum (default: the model's recipe).")
        Double momentum;

        @Option(names = "--weight-decay", paramLabel = "WD", description = "Weight decay on all parameters (default: the model's recipe).")
        Double weightDecay;

        @Option(names = "--schedule", paramLabel = "cosine|step|none",
                description = "Learning-rate schedule, stepped every iteration: cosine to 0, step (x0.1 at 50%% and 75%%) or none (default: the model's recipe).")
        String schedule;

        /** The model's recipe with the given flags applied; a bad value is a usage error naming its flag. */
        Recipe resolve(CommandLine cl, Recipe defaults, PrintWriter err) {
            String opt = optimizer == null ? defaults.optimizer() : optimizer.trim().toLowerCase(Locale.ROOT);
            if (!OPTIMIZERS.contains(opt)) {
                throw new ParameterException(cl, "--optimizer: unknown optimizer '" + optimizer + "'; valid: " + String.join(", ", OPTIMIZERS));
            }
            String sched = schedule == null ? defaults.schedule() : schedule.trim().toLowerCase(Locale.ROOT);
            if (!SCHEDULES.contains(sched)) {
                throw new ParameterException(cl, "--schedule: unknown schedule '" + schedule + "'; valid: " + String.join(", ", SCHEDULES));
            }
            if (epochs != null && epochs < 1) throw new ParameterException(cl, "--epochs must be >= 1, got " + epochs);
            if (batch != null && batch < 1) throw new ParameterException(cl, "--batch must be >= 1, got " + batch);
            OptionChecks.positive(cl, "--lr", lr);
            if (momentum != null && !(momentum >= 0 && Double.isFinite(momentum))) {
                throw new ParameterException(cl, "--momentum must be a finite number >= 0, got " + momentum);
            }
            if (weightDecay != null && !(weightDecay >= 0 && Double.isFinite(weightDecay))) {
                throw new ParameterException(cl, "--weight-decay must be a finite number >= 0, got " + weightDecay);
            }
            if (momentum != null && !opt.equals("sgd") && err != null) {
                err.println("warning: --momentum is ignored by " + opt + " (it uses betas 0.9, 0.999)");
            }
            boolean sameOptimizer = opt.equals(defaults.optimizer());
            double baseLr = lr != null ? lr : sameOptimizer ? defaults.lr() : defaultLr(opt);
            if (!sameOptimizer && err != null) {
                err.printf(Locale.ROOT, "note: --optimizer %s replaces the recipe's %s: learning rate %s (%s), weight decay %s, schedule %s, "
                                + "%d epochs and batch %d from %s%n", opt, defaults.optimizer(), baseLr,
                        lr != null ? "--lr" : opt + "'s usual default; the recipe's " + defaults.lr() + " is for " + defaults.optimizer(),
                        weightDecay != null ? weightDecay : defaults.weightDecay(), sched, epochs != null ? epochs : defaults.epochs(),
                        batch != null ? batch : defaults.batch(), "the flags given, else the recipe");
            }
            return new Recipe(opt,
                    baseLr,
                    momentum != null ? momentum : sameOptimizer ? defaults.momentum() : opt.equals("sgd") ? 0.9 : 0,
                    weightDecay != null ? weightDecay : defaults.weightDecay(),
                    sched,
                    epochs != null ? epochs : defaults.epochs(),
                    batch != null ? batch : defaults.batch());
        }
    }

    private Training() {
    }

    /** The learning rate an optimizer is usually run at when nothing else says (PyTorch's defaults). */
    static double defaultLr(String optimizer) {
        return switch (optimizer) {
            case "adam", "adamw" -> 1e-3;
            default -> 0.01;
        };
    }

    /** The optimizer {@code recipe} names, over all of {@code model}'s parameters. */
    static Optimizer<?> optimizer(Recipe recipe, Module model) {
        return optimizer(recipe, model.parameters());
    }

    /** The optimizer {@code recipe} names, over {@code params}. */
    static Optimizer<?> optimizer(Recipe recipe, List<Parameter> params) {
        return switch (recipe.optimizer()) {
            case "sgd" -> new Sgd(params, Sgd.options(recipe.lr()).momentum(recipe.momentum())
                    .weightDecay(recipe.weightDecay()).build());
            case "adam" -> new Adam(params, Adam.options().lr(recipe.lr()).weightDecay(recipe.weightDecay()).build());
            case "adamw" -> new AdamW(params, AdamW.options().lr(recipe.lr()).weightDecay(recipe.weightDecay()).build());
            default -> throw new IllegalArgumentException("unknown optimizer '" + recipe.optimizer() + "'");
        };
    }

    /**
     * The optimizer {@code recipe} names with two parameter groups: {@code params} with the recipe's
     * learning rate and weight decay, {@code special} (e.g. quantizers' steps and clips) with
     * {@code specialLr} and no weight decay; an empty {@code special} gives one group.
     */
    static Optimizer<?> optimizer(Recipe recipe, List<Parameter> params, List<Parameter> special, double specialLr) {
        if (special.isEmpty()) return optimizer(recipe, params);
        return switch (recipe.optimizer()) {
            case "sgd" -> {
                Sgd.Options o = Sgd.options(recipe.lr()).momentum(recipe.momentum()).weightDecay(recipe.weightDecay()).build();
                Sgd.Options q = Sgd.options(specialLr).momentum(recipe.momentum()).build();
                yield new Sgd(List.of(new ParamGroup<>(params, o), new ParamGroup<>(special, q)));
            }
            case "adam" -> new Adam(List.of(new ParamGroup<>(params, Adam.options().lr(recipe.lr()).weightDecay(recipe.weightDecay()).build()),
                    new ParamGroup<>(special, Adam.options().lr(specialLr).build())));
            case "adamw" -> new AdamW(List.of(new ParamGroup<>(params, AdamW.options().lr(recipe.lr()).weightDecay(recipe.weightDecay()).build()),
                    new ParamGroup<>(special, AdamW.options().lr(specialLr).weightDecay(0).build())));
            default -> throw new IllegalArgumentException("unknown optimizer '" + recipe.optimizer() + "'");
        };
    }

    /**
     * The schedule {@code recipe} names over {@code recipe.epochs() × stepsPerEpoch} iterations,
     * or null for {@code none}.
     */
    static LrScheduler scheduler(Recipe recipe, Optimizer<?> optimizer, int stepsPerEpoch) {
        int total = Math.multiplyExact(recipe.epochs(), stepsPerEpoch);
        return switch (recipe.schedule()) {
            case "cosine" -> new CosineLr(optimizer, total, 0.0);
            case "step" -> new MultiStepLr(optimizer, new int[] {Math.max(1, total / 2), Math.max(1, total * 3 / 4)}, 0.1);
            case "none" -> null;
            default -> throw new IllegalArgumentException("unknown schedule '" + recipe.schedule() + "'");
        };
    }
}
