package dev.tersor.compress.slb;

import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;

/**
 * One discretized SLB layer as a codebook file needs it: the 2^b values and, per weight, the
 * index of its value. {@code weight[i] = values[indices[i]]}.
 *
 * @param bits    b
 * @param values  the 2^b grid values, ascending (unit grid × α)
 * @param indices [weight shape], each in [0, 2^b)
 */
public record SlbCodebook(int bits, float[] values, IntTensor indices) {

    /** Validates the sizes and the index range. */
    public SlbCodebook {
        if (values == null || indices == null) throw new IllegalArgumentException("SlbCodebook: values and indices must not be null");
        if (values.length != 1 << bits) throw new IllegalArgumentException("SlbCodebook: " + values.length + " values for " + bits + " bits");
        for (int i : indices.toArray()) {
            if (i < 0 || i >= values.length) throw new IllegalArgumentException("SlbCodebook: index " + i + " outside [0, " + values.length + ")");
        }
        values = values.clone();
    }

    /** The values (a copy). */
    @Override
    public float[] values() {
        return values.clone();
    }

    /** The weight the codes stand for: {@code values[indices]}, shaped as the indices. */
    public Tensor weight() {
        int[] idx = indices.toArray();
        float[] w = new float[idx.length];
        for (int i = 0; i < idx.length; i++) w[i] = values[idx[i]];
        return Tensor.fromArray(w, indices.shape());
    }
}
