package dev.tersor.tensor.backend.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SGEMM micro-kernel: one MR×NR tile of products from one packed A panel and one packed B
 * panel (layouts in {@link GemmPacking}), written to a contiguous tile buffer {@code t}:
 *
 * <pre>
 * t[r·NR + j] = Σ_{p &lt; kc} ap[aOff + p·MR + r] · bp[bOff + p·NR + j]      r &lt; MR, j &lt; NR
 * </pre>
 *
 * The driver then merges the tile into C with beta ({@code VectorGemm}); keeping that out of
 * the kernel keeps its compiled body small enough for C2 to inline every vector operation (a
 * helper method taking vectors that C2 declines to inline boxes them on every call).
 *
 * <p>NR is two vectors. Each step of p loads one row of the B panel (two vectors), broadcasts
 * MR elements of the A panel and issues 2·MR fused multiply-adds into 2·MR accumulators held in
 * locals, which C2 keeps in vector registers for the whole loop: 12×2 uses 24 of the 32 AVX-512
 * (or NEON/SVE) registers, 6×2 fits the 16 of AVX2. The accumulators start from a local
 * {@code FloatVector.zero}: a {@code static final} vector constant flowing into a loop phi
 * defeats C2's box elimination and makes the loop allocate.
 */
final class GemmKernel {
    /** The vector shape, resolved once. */
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    static final int L = S.length();
    /** Tile width: two vectors. */
    static final int NR = 2 * L;
    /** Tile height: 12 rows where the ISA has 32 vector registers, 6 on x86 below AVX-512 (16). */
    static final int MR = fewVectorRegisters() ? 6 : 12;

    private GemmKernel() {
    }

    private static boolean fewVectorRegisters() {
        String arch = System.getProperty("os.arch", "");
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86");
        return x86 && S.vectorBitSize() < 512;
    }

    /**
     * Strip height for a product with {@code m} rows: MR, or 8 when MR is 12 and m is a short
     * multiple of 8 that 12-row strips would pad (16 rows run as 12 + 12 with 8 of zeros, a third
     * of the kernel wasted: the 16- and 32-channel convolutions of CIFAR ResNets; at 64 rows
     * 12-row strips measured as fast).
     */
    static int rowsFor(int m) {
        return MR == 12 && m <= 32 && m % 8 == 0 && m % 12 != 0 ? 8 : MR;
    }

    /** One mr×NR tile ({@code mr} is MR or 8): {@code t = Apanel·Bpanel} (see the class comment); {@code t} holds mr·NR floats. */
    static void tile(int mr, int kc, float[] ap, int aOff, float[] bp, int bOff, float[] t) {
        if (mr == 12) tile12(kc, ap, aOff, bp, bOff, t);
        else if (mr == 8) tile8Rows(kc, ap, aOff, bp, bOff, PANEL_ROWS, 0, t);
        else tile6(kc, ap, aOff, bp, bOff, t);
    }

    /** Row offsets of a packed B panel, {@code p·NR}, for {@link #tile8Rows}. */
    private static final int[] PANEL_ROWS = panelRows();

    private static int[] panelRows() {
        int[] rows = new int[GemmPlanner.KC];
        for (int p = 0; p < rows.length; p++) rows[p] = p * NR;
        return rows;
    }

    /** 12×2 vectors; {@code cRl}/{@code cRr} accumulate the left/right vector of tile row R. */
    private static void tile12(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] t) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector c0l = zero, c0r = zero, c1l = zero, c1r = zero, c2l = zero, c2r = zero;
        FloatVector c3l = zero, c3r = zero, c4l = zero, c4r = zero, c5l = zero, c5r = zero;
        FloatVector c6l = zero, c6r = zero, c7l = zero, c7r = zero, c8l = zero, c8r = zero;
        FloatVector c9l = zero, c9r = zero, c10l = zero, c10r = zero, c11l = zero, c11r = zero;
        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * 12, bi = bOff + p * NR;
            FloatVector bl = FloatVector.fromArray(S, bp, bi), br = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ai]); c0l = a.fma(bl, c0l); c0r = a.fma(br, c0r);
            a = FloatVector.broadcast(S, ap[ai + 1]); c1l = a.fma(bl, c1l); c1r = a.fma(br, c1r);
            a = FloatVector.broadcast(S, ap[ai + 2]); c2l = a.fma(bl, c2l); c2r = a.fma(br, c2r);
            a = FloatVector.broadcast(S, ap[ai + 3]); c3l = a.fma(bl, c3l); c3r = a.fma(br, c3r);
            a = FloatVector.broadcast(S, ap[ai + 4]); c4l = a.fma(bl, c4l); c4r = a.fma(br, c4r);
            a = FloatVector.broadcast(S, ap[ai + 5]); c5l = a.fma(bl, c5l); c5r = a.fma(br, c5r);
            a = FloatVector.broadcast(S, ap[ai + 6]); c6l = a.fma(bl, c6l); c6r = a.fma(br, c6r);
            a = FloatVector.broadcast(S, ap[ai + 7]); c7l = a.fma(bl, c7l); c7r = a.fma(br, c7r);
            a = FloatVector.broadcast(S, ap[ai + 8]); c8l = a.fma(bl, c8l); c8r = a.fma(br, c8r);
            a = FloatVector.broadcast(S, ap[ai + 9]); c9l = a.fma(bl, c9l); c9r = a.fma(br, c9r);
            a = FloatVector.broadcast(S, ap[ai + 10]); c10l = a.fma(bl, c10l); c10r = a.fma(br, c10r);
            a = FloatVector.broadcast(S, ap[ai + 11]); c11l = a.fma(bl, c11l); c11r = a.fma(br, c11r);
        }
        c0l.intoArray(t, 0);
        c0r.intoArray(t, L);
        c1l.intoArray(t, 2 * L);
        c1r.intoArray(t, 3 * L);
        c2l.intoArray(t, 4 * L);
        c2r.intoArray(t, 5 * L);
        c3l.intoArray(t, 6 * L);
        c3r.intoArray(t, 7 * L);
        c4l.intoArray(t, 8 * L);
        c4r.intoArray(t, 9 * L);
        c5l.intoArray(t, 10 * L);
        c5r.intoArray(t, 11 * L);
        c6l.intoArray(t, 12 * L);
        c6r.intoArray(t, 13 * L);
        c7l.intoArray(t, 14 * L);
        c7r.intoArray(t, 15 * L);
        c8l.intoArray(t, 16 * L);
        c8r.intoArray(t, 17 * L);
        c9l.intoArray(t, 18 * L);
        c9r.intoArray(t, 19 * L);
        c10l.intoArray(t, 20 * L);
        c10r.intoArray(t, 21 * L);
        c11l.intoArray(t, 22 * L);
        c11r.intoArray(t, 23 * L);
    }

    /**
     * 8×2 vectors (names as in {@link #tile12}) with row p of the B panel at
     * {@code b[bOff + rows[p0 + p]]}: an unpacked B (its row offsets, bOff at the panel's column),
     * or a packed panel through {@link #PANEL_ROWS}. The 12- and 6-row kernels read packed panels
     * directly, because reading them through a row table made the 1024³ GEMM 12–15 % slower;
     * 8-row strips meet packed panels only in short products' edge panels and B-transposed
     * products too shallow for {@code GemmDot}, where that cost is small.
     */
    static void tile8Rows(int kc, float[] ap, int aOff, float[] b, int bOff, int[] rows, int p0, float[] t) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector c0l = zero, c0r = zero, c1l = zero, c1r = zero, c2l = zero, c2r = zero, c3l = zero, c3r = zero;
        FloatVector c4l = zero, c4r = zero, c5l = zero, c5r = zero, c6l = zero, c6r = zero, c7l = zero, c7r = zero;
        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * 8, bi = bOff + rows[p0 + p];
            FloatVector bl = FloatVector.fromArray(S, b, bi), br = FloatVector.fromArray(S, b, bi + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ai]); c0l = a.fma(bl, c0l); c0r = a.fma(br, c0r);
            a = FloatVector.broadcast(S, ap[ai + 1]); c1l = a.fma(bl, c1l); c1r = a.fma(br, c1r);
            a = FloatVector.broadcast(S, ap[ai + 2]); c2l = a.fma(bl, c2l); c2r = a.fma(br, c2r);
            a = FloatVector.broadcast(S, ap[ai + 3]); c3l = a.fma(bl, c3l); c3r = a.fma(br, c3r);
            a = FloatVector.broadcast(S, ap[ai + 4]); c4l = a.fma(bl, c4l); c4r = a.fma(br, c4r);
            a = FloatVector.broadcast(S, ap[ai + 5]); c5l = a.fma(bl, c5l); c5r = a.fma(br, c5r);
            a = FloatVector.broadcast(S, ap[ai + 6]); c6l = a.fma(bl, c6l); c6r = a.fma(br, c6r);
            a = FloatVector.broadcast(S, ap[ai + 7]); c7l = a.fma(bl, c7l); c7r = a.fma(br, c7r);
        }
        c0l.intoArray(t, 0);
        c0r.intoArray(t, L);
        c1l.intoArray(t, 2 * L);
        c1r.intoArray(t, 3 * L);
        c2l.intoArray(t, 4 * L);
        c2r.intoArray(t, 5 * L);
        c3l.intoArray(t, 6 * L);
        c3r.intoArray(t, 7 * L);
        c4l.intoArray(t, 8 * L);
        c4r.intoArray(t, 9 * L);
        c5l.intoArray(t, 10 * L);
        c5r.intoArray(t, 11 * L);
        c6l.intoArray(t, 12 * L);
        c6r.intoArray(t, 13 * L);
        c7l.intoArray(t, 14 * L);
        c7r.intoArray(t, 15 * L);
    }

    /** 6×2 vectors, for 16 vector registers; names as in {@link #tile12}. */
    private static void tile6(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] t) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector c0l = zero, c0r = zero, c1l = zero, c1r = zero, c2l = zero, c2r = zero;
        FloatVector c3l = zero, c3r = zero, c4l = zero, c4r = zero, c5l = zero, c5r = zero;
        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * 6, bi = bOff + p * NR;
            FloatVector bl = FloatVector.fromArray(S, bp, bi), br = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ai]); c0l = a.fma(bl, c0l); c0r = a.fma(br, c0r);
            a = FloatVector.broadcast(S, ap[ai + 1]); c1l = a.fma(bl, c1l); c1r = a.fma(br, c1r);
            a = FloatVector.broadcast(S, ap[ai + 2]); c2l = a.fma(bl, c2l); c2r = a.fma(br, c2r);
            a = FloatVector.broadcast(S, ap[ai + 3]); c3l = a.fma(bl, c3l); c3r = a.fma(br, c3r);
            a = FloatVector.broadcast(S, ap[ai + 4]); c4l = a.fma(bl, c4l); c4r = a.fma(br, c4r);
            a = FloatVector.broadcast(S, ap[ai + 5]); c5l = a.fma(bl, c5l); c5r = a.fma(br, c5r);
        }
        c0l.intoArray(t, 0);
        c0r.intoArray(t, L);
        c1l.intoArray(t, 2 * L);
        c1r.intoArray(t, 3 * L);
        c2l.intoArray(t, 4 * L);
        c2r.intoArray(t, 5 * L);
        c3l.intoArray(t, 6 * L);
        c3r.intoArray(t, 7 * L);
        c4l.intoArray(t, 8 * L);
        c4r.intoArray(t, 9 * L);
        c5l.intoArray(t, 10 * L);
        c5r.intoArray(t, 11 * L);
    }
}
