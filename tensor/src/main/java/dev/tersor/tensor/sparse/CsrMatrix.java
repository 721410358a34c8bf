package dev.tersor.tensor.sparse;

import java.util.Arrays;

/**
 * A sparse matrix [rows, cols] in compressed sparse row form: the nonzeros of row {@code r} are
 * {@code values[p]} at column {@code columns[p]} for {@code p} in {@code [rowPointers[r], rowPointers[r+1])},
 * columns strictly increasing within a row.
 * <pre>
 * dense  [[0, 2, 0],       rowPointers [0, 1, 1, 3]
 *         [0, 0, 0],   →   columns     [1, 0, 2]
 *         [5, 0, 7]]       values      [2, 5, 7]
 * </pre>
 * The constructor checks every invariant (a corrupt file must not reach a kernel): row pointers
 * start at 0, never decrease and end at the number of values; column indices lie in
 * {@code [0, cols)} and increase within a row. The arrays are not copied; the accessors return
 * copies.
 * <pre>{@code
 * CsrMatrix w = CsrMatrix.fromDense(weights, 120, 400);   // keeps the entries != 0
 * float[] back = w.toDense();                              // bit for bit the input (with -0.0 as 0)
 * }</pre>
 */
public final class CsrMatrix {
    private final int rows, cols;
    final int[] rowPointers;   // [rows + 1]
    final int[] columns;       // [nnz]
    final float[] values;      // [nnz]

    /**
     * A matrix from its three arrays (not copied).
     *
     * @throws IllegalArgumentException naming the first broken invariant (row, position, value)
     */
    public CsrMatrix(int rows, int cols, int[] rowPointers, int[] columns, float[] values) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("CsrMatrix: shape must be positive, got [" + rows + ", " + cols + "]");
        if (rowPointers == null || rowPointers.length != rows + 1) {
            throw new IllegalArgumentException("CsrMatrix: " + rows + " rows need " + (rows + 1) + " row pointers, got "
                    + (rowPointers == null ? "none" : Integer.toString(rowPointers.length)));
        }
        if (columns == null || values == null || columns.length != values.length) {
            throw new IllegalArgumentException("CsrMatrix: " + (columns == null ? "no" : columns.length) + " column indices but "
                    + (values == null ? "no" : values.length) + " values");
        }
        if (rowPointers[0] != 0) throw new IllegalArgumentException("CsrMatrix: row pointer 0 is " + rowPointers[0] + ", expected 0");
        for (int r = 0; r < rows; r++) {
            int lo = rowPointers[r], hi = rowPointers[r + 1];
            if (hi < lo) {
                throw new IllegalArgumentException("CsrMatrix: row pointers are not monotone: pointer " + (r + 1) + " = " + hi
                        + " is below pointer " + r + " = " + lo);
            }
            if (hi > values.length) {
                throw new IllegalArgumentException("CsrMatrix: row pointer " + (r + 1) + " = " + hi + " is past the " + values.length + " values");
            }
        }
        for (int r = 0; r < rows; r++) {
            int lo = rowPointers[r], hi = rowPointers[r + 1];
            for (int p = lo; p < hi; p++) {
                int c = columns[p];
                if (c < 0 || c >= cols) {
                    throw new IllegalArgumentException("CsrMatrix: column index " + c + " at position " + p + " (row " + r
                            + ") is outside [0, " + cols + ")");
                }
                if (p > lo && c <= columns[p - 1]) {
                    throw new IllegalArgumentException("CsrMatrix: column indices of row " + r + " are not increasing: " + columns[p - 1]
                            + " then " + c + " at position " + p);
                }
            }
        }
        if (rowPointers[rows] != values.length) {
            throw new IllegalArgumentException("CsrMatrix: the last row pointer is " + rowPointers[rows] + " but there are "
                    + values.length + " values");
        }
        this.rows = rows;
        this.cols = cols;
        this.rowPointers = rowPointers;
        this.columns = columns;
        this.values = values;
    }

    /** The entries of a dense row-major {@code dense [rows, cols]} that are not zero (±0 are dropped). */
    public static CsrMatrix fromDense(float[] dense, int rows, int cols) {
        if (rows < 1 || cols < 1 || dense == null || (long) rows * cols != dense.length) {
            throw new IllegalArgumentException("CsrMatrix.fromDense: " + (dense == null ? "no" : dense.length) + " values do not fill ["
                    + rows + ", " + cols + "]");
        }
        int nnz = 0;
        for (float v : dense) if (v != 0f) nnz++;
        int[] ptr = new int[rows + 1], col = new int[nnz];
        float[] val = new float[nnz];
        int p = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0, i = r * cols; c < cols; c++, i++) {
                if (dense[i] != 0f) {
                    col[p] = c;
                    val[p++] = dense[i];
                }
            }
            ptr[r + 1] = p;
        }
        return new CsrMatrix(rows, cols, ptr, col, val);
    }

    /** The dense row-major form [rows, cols]. */
    public float[] toDense() {
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int p = rowPointers[r]; p < rowPointers[r + 1]; p++) out[r * cols + columns[p]] = values[p];
        }
        return out;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Number of stored values. */
    public int nonzeros() {
        return values.length;
    }

    /** {@code nnz / (rows·cols)}. */
    public double density() {
        return (double) values.length / ((long) rows * cols);
    }

    /** The row pointers [rows + 1] (a copy). */
    public int[] rowPointers() {
        return rowPointers.clone();
    }

    /** The column index of every value [nnz] (a copy). */
    public int[] columns() {
        return columns.clone();
    }

    /** The values [nnz] (a copy). */
    public float[] values() {
        return values.clone();
    }

    /** Rows {@code [from, to)} as their own matrix (the rows of one convolution group). */
    public CsrMatrix rowRange(int from, int to) {
        if (from < 0 || to > rows || from >= to) throw new IllegalArgumentException("CsrMatrix.rowRange: [" + from + ", " + to + ") of " + rows + " rows");
        int base = rowPointers[from];
        int[] ptr = new int[to - from + 1];
        for (int r = from; r <= to; r++) ptr[r - from] = rowPointers[r] - base;
        return new CsrMatrix(to - from, cols, ptr, Arrays.copyOfRange(columns, base, rowPointers[to]),
                Arrays.copyOfRange(values, base, rowPointers[to]));
    }

    @Override
    public String toString() {
        return "CsrMatrix[" + rows + ", " + cols + "], " + values.length + " nonzeros";
    }
}
