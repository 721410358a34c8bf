package dev.tersor.nn.optim;

import java.util.Map;

/**
 * The hyperparameters of one parameter group, an immutable record validated in its constructor
 * ({@link Sgd.Options}, {@link Adam.Options}, {@link RmsProp.Options}). Schedulers change the
 * learning rate through {@link #withLr}, so a group's {@code options().lr()} is always its
 * current learning rate.
 *
 * @param <O> the implementing record
 */
public interface OptimizerOptions<O extends OptimizerOptions<O>> {
    /** The learning rate. */
    double lr();

    /** The weight decay (L2 penalty or decoupled decay, depending on the optimizer). */
    double weightDecay();

    /** A copy with another learning rate (validated). */
    O withLr(double lr);

    /**
     * Every hyperparameter, lr included, under PyTorch's names ({@code lr}, {@code momentum},
     * {@code weight_decay}, {@code beta1}, ...), values written so that parsing gives the same
     * value back ({@link Double#toString}, {@code true}/{@code false}).
     */
    Map<String, String> toMap();
}
