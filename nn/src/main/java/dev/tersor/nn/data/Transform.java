package dev.tersor.nn.data;

import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * A transform of a batch of images {@code [N, C, H, W]}, applied by {@link DataLoader} after
 * batching. Random transforms draw from the {@link Generator} they are given, sample by sample in
 * order, so the same generator state gives the same output. Implementations work on the
 * row-major {@code float[]} directly.
 */
public interface Transform {
    /**
     * The shape {@code [C, H, W]} of one output sample for input samples of {@code sampleShape};
     * throws {@link IllegalArgumentException} when the input does not fit. The default keeps the shape.
     */
    default int[] outputShape(int[] sampleShape) {
        return requireImage(getClass().getSimpleName(), sampleShape).clone();
    }

    /**
     * Transforms {@code n} samples: {@code in} holds {@code [n, sampleShape]} and {@code out}
     * receives {@code [n, outputShape(sampleShape)]}. {@code in} and {@code out} may be the same
     * array when the two shapes are equal.
     */
    void apply(float[] in, float[] out, int n, int[] sampleShape, Generator gen);

    /** The same on a tensor {@code [N, C, H, W]}, returning a new tensor; {@code batch} is unchanged. */
    default Tensor apply(Tensor batch, Generator gen) {
        int[] s = batch.shape();
        if (s.length != 4) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " expects a batch [N, C, H, W], got " + Arrays.toString(s));
        }
        int[] sample = {s[1], s[2], s[3]};
        int[] o = outputShape(sample);
        float[] in = batch.toArray();
        float[] out = Arrays.equals(o, sample) ? in : new float[s[0] * o[0] * o[1] * o[2]];
        apply(in, out, s[0], sample, gen);
        return Tensor.fromArray(out, s[0], o[0], o[1], o[2]);
    }

    /** Checks that {@code sampleShape} is {@code [C, H, W]} and returns it. */
    static int[] requireImage(String who, int[] sampleShape) {
        if (sampleShape.length != 3) {
            throw new IllegalArgumentException(who + " expects image samples [C, H, W], got " + Arrays.toString(sampleShape));
        }
        return sampleShape;
    }
}
