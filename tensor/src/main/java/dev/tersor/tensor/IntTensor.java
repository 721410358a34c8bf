package dev.tersor.tensor;

import java.util.Arrays;

/**
 * An n-dimensional int32 array for labels, class indices and arg-reductions. Contiguous and
 * never differentiable. {@code IntTensor.of(new int[] {3, 1, 4}, 3)} is a vector of three labels.
 */
public final class IntTensor {
    private final int[] data;
    private final int[] shape;

    private IntTensor(int[] data, int[] shape) {
        this.data = data;
        this.shape = shape;
    }

    static IntTensor wrap(int[] data, int[] shape) {
        if (data.length != Shape.numel(shape)) {
            throw new IllegalArgumentException(data.length + " values do not fill shape " + Shape.str(shape));
        }
        return new IntTensor(data, shape.clone());
    }

    /** A copy of {@code data} with the given shape. */
    public static IntTensor of(int[] data, int... shape) {
        return wrap(data.clone(), shape);
    }

    /** {@code [0, 1, ..., n-1]}. */
    public static IntTensor arange(int n) {
        int[] d = new int[n];
        for (int i = 0; i < n; i++) d[i] = i;
        return new IntTensor(d, new int[] {n});
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Number of axes. */
    public int dim() {
        return shape.length;
    }

    /** Size of axis {@code d} (negative counts from the end). */
    public int size(int d) {
        return shape[Shape.axis("size", d, shape.length)];
    }

    /** Number of elements. */
    public int numel() {
        return data.length;
    }

    /** The element at a flat row-major position. */
    public int getFlat(int i) {
        return data[i];
    }

    /** The element at {@code index} (one index per axis). */
    public int get(int... index) {
        if (index.length != shape.length) throw new IllegalArgumentException(index.length + " indices for shape " + Shape.str(shape));
        int flat = 0;
        for (int d = 0; d < index.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " is out of bounds for shape " + Shape.str(shape));
            }
            flat = flat * shape[d] + index[d];
        }
        return data[flat];
    }

    /** The value of a one-element tensor. */
    public int item() {
        if (data.length != 1) throw new IllegalStateException("item: tensor of shape " + Shape.str(shape) + " has " + data.length + " elements, not 1");
        return data[0];
    }

    /** The elements in row-major order, as a new array. */
    public int[] toArray() {
        return data.clone();
    }

    /** The same data in a new shape (one size may be -1). */
    public IntTensor reshape(int... newShape) {
        return new IntTensor(data, Views.resolve("reshape", shape, newShape));
    }

    /** Number of positions where this equals {@code other} (same shape). */
    public int countEqual(IntTensor other) {
        if (!Arrays.equals(shape, other.shape)) {
            throw new IllegalArgumentException("countEqual: shapes " + Shape.str(shape) + " and " + Shape.str(other.shape) + " differ");
        }
        int n = 0;
        for (int i = 0; i < data.length; i++) if (data[i] == other.data[i]) n++;
        return n;
    }

    /** The values as floats. */
    public Tensor toFloat() {
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) f[i] = data[i];
        return Tensor.wrap(f, shape);
    }

    int[] data() {
        return data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IntTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return TensorFormat.format(toFloat(), true);
    }
}
