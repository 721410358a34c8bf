package dev.tersor.tensor;

import dev.tersor.tensor.backend.Parallel;
import java.util.Arrays;

/**
 * Integer-indexed reads: {@code gather} (backward: scatter-add), {@code indexSelect} (backward:
 * index-add) and {@code oneHot}. Every index is checked before anything is written; a bad one
 * fails with {@link IndexOutOfBoundsException} naming the index, where it sits, the axis and
 * the axis' size.
 */
final class Indexing {
    private Indexing() {
    }

    /** See {@link Functional#gather}. */
    static Tensor gather(Tensor x, int dimIn, IntTensor index) {
        String op = "gather";
        if (index.dim() != x.dim()) {
            throw new IllegalArgumentException(op + ": index " + Shape.str(index.shape()) + " must have the same rank as input "
                    + Shape.str(x.shape));
        }
        int dim = Shape.axis(op, dimIn, x.dim());
        int[] is = index.shape();
        for (int d = 0; d < is.length; d++) {
            if (d != dim && is[d] > x.shape[d]) {
                throw new IllegalArgumentException(op + ": index " + Shape.str(is) + " is larger than input "
                        + Shape.str(x.shape) + " along axis " + d + " (" + is[d] + " > " + x.shape[d] + ")");
            }
        }
        int[] idx = index.data();
        int size = x.dim() == 0 ? 1 : x.shape[dim];
        for (int p = 0; p < idx.length; p++) checkIndex(op, idx[p], p, is, dim, size, x.shape);
        int[] xShape = x.shape;
        return new LinearKernels(op, "scatterAdd", t -> {
            int[] offsets = offsets(t.offset, t.strides, dim, is, idx);   // position of each gathered element in t's storage
            float[] td = t.storage.data;
            float[] out = new float[idx.length];
            for (int p = 0; p < out.length; p++) out[p] = td[offsets[p]];
            return Tensor.wrap(out, is);
        }, g -> {
            float[] gd = OpArgs.dense(g).toArray();
            int[] contiguous = offsets(0, Shape.contiguousStrides(xShape), dim, is, idx);
            float[] gx = new float[Shape.numel(xShape)];
            for (int p = 0; p < gd.length; p++) gx[contiguous[p]] += gd[p];
            return Tensor.wrap(gx, xShape);
        }).apply(x);
    }

    /**
     * For each position p of an index of shape {@code is}: the storage offset of the element of a
     * tensor (at {@code offset} with {@code strides}) at p with axis {@code dim} replaced by idx[p].
     */
    private static int[] offsets(int offset, int[] strides, int dim, int[] is, int[] idx) {
        int rank = is.length;
        int[] out = new int[idx.length];
        int[] pos = new int[rank];
        int base = offset;   // offset of pos along every axis but dim
        for (int p = 0; p < idx.length; p++) {
            out[p] = base + (rank == 0 ? 0 : idx[p] * strides[dim]);
            for (int d = rank - 1; d >= 0; d--) {
                int step = d == dim ? 0 : strides[d];
                if (++pos[d] < is[d]) {
                    base += step;
                    break;
                }
                base -= (pos[d] - 1) * step;
                pos[d] = 0;
            }
        }
        return out;
    }

    /** See {@link Functional#indexSelect}. */
    static Tensor indexSelect(Tensor x, int dimIn, IntTensor index) {
        String op = "indexSelect";
        if (index.dim() > 1) {
            throw new IllegalArgumentException(op + ": index " + Shape.str(index.shape()) + " must be 1-D (input "
                    + Shape.str(x.shape) + ")");
        }
        if (x.dim() == 0) throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " has no axis to select from");
        int dim = Shape.axis(op, dimIn, x.dim());
        int[] idx = index.data();
        int size = x.shape[dim];
        for (int p = 0; p < idx.length; p++) checkIndex(op, idx[p], p, new int[] {idx.length}, dim, size, x.shape);
        int outer = Shape.numel(java.util.Arrays.copyOfRange(x.shape, 0, dim));
        int inner = Shape.numel(java.util.Arrays.copyOfRange(x.shape, dim + 1, x.dim()));
        int[] outShape = x.shape.clone();
        outShape[dim] = idx.length;
        int k = idx.length, in = inner;
        int grain = Math.max(1, Elementwise.GRAIN / Math.max(1, k * inner));
        int[] xShape = x.shape;
        return new LinearKernels(op, "indexAdd", t -> {
            Tensor xc = OpArgs.dense(t);
            float[] out = new float[Shape.numel(outShape)];
            Parallel.forRange(outer, grain, (o0, o1) -> {
                for (int o = o0; o < o1; o++) {
                    for (int j = 0; j < k; j++) {
                        System.arraycopy(xc.storage.data, xc.offset + (o * size + idx[j]) * in, out, (o * k + j) * in, in);
                    }
                }
            });
            return Tensor.wrap(out, outShape);
        }, g -> {
            Tensor gc = OpArgs.dense(g);
            float[] gx = new float[Shape.numel(xShape)];
            Parallel.forRange(outer, grain, (o0, o1) -> {
                for (int o = o0; o < o1; o++) {
                    for (int j = 0; j < k; j++) {
                        Im2col.addTo(gc.storage.data, gc.offset + (o * k + j) * in, gx, (o * size + idx[j]) * in, in);
                    }
                }
            });
            return Tensor.wrap(gx, xShape);
        }).apply(x);
    }

    /** See {@link Functional#oneHot}. */
    static Tensor oneHot(IntTensor labels, int numClasses) {
        String op = "oneHot";
        int[] l = labels.data();
        int classes = numClasses;
        if (numClasses == -1) {
            classes = 0;
            for (int v : l) classes = Math.max(classes, v + 1);
        } else if (numClasses <= 0) {
            throw new IllegalArgumentException(op + ": numClasses must be positive (or -1 to infer), got " + numClasses);
        }
        int[] ls = labels.shape();
        for (int p = 0; p < l.length; p++) {
            if (l[p] < 0 || l[p] >= classes) {
                throw new IndexOutOfBoundsException(op + ": label " + l[p] + " at position " + position(p, ls)
                        + " of labels " + Shape.str(ls) + " is out of range for " + classes + " classes");
            }
        }
        int[] shape = Arrays.copyOf(ls, ls.length + 1);
        shape[ls.length] = classes;
        float[] out = new float[Shape.numel(shape)];
        for (int p = 0; p < l.length; p++) out[p * classes + l[p]] = 1f;
        return Tensor.wrap(out, shape);
    }

    private static void checkIndex(String op, int value, int p, int[] indexShape, int dim, int size, int[] inputShape) {
        if (value < 0 || value >= size) {
            throw new IndexOutOfBoundsException(op + ": index " + value + " at position " + position(p, indexShape)
                    + " is out of range for axis " + dim + " of size " + size + " (input " + Shape.str(inputShape) + ")");
        }
    }

    /** The multi-index of flat position {@code p} in {@code shape}, as "[i, j]". */
    private static String position(int p, int[] shape) {
        int[] pos = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            pos[d] = p % Math.max(shape[d], 1);
            p /= Math.max(shape[d], 1);
        }
        return Arrays.toString(pos);
    }
}
