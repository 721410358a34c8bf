package dev.tersor.compress.sparse;

/**
 * How a sparse layer's nonzero weights are stored in a compressed file (the smaller is chosen per
 * layer, {@link SparseWeights}); n weights [rows, cols], nnz kept, float32 values:
 * <pre>
 * CSR      values F32 [nnz] + col_idx [nnz] + row_ptr [rows + 1], indices in the narrowest of U8/U16/I32
 *          bytes = 4·nnz + b(cols − 1)·nnz + b(nnz)·(rows + 1)
 * BITMASK  values F32 [nnz] + mask U8 [⌈n/8⌉] (bit i of the row-major weight = bit i%8 of byte i/8)
 *          bytes = 4·nnz + ⌈n/8⌉
 * DENSE    the float weight as an ordinary layer, when neither is smaller than 4·n
 * </pre>
 */
public enum SparseFormat {
    CSR, BITMASK, DENSE;

    /** Its name in the file's scheme and in reports. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
