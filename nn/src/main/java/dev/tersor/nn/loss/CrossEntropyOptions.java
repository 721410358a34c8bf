package dev.tersor.nn.loss;

import java.util.Arrays;

/**
 * Settings of {@link Losses#crossEntropy(dev.tersor.tensor.Tensor, dev.tersor.tensor.IntTensor,
 * CrossEntropyOptions)}, PyTorch's {@code F.cross_entropy} arguments:
 * <pre>{@code
 * CrossEntropyOptions o = CrossEntropyOptions.defaults()
 *         .withClassWeights(1f, 4f, 1f)      // weight [C]
 *         .withIgnoreIndex(-1)               // ignore_index
 *         .withLabelSmoothing(0.1f);         // label_smoothing
 * }</pre>
 *
 * @param labelSmoothing ε ∈ [0, 1]
 * @param classWeights   w [C], each finite and ≥ 0, or null for all 1 (copied in and out)
 * @param ignoreIndex    samples with this label count for nothing (PyTorch's default −100)
 * @param reduction      NONE, MEAN (the weighted mean {@code Σ loss_i / Σ w_{y_i}} over the samples
 *                       not ignored) or SUM; not BATCH_MEAN
 */
public record CrossEntropyOptions(float labelSmoothing, float[] classWeights, int ignoreIndex, Reduction reduction) {
    /** PyTorch's {@code ignore_index} default. */
    public static final int DEFAULT_IGNORE_INDEX = -100;

    /**
     * Validates every setting. Negative weights are rejected (PyTorch accepts them, but they
     * reward the wrong class and can make the weighted mean's denominator 0 or negative).
     */
    public CrossEntropyOptions {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("crossEntropy: label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        if (reduction == null) throw new IllegalArgumentException("crossEntropy: reduction must not be null");
        if (reduction == Reduction.BATCH_MEAN) {
            throw new IllegalArgumentException("crossEntropy: BATCH_MEAN is only for klDiv; use MEAN");
        }
        if (classWeights != null) {
            if (classWeights.length == 0) throw new IllegalArgumentException("crossEntropy: class weights must not be empty");
            for (int c = 0; c < classWeights.length; c++) {
                float w = classWeights[c];
                if (!(w >= 0f) || Float.isInfinite(w)) {
                    throw new IllegalArgumentException("crossEntropy: class weight " + c + " is " + w
                            + "; weights must be finite and >= 0");
                }
            }
            classWeights = classWeights.clone();
        }
    }

    /** No smoothing, no weights, ignore index −100, mean over samples (PyTorch's defaults). */
    public static CrossEntropyOptions defaults() {
        return new CrossEntropyOptions(0f, null, DEFAULT_IGNORE_INDEX, Reduction.MEAN);
    }

    /** A copy of the class weights, or null when every class weighs 1. */
    @Override
    public float[] classWeights() {
        return classWeights == null ? null : classWeights.clone();
    }

    /** These settings with label smoothing ε. */
    public CrossEntropyOptions withLabelSmoothing(float epsilon) {
        return new CrossEntropyOptions(epsilon, classWeights, ignoreIndex, reduction);
    }

    /** These settings with one weight per class (none: every class weighs 1). */
    public CrossEntropyOptions withClassWeights(float... weights) {
        return new CrossEntropyOptions(labelSmoothing, weights == null || weights.length == 0 ? null : weights,
                ignoreIndex, reduction);
    }

    /** These settings with samples labelled {@code index} ignored. */
    public CrossEntropyOptions withIgnoreIndex(int index) {
        return new CrossEntropyOptions(labelSmoothing, classWeights, index, reduction);
    }

    /** These settings with another reduction. */
    public CrossEntropyOptions withReduction(Reduction r) {
        return new CrossEntropyOptions(labelSmoothing, classWeights, ignoreIndex, r);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CrossEntropyOptions other && Float.compare(labelSmoothing, other.labelSmoothing) == 0
                && Arrays.equals(classWeights, other.classWeights) && ignoreIndex == other.ignoreIndex
                && reduction == other.reduction;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * Float.hashCode(labelSmoothing) + Arrays.hashCode(classWeights)) + ignoreIndex)
                + reduction.hashCode();
    }

    @Override
    public String toString() {
        return "CrossEntropyOptions[labelSmoothing=" + labelSmoothing + ", classWeights=" + Arrays.toString(classWeights)
                + ", ignoreIndex=" + ignoreIndex + ", reduction=" + reduction + "]";
    }
}
