package dev.tersor.nn.optim;

import dev.tersor.nn.Parameter;
import java.util.List;
import java.util.Objects;

/**
 * Parameters that share hyperparameters, as an entry of PyTorch's {@code param_groups}:
 * <pre>{@code
 * var base = Sgd.options(0.1).momentum(0.9).build();
 * var sgd = new Sgd(List.of(
 *         new ParamGroup<>(backbone.parameters(), base),
 *         new ParamGroup<>(head.parameters(), base.toBuilder().lr(0.01).weightDecay(0).build())));
 * }</pre>
 * The parameter list is fixed; the options (lr included) may be replaced, e.g. by a scheduler.
 *
 * @param <O> the optimizer's options record
 */
public final class ParamGroup<O extends OptimizerOptions<O>> {
    private final List<Parameter> params;
    private O options;

    /** A group of {@code params} (copied) trained with {@code options}. */
    public ParamGroup(List<Parameter> params, O options) {
        Objects.requireNonNull(params, "params");
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i) == null) throw new IllegalArgumentException("params[" + i + "] is null");
        }
        this.params = List.copyOf(params);
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The parameters, in order. */
    public List<Parameter> params() {
        return params;
    }

    /** The hyperparameters, lr included. */
    public O options() {
        return options;
    }

    /** Replaces the hyperparameters (a validated record). */
    public void setOptions(O options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The current learning rate. */
    public double lr() {
        return options.lr();
    }

    /** Sets the learning rate (finite, {@code >= 0}). */
    public void setLr(double lr) {
        options = options.withLr(lr);
    }

    /** The weight decay. */
    public double weightDecay() {
        return options.weightDecay();
    }

    @Override
    public String toString() {
        return "ParamGroup(" + params.size() + " params, " + options + ")";
    }
}
