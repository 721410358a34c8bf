package dev.tersor.tensor.backend.vector;

import java.util.Arrays;

/**
 * Copies blocks of {@code op(A)} and {@code op(B)} into the contiguous micro-panel layout that
 * {@link GemmKernel} streams through. This is where {@code transA}/{@code transB} are absorbed:
 * after packing, the kernel sees one layout whatever the storage order was.
 *
 * <pre>
 * A block  op(A)[i0 .. i0+mc, p0 .. p0+kc)  →  ⌈mc/MR⌉ panels, each [kc][MR]:
 *     ap[s·kc·MR + p·MR + r] = op(A)[i0 + s·MR + r, p0 + p]      (0 where s·MR + r ≥ mc)
 * B block  op(B)[p0 .. p0+kc, j0 .. j0+nc)  →  ⌈nc/NR⌉ panels, each [kc][NR]:
 *     bp[q·kc·NR + p·NR + j] = op(B)[p0 + p, j0 + q·NR + j]      (0 where q·NR + j ≥ nc)
 * </pre>
 *
 * Storage: {@code op(A)[i, p]} is {@code a[aOff + i·lda + p]}, or {@code a[aOff + p·lda + i]}
 * when transposed; {@code op(B)[p, j]} is {@code b[bOff + rows[p] + j]}, or
 * {@code b[bOff + rows[j] + p]} when transposed (B's stored rows at arbitrary offsets,
 * {@code rows[r] = r·ldb} for a plain matrix). Zero padding lets the kernel always compute
 * full MR×NR tiles; the driver keeps only the valid part of edge tiles.
 */
final class GemmPacking {

    private GemmPacking() {
    }

    /** Packs {@code op(A)[i0 .. i0+mc, p0 .. p0+kc)} into {@code ap} as MR-row panels. */
    static void packA(boolean transA, float[] a, int aOff, int lda,
                      int i0, int mc, int p0, int kc, int mr, float[] ap) {
        for (int s = 0, dst = 0; s * mr < mc; s++, dst += kc * mr) {
            int rows = Math.min(mr, mc - s * mr);
            int row0 = i0 + s * mr;
            if (transA) {
                // op(A) column p of this panel is contiguous in storage: copy MR floats per p.
                for (int p = 0; p < kc; p++) {
                    int d = dst + p * mr;
                    System.arraycopy(a, aOff + (p0 + p) * lda + row0, ap, d, rows);
                    if (rows < mr) Arrays.fill(ap, d + rows, d + mr, 0f);
                }
            } else {
                // Each stored row is contiguous in p: read it once, write with stride MR.
                for (int r = 0; r < rows; r++) {
                    int src = aOff + (row0 + r) * lda + p0;
                    for (int p = 0, d = dst + r; p < kc; p++, d += mr) ap[d] = a[src + p];
                }
                for (int r = rows; r < mr; r++) {
                    for (int p = 0, d = dst + r; p < kc; p++, d += mr) ap[d] = 0f;
                }
            }
        }
    }

    /**
     * Packs the NR-column panels {@code q ∈ [qFrom, qTo)} of {@code op(B)[p0 .. p0+kc, j0 .. j0+nc)}
     * into {@code bp} (panel {@code q} starts at {@code q·kc·NR}).
     */
    static void packB(boolean transB, float[] b, int bOff, int[] bRows,
                      int p0, int kc, int j0, int nc, int nr, int qFrom, int qTo, float[] bp) {
        for (int q = qFrom; q < qTo; q++) {
            int cols = Math.min(nr, nc - q * nr);
            int col0 = j0 + q * nr;
            int dst = q * kc * nr;
            if (transB) {
                // Stored row j of B is column j of op(B), contiguous in p: write with stride NR.
                for (int j = 0; j < cols; j++) {
                    int src = bOff + bRows[col0 + j] + p0;
                    for (int p = 0, d = dst + j; p < kc; p++, d += nr) bp[d] = b[src + p];
                }
                for (int j = cols; j < nr; j++) {
                    for (int p = 0, d = dst + j; p < kc; p++, d += nr) bp[d] = 0f;
                }
            } else {
                // Row p of op(B) is contiguous: copy NR floats per p.
                for (int p = 0; p < kc; p++) {
                    int d = dst + p * nr;
                    System.arraycopy(b, bOff + bRows[p0 + p] + col0, bp, d, cols);
                    if (cols < nr) Arrays.fill(bp, d + cols, d + nr, 0f);
                }
            }
        }
    }
}
