package dev.tersor.nn;

import dev.tersor.tensor.Tensor;

/** Merges axes {@code start..end} (1..−1 by default): [N, C, H, W] → [N, C·H·W]. */
public class Flatten extends Module {
    private final int start, end;

    /** Axes 1 to the last. */
    public Flatten() {
        this(1, -1);
    }

    /** Axes {@code start..end} inclusive. */
    public Flatten(int start, int end) {
        this.start = start;
        this.end = end;
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + start + ", end_dim=" + end;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.flatten(start, end);
    }
}
