package dev.tersor.nn;

import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;

/**
 * In training, zeroes each element with probability p and scales the rest by 1/(1−p); the
 * identity in eval mode. Draws from {@link Rng#global()} unless given its own generator.
 */
public class Dropout extends Module {
    private final float p;
    private final Generator gen;

    /** p = 0.5. */
    public Dropout() {
        this(0.5f);
    }

    /** Drop probability {@code p} in [0, 1). */
    public Dropout(float p) {
        this(p, null);
    }

    /** Drop probability {@code p} with a generator of its own (null: the default stream). */
    public Dropout(float p, Generator gen) {
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        this.p = p;
        this.gen = gen;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0f) return x;
        Generator g = gen != null ? gen : Rng.global();
        Tensor keep = Tensor.rand(g, x.shape()).ge(p).mul(1f / (1f - p));
        return x.mul(keep);
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
