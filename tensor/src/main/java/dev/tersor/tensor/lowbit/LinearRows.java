package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * The input of an inference linear layer x [..., in] seen as {@code rows} contiguous rows: what
 * {@link Int8Linear}, {@link Int8WeightOnlyLinear} and {@link XnorLinear} check and share.
 *
 * @param src      x detached from any graph, contiguous
 * @param rows     the product of x's leading dimensions
 * @param outShape x's shape with the last dimension {@code out}
 */
record LinearRows(Tensor src, int rows, int[] outShape) {

    /** x as rows of {@code in} features; a wrong last dimension is an error naming {@code op}. */
    static LinearRows of(String op, Tensor x, int in, int out) {
        if (x.dim() < 1 || x.size(x.dim() - 1) != in) {
            throw new IllegalArgumentException(op + ": expected input [..., " + in + "], got " + Arrays.toString(x.shape()));
        }
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        return new LinearRows((x.requiresGrad() ? x.detach() : x).contiguous(), x.numel() / in, shape);
    }
}
