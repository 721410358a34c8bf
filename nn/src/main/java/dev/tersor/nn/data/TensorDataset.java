package dev.tersor.nn.data;

import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A data set held in memory: every input in one {@code float[]} laid out {@code [N, ...]} row-major
 * and one {@code int} label per sample. {@link DataLoader} copies batches straight out of the array
 * with {@link System#arraycopy}. The readers ({@link Mnist}, {@link Cifar}, {@link ImageFolder})
 * return one, with the class names when they are known.
 * <pre>{@code
 * TensorDataset ds = TensorDataset.of(new float[] {0, 1, 2, 3, 4, 5}, new int[] {0, 1, 0}, 2);
 * ds.get(1);   // Example[input=[2, 3], label=1]
 * }</pre>
 */
public final class TensorDataset implements Dataset {
    private final float[] inputs;     // [N, sampleShape...], row-major
    private final int[] labels;       // [N]
    private final int[] sampleShape;  // shape of one sample, e.g. [C, H, W]
    private final int sampleSize;     // product of sampleShape
    private final List<String> classes;

    private TensorDataset(float[] inputs, int[] labels, int[] sampleShape, List<String> classes) {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(sampleShape, "sampleShape");
        long size = 1;
        for (int d : sampleShape) {
            if (d <= 0) throw new IllegalArgumentException("sample shape " + Arrays.toString(sampleShape) + " has a non-positive size");
            size *= d;
            if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("sample shape " + Arrays.toString(sampleShape) + " is too large");
        }
        if ((long) labels.length * size != inputs.length) {
            throw new IllegalArgumentException(inputs.length + " input values do not hold " + labels.length
                    + " samples of shape " + Arrays.toString(sampleShape) + " (expected " + (long) labels.length * size + ")");
        }
        this.classes = List.copyOf(classes);
        for (int i = 0; i < labels.length; i++) {
            int l = labels[i];
            if (l < 0 || (!this.classes.isEmpty() && l >= this.classes.size())) {
                throw new IllegalArgumentException("label " + l + " of sample " + i + " is outside "
                        + (this.classes.isEmpty() ? "0.." : "0.." + (this.classes.size() - 1) + " (" + this.classes.size() + " classes)"));
            }
        }
        this.inputs = inputs;
        this.labels = labels;
        this.sampleShape = sampleShape.clone();
        this.sampleSize = (int) size;
    }

    /** Takes the arrays as they are (no copy): for the readers of this package. */
    static TensorDataset wrap(float[] inputs, int[] labels, int[] sampleShape, List<String> classes) {
        return new TensorDataset(inputs, labels, sampleShape, classes);
    }

    /**
     * A data set of copies of {@code inputs} ({@code labels.length} samples of {@code sampleShape},
     * row-major) and {@code labels}; no class names.
     */
    public static TensorDataset of(float[] inputs, int[] labels, int... sampleShape) {
        return new TensorDataset(inputs.clone(), labels.clone(), sampleShape, List.of());
    }

    /** A data set of copies of {@code inputs [N, ...]} and {@code labels [N]}; no class names. */
    public static TensorDataset of(Tensor inputs, IntTensor labels) {
        int[] s = inputs.shape();
        if (s.length == 0 || labels.dim() != 1 || labels.size(0) != s[0]) {
            throw new IllegalArgumentException("inputs " + Arrays.toString(s) + " and labels " + Arrays.toString(labels.shape())
                    + " disagree: expected inputs [N, ...] and labels [N]");
        }
        return new TensorDataset(inputs.toArray(), labels.toArray(), Arrays.copyOfRange(s, 1, s.length), List.of());
    }

    /** The same samples with these class names ({@code classes.get(label)}); every label must be below their count. */
    public TensorDataset withClasses(List<String> classes) {
        return new TensorDataset(inputs, labels, sampleShape, classes);
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public Example get(int index) {
        Objects.checkIndex(index, labels.length);
        return new Example(Tensor.fromArray(Arrays.copyOfRange(inputs, index * sampleSize, (index + 1) * sampleSize), sampleShape), labels[index]);
    }

    /** The label of sample {@code index}. */
    public int label(int index) {
        return labels[Objects.checkIndex(index, labels.length)];
    }

    /** Shape of one sample, e.g. {@code [1, 28, 28]}. */
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    /** Number of values in one sample (the product of {@link #sampleShape()}). */
    public int sampleSize() {
        return sampleSize;
    }

    /** Class names indexed by label, or an empty list when unknown. */
    public List<String> classes() {
        return classes;
    }

    /** All inputs as a new tensor {@code [N, ...]}. */
    public Tensor inputs() {
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = labels.length;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return Tensor.fromArray(inputs, shape);
    }

    /** All labels as a new tensor {@code [N]}. */
    public IntTensor labels() {
        return IntTensor.of(labels, labels.length);
    }

    /** A copy of samples {@code from} (inclusive) to {@code to} (exclusive), with the same class names. */
    public TensorDataset subset(int from, int to) {
        Objects.checkFromToIndex(from, to, labels.length);
        return new TensorDataset(Arrays.copyOfRange(inputs, from * sampleSize, to * sampleSize),
                Arrays.copyOfRange(labels, from, to), sampleShape, classes);
    }

    /** A copy of the samples at {@code indices}, in that order, with the same class names. */
    public TensorDataset subset(int[] indices) {
        float[] in = new float[Math.multiplyExact(indices.length, sampleSize)];
        int[] lab = new int[indices.length];
        gather(indices, 0, indices.length, in, lab);
        return new TensorDataset(in, lab, sampleShape, classes);
    }

    /** Copies samples {@code indices[from .. from+count)} into {@code dst} (packed) and their labels into {@code dstLabels}. */
    void gather(int[] indices, int from, int count, float[] dst, int[] dstLabels) {
        int run = 0;
        for (int k = 0; k < count; k += run) {
            int first = indices[from + k];
            Objects.checkIndex(first, labels.length);
            run = 1;   // copy runs of consecutive indices (all of them when not shuffled) in one call
            while (k + run < count && indices[from + k + run] == first + run && first + run < labels.length) run++;
            System.arraycopy(inputs, first * sampleSize, dst, k * sampleSize, run * sampleSize);
            System.arraycopy(labels, first, dstLabels, k, run);
        }
    }

    @Override
    public String toString() {
        return "TensorDataset[" + labels.length + " samples of " + Arrays.toString(sampleShape)
                + (classes.isEmpty() ? "" : ", " + classes.size() + " classes") + "]";
    }
}
