package dev.tersor.compress.sparse;

import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;

/**
 * A convolution or linear layer trained under a fixed 0/1 mask ({@link MaskedConv2d},
 * {@link MaskedLinear}): its forward uses {@code weight ⊙ mask}, so a pruned weight gets a zero
 * gradient, and each training forward first sets the stored pruned weights to exactly 0 (an
 * optimizer's momentum or a mask that just shrank cannot bring one back into use). The mask is a
 * persistent buffer ({@code <path>.mask}), so checkpoints and resumes keep it.
 */
public interface MaskedLayer {

    /** The weight [K, C/g, kh, kw] or [out, in] (pruned entries 0). */
    Parameter weight();

    /** The bias, or null. */
    Parameter bias();

    /** The mask of the weight's shape, 1 kept and 0 pruned (the buffer itself: change it through {@link #setMask}). */
    Tensor mask();

    /** Sets the mask from {@code keep} (row-major over the weight) and zeroes the pruned weights. */
    default void setMask(boolean[] keep) {
        Tensor m = mask();
        if (keep.length != m.numel()) throw new IllegalArgumentException("mask of " + keep.length + " for " + m.numel() + " weights");
        float[] v = new float[keep.length];
        for (int i = 0; i < v.length; i++) v[i] = keep[i] ? 1f : 0f;
        try (var g = Tensor.noGrad()) {
            m.copyInPlace(Tensor.fromArray(v, m.shape()));
        }
        applyMask();
    }

    /** The mask as booleans (true = kept). */
    default boolean[] keep() {
        float[] m = mask().contiguous().toArray();
        boolean[] out = new boolean[m.length];
        for (int i = 0; i < m.length; i++) out[i] = m[i] != 0f;
        return out;
    }

    /** Sets the stored pruned weights to exactly +0. */
    default void applyMask() {
        try (var g = Tensor.noGrad()) {
            Tensor w = weight().value(), m = mask().contiguous();
            float[] wd = w.data(), md = m.data();
            int wo = w.dataOffset(), mo = m.dataOffset(), n = w.numel();
            boolean changed = false;
            for (int i = 0; i < n; i++) {
                if (md[mo + i] == 0f && Float.floatToRawIntBits(wd[wo + i]) != 0) {
                    wd[wo + i] = 0f;
                    changed = true;
                }
            }
            if (changed) w.markModified();
        }
    }

    /** The plain layer with the masked weight (weight ⊙ mask) and the same bias and options. */
    Module toDense();
}
