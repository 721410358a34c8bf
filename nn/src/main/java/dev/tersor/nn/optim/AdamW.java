package dev.tersor.nn.optim;

import dev.tersor.nn.Parameter;
import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), step for step as PyTorch 1.13's
 * {@code torch.optim.AdamW}: before the Adam update (which then sees the plain gradient),
 * <pre>
 * p = p · (1 − lr·weightDecay)
 * </pre>
 * It takes {@link Adam.Options}; {@link #options()} starts from PyTorch's AdamW defaults.
 * <pre>{@code
 * var opt = new AdamW(model.parameters(), AdamW.options().lr(1e-3).weightDecay(0.05).build());
 * }</pre>
 */
public final class AdamW extends Adam {
    /** A builder with PyTorch's AdamW defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2. */
    public static Builder options() {
        return new Builder(new Options(1e-3, 0.9, 0.999, 1e-8, 1e-2, false));
    }

    /** AdamW over {@code params} in one group. */
    public AdamW(List<Parameter> params, Options options) {
        this(List.of(new ParamGroup<>(params, options)));
    }

    /** AdamW over several groups. */
    public AdamW(List<ParamGroup<Options>> groups) {
        super(groups, true);
    }
}
