package dev.tersor.nn.data;

import dev.tersor.tensor.Generator;
import java.util.Arrays;

/**
 * A seeded, stratified hold-out: from each class, a {@code fraction} of its samples (rounded,
 * at least one of every class with two or more) goes to the validation part, the rest stays
 * for training; each part keeps the data set's order. The same labels, fraction and seed give
 * the same split on every machine.
 * <pre>{@code
 * StratifiedSplit s = StratifiedSplit.of(train.labels().toArray(), 0.1, 42);
 * TensorDataset fit = train.subset(s.train()), validation = train.subset(s.validation());
 * }</pre>
 *
 * @param train      indices of the samples kept for training, ascending
 * @param validation indices of the held-out samples, ascending
 */
public record StratifiedSplit(int[] train, int[] validation) {
    public StratifiedSplit {
        train = train.clone();
        validation = validation.clone();
    }

    @Override
    public int[] train() {
        return train.clone();
    }

    @Override
    public int[] validation() {
        return validation.clone();
    }

    /** Splits samples labelled {@code labels} (non-negative class indices), holding out {@code fraction} in (0, 1) of each class. */
    public static StratifiedSplit of(int[] labels, double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + fraction);
        int classes = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) throw new IllegalArgumentException("label " + labels[i] + " of sample " + i + " is negative");
            classes = Math.max(classes, labels[i] + 1);
        }
        int[] count = new int[classes];
        for (int l : labels) count[l]++;
        int[][] members = new int[classes][];
        for (int c = 0; c < classes; c++) members[c] = new int[count[c]];
        int[] fill = new int[classes];
        for (int i = 0; i < labels.length; i++) members[labels[i]][fill[labels[i]]++] = i;
        boolean[] held = new boolean[labels.length];
        int heldOut = 0;
        for (int c = 0; c < classes; c++) {
            int n = count[c];
            int k = (int) Math.min(n - 1, Math.max(n >= 2 ? 1 : 0, Math.round(fraction * n)));
            int[] order = new Generator(seed * 0x9E3779B97F4A7C15L + c).permutation(n);   // one stream per class
            for (int j = 0; j < k; j++) held[members[c][order[j]]] = true;
            heldOut += k;
        }
        if (heldOut == 0) {
            throw new IllegalArgumentException("a validation fraction of " + fraction + " holds out no sample of " + labels.length
                    + " (every class has fewer than two)");
        }
        int[] v = new int[heldOut], t = new int[labels.length - heldOut];
        int vi = 0, ti = 0;
        for (int i = 0; i < labels.length; i++) {
            if (held[i]) v[vi++] = i;
            else t[ti++] = i;
        }
        return new StratifiedSplit(t, v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StratifiedSplit s && Arrays.equals(train, s.train) && Arrays.equals(validation, s.validation);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(train) + Arrays.hashCode(validation);
    }

    @Override
    public String toString() {
        return "StratifiedSplit[" + train.length + " train, " + validation.length + " validation]";
    }
}
