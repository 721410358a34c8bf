package dev.tersor.tensor.backend.vector;

import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.lowbit.L1Kernels;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link L1Kernels} on the Vector API: packed, register-blocked and multithreaded like
 * {@link VectorGemm}, with {@code |a − b|} accumulation (sub, abs, add) in place of the
 * multiply-add. Layouts: A [m, k] filters, B [k, n] columns, G [m, n], row-major.
 *
 * <p><b>negL1</b> {@code C[i, j] = −Σ_p |A[i, p] − B[p, j]|} follows the Goto/BLIS loop of
 * {@link VectorGemm}: B is packed per KC×NC block into NR-column micro-panels, A once into row
 * strips (MR rows, then 4-row strips for the rest so that 16 or 84 filters waste no lanes), and
 * each micro-tile keeps MR×NR sums in 2·MR vector registers (12×2 with 32 registers, 6×2 with
 * 16) while it streams one packed column of A (broadcast) and one row of the B panel per p.
 * {@code |x|} is an integer AND with a mask held in a register: {@code FloatVector.abs()}
 * compiles to an AND with a constant in memory, one more load per lane-op, and the loop then
 * runs about 1.4× slower, bound by loads.
 *
 * <p><b>diffGrad</b> {@code dA[i, p] = Σ_j G[i, j]·(B[p, j] − A[i, p])} is computed as
 * {@code G·Bᵀ − A ∘ rowsum(G)} (the same sum, regrouped): the product runs on the packed SGEMM,
 * the correction is one vectorised pass. It differs from the reference by rounding only
 * (a relative {@code ~n·2⁻²⁴} of {@code Σ_j |G[i, j]|·(|B[p, j]| + |A[i, p]|)}).
 *
 * <p><b>hardTanhGrad</b> {@code dB[p, j] = Σ_i G[i, j]·clamp(A[i, p] − B[p, j], −1, 1)}: a
 * micro-tile holds PR rows of B × NR columns in registers with their PR×NR sums and streams the
 * packed column panel of G and a packed PR-wide slice of Aᵀ over i; the clamp works on the
 * float bits (see {@link #hardTanhTile2}). The one difference from the reference: a NaN
 * difference clamps to ±1 here instead of staying NaN.
 *
 * <p>Products below {@link #SMALL} (or with fewer than L columns) take unpacked direct loops.
 * Sums run in a different order than the reference: parity is within the usual
 * {@code 2·k·2⁻²⁴·Σ|terms|} bound (the fused multiply-adds round once where the reference
 * rounds twice).
 */
public final class VectorL1Distance implements L1Kernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** The integer shape of the same size, for bit manipulation of floats. */
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final int ABS_BITS = 0x7fffffff, SIGN_BIT = 0x80000000, ONE_BITS = 0x3f800000;
    /** Micro-tile width: two vectors. */
    private static final int NR = 2 * L;
    /** Rows of a full micro-tile: 12 with 32 vector registers, 6 with 16 (as the SGEMM kernel). */
    private static final int MR = GemmKernel.MR;
    /** Rows of an edge strip. */
    private static final int MR_EDGE = 4;
    /** Rows of B per hardtanh micro-tile (its B values stay in registers too). */
    private static final int PR = 2;
    private static final int KC = 256;
    private static final int NC = NR * 128;
    /** Strips of an A block kept in L2 while the B micro-panels pass. */
    private static final int MC_STRIPS = 12;
    /** {@code m·n·k} below which packing costs more than it saves. */
    private static final long SMALL = 32 * 1024;

    /** Per-thread buffers, only ever grown. */
    private static final class Workspace {
        float[] a = new float[0], b = new float[0], g = new float[0];
        final float[] tile = new float[Math.max(MR, PR) * NR];
        final float[] bt = new float[PR * NR];

        float[] a(int size) {
            if (a.length < size) a = new float[size];
            return a;
        }

        float[] b(int size) {
            if (b.length < size) b = new float[size];
            return b;
        }

        float[] g(int size) {
            if (g.length < size) g = new float[size];
            return g;
        }
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** Floats per vector on this JVM (tests size their runs by it). */
    public static int vectorLength() {
        return L;
    }

    @Override
    public String name() {
        return "vector";
    }

    // ================================================================ negL1

    @Override
    public void negL1(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0) {
            Arrays.fill(c, cOff, cOff + m * n, 0f);
        } else if ((long) m * n * k < SMALL || n < L) {
            Parallel.forRange(m, rowGrain(n, k), (i0, i1) -> directNegL1(i0, i1, n, k, a, aOff, b, bOff, c, cOff));
        } else {
            blockedNegL1(m, n, k, a, aOff, b, bOff, c, cOff);
        }
    }

    /**
     * Row strips of A: {@code m / MR} strips of MR rows, then 4-row strips; strip s holds rows
     * {@code [row0[s], row0[s] + height[s])} (rows past m are zero) packed as [k][height] at
     * {@code packed[s]}.
     */
    private record Strips(int count, int[] row0, int[] height, int[] packed, int size) {
        static Strips of(int m, int k) {
            int full = m / MR, edge = (m - full * MR + MR_EDGE - 1) / MR_EDGE, count = full + edge;
            int[] row0 = new int[count], height = new int[count], packed = new int[count];
            for (int s = 0, r = 0, off = 0; s < count; s++) {
                int h = s < full ? MR : MR_EDGE;
                row0[s] = r;
                height[s] = h;
                packed[s] = off;
                r += h;
                off += h * k;
            }
            return new Strips(count, row0, height, packed, count == 0 ? 0 : packed[count - 1] + height[count - 1] * k);
        }
    }

    private static void blockedNegL1(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        Strips st = Strips.of(m, k);
        Workspace ws = WORKSPACE.get();
        float[] ap = ws.a(st.size());
        Parallel.forRange(st.count(), 1, (s0, s1) -> {
            for (int s = s0; s < s1; s++) packStrip(a, aOff, m, k, st.row0()[s], st.height()[s], ap, st.packed()[s]);
        });
        int panelsMax = (Math.min(NC, n) + NR - 1) / NR;
        float[] bp = ws.b(Math.min(KC, k) * panelsMax * NR);
        int tasks = Math.max(1, Math.min(Parallel.threads(), Math.max(st.count(), panelsMax)));
        boolean splitRows = st.count() >= 4 * tasks || st.count() >= panelsMax;
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc), panels = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc), j0 = jc, p0 = pc;
                Parallel.forEachTask(tasks, (t0, t1) -> {
                    for (int t = t0; t < t1; t++) {
                        packPanels(b, bOff, n, p0, kc, j0, nc, share(panels, t, tasks), share(panels, t + 1, tasks), bp);
                    }
                });
                Parallel.forEachTask(tasks, (t0, t1) -> {
                    for (int t = t0; t < t1; t++) {
                        int sFrom = 0, sTo = st.count(), qFrom = 0, qTo = panels;
                        if (splitRows) {
                            sFrom = share(st.count(), t, tasks);
                            sTo = share(st.count(), t + 1, tasks);
                        } else {
                            qFrom = share(panels, t, tasks);
                            qTo = share(panels, t + 1, tasks);
                        }
                        region(st, sFrom, sTo, qFrom, qTo, m, n, p0, kc, ap, bp, j0, nc, c, cOff);
                    }
                });
            }
        }
    }

    /** C[strips sFrom..sTo, panels qFrom..qTo of this block] (−)= the kc-deep distances. */
    private static void region(Strips st, int sFrom, int sTo, int qFrom, int qTo, int m, int n, int pc, int kc,
                               float[] ap, float[] bp, int jc, int nc, float[] c, int cOff) {
        float[] t = WORKSPACE.get().tile;
        boolean first = pc == 0;
        for (int sb = sFrom; sb < sTo; sb += MC_STRIPS) {
            int sbEnd = Math.min(sTo, sb + MC_STRIPS);
            for (int q = qFrom; q < qTo; q++) {
                int col = jc + q * NR, cols = Math.min(NR, nc - q * NR), bIdx = q * kc * NR;
                for (int s = sb; s < sbEnd; s++) {
                    int h = st.height()[s], row0 = st.row0()[s], aIdx = st.packed()[s] + pc * h;
                    if (h == MR_EDGE) tile4(kc, ap, aIdx, bp, bIdx, t);
                    else if (MR == 12) tile12(kc, ap, aIdx, bp, bIdx, t);
                    else tile6(kc, ap, aIdx, bp, bIdx, t);
                    subtractTile(t, Math.min(h, m - row0), cols, c, cOff + row0 * n + col, n, first);
                }
            }
        }
    }

    /** {@code C[r, j] = (first ? 0 : C[r, j]) − t[r·NR + j]} for {@code r < rows, j < cols}. */
    private static void subtractTile(float[] t, int rows, int cols, float[] c, int cIdx, int ldc, boolean first) {
        for (int r = 0; r < rows; r++) {
            int ci = cIdx + r * ldc, ti = r * NR;
            if (cols == NR) {
                for (int j = 0; j < NR; j += L) {
                    FloatVector v = FloatVector.fromArray(S, t, ti + j);
                    (first ? v.neg() : FloatVector.fromArray(S, c, ci + j).sub(v)).intoArray(c, ci + j);
                }
            } else {
                for (int j = 0; j < cols; j++) c[ci + j] = first ? -t[ti + j] : c[ci + j] - t[ti + j];
            }
        }
    }

    /** {@code ap[off + p·h + r] = A[row0 + r, p]} for p &lt; k, r &lt; h; zero for rows at or past m. */
    private static void packStrip(float[] a, int aOff, int m, int k, int row0, int h, float[] ap, int off) {
        for (int r = 0; r < h; r++) {
            if (row0 + r < m) {
                int src = aOff + (row0 + r) * k;
                for (int p = 0, d = off + r; p < k; p++, d += h) ap[d] = a[src + p];
            } else {
                for (int p = 0, d = off + r; p < k; p++, d += h) ap[d] = 0f;
            }
        }
    }

    /** Panels q in [qFrom, qTo) of B[p0 .. p0+kc, j0 .. j0+nc): {@code bp[q·kc·NR + p·NR + j]}, zero past nc. */
    private static void packPanels(float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc, int qFrom, int qTo,
                                   float[] bp) {
        for (int q = qFrom; q < qTo; q++) {
            int cols = Math.min(NR, nc - q * NR), dst = q * kc * NR;
            for (int p = 0; p < kc; p++) {
                int d = dst + p * NR;
                System.arraycopy(b, bOff + (p0 + p) * ldb + j0 + q * NR, bp, d, cols);
                if (cols < NR) Arrays.fill(bp, d + cols, d + NR, 0f);
            }
        }
    }

    /** Rows [i0, i1) without packing: four vectors of a C row at a time, then one, then scalars. */
    private static void directNegL1(int i0, int i1, int n, int k, float[] a, int aOff, float[] b, int bOff,
                                    float[] c, int cOff) {
        for (int i = i0; i < i1; i++) {
            int ai = aOff + i * k, ci = cOff + i * n, j = 0;
            for (; j + 4 * L <= n; j += 4 * L) {
                FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
                for (int p = 0, bi = bOff + j; p < k; p++, bi += n) {
                    FloatVector av = FloatVector.broadcast(S, a[ai + p]);
                    s0 = s0.add(av.sub(FloatVector.fromArray(S, b, bi)).abs());
                    s1 = s1.add(av.sub(FloatVector.fromArray(S, b, bi + L)).abs());
                    s2 = s2.add(av.sub(FloatVector.fromArray(S, b, bi + 2 * L)).abs());
                    s3 = s3.add(av.sub(FloatVector.fromArray(S, b, bi + 3 * L)).abs());
                }
                s0.neg().intoArray(c, ci + j);
                s1.neg().intoArray(c, ci + j + L);
                s2.neg().intoArray(c, ci + j + 2 * L);
                s3.neg().intoArray(c, ci + j + 3 * L);
            }
            for (; j + L <= n; j += L) {
                FloatVector s0 = FloatVector.zero(S);
                for (int p = 0, bi = bOff + j; p < k; p++, bi += n) {
                    s0 = s0.add(FloatVector.broadcast(S, a[ai + p]).sub(FloatVector.fromArray(S, b, bi)).abs());
                }
                s0.neg().intoArray(c, ci + j);
            }
            for (; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) s += Math.abs(a[ai + p] - b[bOff + p * n + j]);
                c[ci + j] = -s;
            }
        }
    }

    // ---------------------------------------------------------------- negL1 micro-tiles


    /** {@code t[r·NR + j] = Σ_p |ap[aOff + p·12 + r] − bp[bOff + p·NR + j]|}, r &lt; 12, j &lt; NR. */
    private static void tile12(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] t) {
        FloatVector zero = FloatVector.zero(S);
        IntVector mask = IntVector.broadcast(IS, ABS_BITS);
        FloatVector c0l = zero, c0r = zero, c1l = zero, c1r = zero, c2l = zero, c2r = zero;
        FloatVector c3l = zero, c3r = zero, c4l = zero, c4r = zero, c5l = zero, c5r = zero;
        FloatVector c6l = zero, c6r = zero, c7l = zero, c7r = zero, c8l = zero, c8r = zero;
        FloatVector c9l = zero, c9r = zero, c10l = zero, c10r = zero, c11l = zero, c11r = zero;
        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * 12, bi = bOff + p * NR;
            FloatVector bl = FloatVector.fromArray(S, bp, bi), br = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ai]); c0l = c0l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c0r = c0r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 1]); c1l = c1l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c1r = c1r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 2]); c2l = c2l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c2r = c2r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 3]); c3l = c3l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c3r = c3r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 4]); c4l = c4l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c4r = c4r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 5]); c5l = c5l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c5r = c5r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 6]); c6l = c6l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c6r = c6r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 7]); c7l = c7l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c7r = c7r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 8]); c8l = c8l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c8r = c8r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 9]); c9l = c9l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c9r = c9r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 10]); c10l = c10l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c10r = c10r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 11]); c11l = c11l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c11r = c11r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
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

    /** As {@link #tile12} with 6 rows (ISAs with 16 vector registers). */
    private static void tile6(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] t) {
        FloatVector zero = FloatVector.zero(S);
        IntVector mask = IntVector.broadcast(IS, ABS_BITS);
        FloatVector c0l = zero, c0r = zero, c1l = zero, c1r = zero, c2l = zero, c2r = zero;
        FloatVector c3l = zero, c3r = zero, c4l = zero, c4r = zero, c5l = zero, c5r = zero;
        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * 6, bi = bOff + p * NR;
            FloatVector bl = FloatVector.fromArray(S, bp, bi), br = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ai]); c0l = c0l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c0r = c0r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 1]); c1l = c1l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c1r = c1r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 2]); c2l = c2l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c2r = c2r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 3]); c3l = c3l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c3r = c3r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 4]); c4l = c4l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c4r = c4r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 5]); c5l = c5l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c5r = c5r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
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

    /** As {@link #tile12} with 4 rows (edge strips). */
    private static void tile4(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] t) {
        FloatVector zero = FloatVector.zero(S);
        IntVector mask = IntVector.broadcast(IS, ABS_BITS);
        FloatVector c0l = zero, c0r = zero, c1l = zero, c1r = zero, c2l = zero, c2r = zero, c3l = zero, c3r = zero;
        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * 4, bi = bOff + p * NR;
            FloatVector bl = FloatVector.fromArray(S, bp, bi), br = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ai]); c0l = c0l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c0r = c0r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 1]); c1l = c1l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c1r = c1r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 2]); c2l = c2l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c2r = c2r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
            a = FloatVector.broadcast(S, ap[ai + 3]); c3l = c3l.add(((IntVector) a.sub(bl).reinterpretAsInts()).and(mask).reinterpretAsFloats()); c3r = c3r.add(((IntVector) a.sub(br).reinterpretAsInts()).and(mask).reinterpretAsFloats());
        }
        c0l.intoArray(t, 0);
        c0r.intoArray(t, L);
        c1l.intoArray(t, 2 * L);
        c1r.intoArray(t, 3 * L);
        c2l.intoArray(t, 4 * L);
        c2r.intoArray(t, 5 * L);
        c3l.intoArray(t, 6 * L);
        c3r.intoArray(t, 7 * L);
    }

    // ================================================================ diffGrad

    @Override
    public void diffGrad(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] g, int gOff,
                         float[] da, int daOff) {
        if (m <= 0 || k <= 0) return;
        if (n <= 0) {
            Arrays.fill(da, daOff, daOff + m * k, 0f);
            return;
        }
        // G·Bᵀ: op(A) = G [m, n], op(B) = Bᵀ with B stored [k, n].
        VectorGemm.gemm(false, true, m, k, n, g, gOff, n, b, bOff, n, 0f, da, daOff, k);
        Parallel.forRange(m, rowGrain(n + k, 1), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                FloatVector negSum = FloatVector.broadcast(S, -rowSum(g, gOff + i * n, n));
                int ai = aOff + i * k, di = daOff + i * k, p = 0;
                for (int bound = S.loopBound(k); p < bound; p += L) {
                    FloatVector.fromArray(S, a, ai + p).fma(negSum, FloatVector.fromArray(S, da, di + p)).intoArray(da, di + p);
                }
                float ns = negSum.lane(0);
                for (; p < k; p++) da[di + p] = Math.fma(a[ai + p], ns, da[di + p]);
            }
        });
    }

    private static float rowSum(float[] x, int off, int n) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0;
        int j = 0;
        for (; j + 2 * L <= n; j += 2 * L) {
            s0 = s0.add(FloatVector.fromArray(S, x, off + j));
            s1 = s1.add(FloatVector.fromArray(S, x, off + j + L));
        }
        for (; j + L <= n; j += L) s0 = s0.add(FloatVector.fromArray(S, x, off + j));
        float s = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) s += x[off + j];
        return s;
    }

    // ================================================================ hardTanhGrad

    @Override
    public void hardTanhGrad(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] g, int gOff,
                             float[] db, int dbOff) {
        if (k <= 0 || n <= 0) return;
        if (m <= 0) {
            Arrays.fill(db, dbOff, dbOff + k * n, 0f);
        } else if ((long) m * n * k < SMALL || n < L) {
            Parallel.forRange(k, rowGrain(n, m), (p0, p1) -> directHardTanh(p0, p1, m, n, k, a, aOff, b, bOff, g, gOff, db, dbOff));
        } else {
            blockedHardTanh(m, n, k, a, aOff, b, bOff, g, gOff, db, dbOff);
        }
    }

    /**
     * Aᵀ packed in PR-row blocks, {@code atp[pb·m·PR + i·PR + r] = A[i, pb·PR + r]}; tasks are
     * (column panel, run of row blocks) pairs, each packing its panel of G as {@code [m][NR]}.
     */
    private static void blockedHardTanh(int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                                        float[] g, int gOff, float[] db, int dbOff) {
        int blocks = (k + PR - 1) / PR, panels = (n + NR - 1) / NR;
        float[] atp = WORKSPACE.get().a(blocks * m * PR);
        Parallel.forRange(blocks, 1, (b0, b1) -> {
            for (int pb = b0; pb < b1; pb++) {
                int dst = pb * m * PR;
                for (int i = 0; i < m; i++) {
                    for (int r = 0; r < PR; r++) {
                        int p = pb * PR + r;
                        atp[dst + i * PR + r] = p < k ? a[aOff + i * k + p] : 0f;
                    }
                }
            }
        });
        int runs = Math.min(blocks, Math.max(1, (2 * Parallel.threads() + panels - 1) / panels));
        Parallel.forEachTask(panels * runs, (t0, t1) -> {
            Workspace ws = WORKSPACE.get();
            float[] gp = ws.g(m * NR), bt = ws.bt, t = ws.tile;
            for (int task = t0; task < t1; task++) {
                int q = task / runs, run = task % runs;
                int col = q * NR, cols = Math.min(NR, n - col);
                for (int i = 0; i < m; i++) {
                    System.arraycopy(g, gOff + i * n + col, gp, i * NR, cols);
                    if (cols < NR) Arrays.fill(gp, i * NR + cols, (i + 1) * NR, 0f);
                }
                for (int pb = share(blocks, run, runs), end = share(blocks, run + 1, runs); pb < end; pb++) {
                    int rows = Math.min(PR, k - pb * PR);
                    for (int r = 0; r < PR; r++) {
                        if (r < rows) System.arraycopy(b, bOff + (pb * PR + r) * n + col, bt, r * NR, cols);
                        Arrays.fill(bt, r * NR + (r < rows ? cols : 0), (r + 1) * NR, 0f);
                    }
                    hardTanhTile2(m, atp, pb * m * PR, gp, bt, t);
                    for (int r = 0; r < rows; r++) System.arraycopy(t, r * NR, db, dbOff + (pb * PR + r) * n + col, cols);
                }
            }
        });
    }

    /**
     * {@code t[r·NR + j] = Σ_i gp[i·NR + j]·clamp(atp[aOff + i·2 + r] − bt[r·NR + j], −1, 1)},
     * r &lt; 2, j &lt; NR: 4 sums and 4 vectors of B in registers. The clamp works on the bits,
     * {@code sign(d) | min(|d|, 1.0f)} as integers (the order of non-negative floats is that of
     * their bits): four integer ops where a Java-semantics vector {@code max}/{@code min} costs
     * a dozen. A tile of 4 rows would hold more in registers but exceeds what C2 inlines into one
     * compiled method here, and then runs boxed, 5× slower.
     */
    private static void hardTanhTile2(int m, float[] atp, int aOff, float[] gp, float[] bt, float[] t) {
        IntVector one = IntVector.broadcast(IS, ONE_BITS), abs = IntVector.broadcast(IS, ABS_BITS);
        IntVector sign = IntVector.broadcast(IS, SIGN_BIT);
        FloatVector b0l = FloatVector.fromArray(S, bt, 0), b0r = FloatVector.fromArray(S, bt, L);
        FloatVector b1l = FloatVector.fromArray(S, bt, NR), b1r = FloatVector.fromArray(S, bt, NR + L);
        FloatVector zero = FloatVector.zero(S);
        FloatVector c0l = zero, c0r = zero, c1l = zero, c1r = zero;
        for (int i = 0; i < m; i++) {
            int ai = aOff + i * 2, gi = i * NR;
            FloatVector gl = FloatVector.fromArray(S, gp, gi), gr = FloatVector.fromArray(S, gp, gi + L);
            FloatVector a;
            IntVector d;
            a = FloatVector.broadcast(S, atp[ai]);
            d = (IntVector) a.sub(b0l).reinterpretAsInts();
            c0l = d.and(abs).min(one).or(d.and(sign)).reinterpretAsFloats().fma(gl, c0l);
            d = (IntVector) a.sub(b0r).reinterpretAsInts();
            c0r = d.and(abs).min(one).or(d.and(sign)).reinterpretAsFloats().fma(gr, c0r);
            a = FloatVector.broadcast(S, atp[ai + 1]);
            d = (IntVector) a.sub(b1l).reinterpretAsInts();
            c1l = d.and(abs).min(one).or(d.and(sign)).reinterpretAsFloats().fma(gl, c1l);
            d = (IntVector) a.sub(b1r).reinterpretAsInts();
            c1r = d.and(abs).min(one).or(d.and(sign)).reinterpretAsFloats().fma(gr, c1r);
        }
        c0l.intoArray(t, 0);
        c0r.intoArray(t, L);
        c1l.intoArray(t, NR);
        c1r.intoArray(t, NR + L);
    }

    /** Rows [p0, p1) of dB without packing: one vector of columns at a time, then scalars. */
    private static void directHardTanh(int p0, int p1, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                                       float[] g, int gOff, float[] db, int dbOff) {
        IntVector one = IntVector.broadcast(IS, ONE_BITS), abs = IntVector.broadcast(IS, ABS_BITS);
        IntVector sign = IntVector.broadcast(IS, SIGN_BIT);
        for (int p = p0; p < p1; p++) {
            int bi = bOff + p * n, di = dbOff + p * n, j = 0;
            for (; j + L <= n; j += L) {
                FloatVector bv = FloatVector.fromArray(S, b, bi + j), s = FloatVector.zero(S);
                for (int i = 0; i < m; i++) {
                    IntVector d = (IntVector) FloatVector.broadcast(S, a[aOff + i * k + p]).sub(bv).reinterpretAsInts();
                    s = d.and(abs).min(one).or(d.and(sign)).reinterpretAsFloats().fma(FloatVector.fromArray(S, g, gOff + i * n + j), s);
                }
                s.intoArray(db, di + j);
            }
            for (; j < n; j++) {
                float s = 0f, bv = b[bi + j];
                for (int i = 0; i < m; i++) s = Math.fma(hardTanh(a[aOff + i * k + p] - bv), g[gOff + i * n + j], s);
                db[di + j] = s;
            }
        }
    }

    // ================================================================ helpers

    /** {@code clamp(x, −1, 1)} as the vector kernels compute it: a NaN gives ±1. */
    private static float hardTanh(float x) {
        return Float.isNaN(x) ? Math.copySign(1f, x) : Math.max(-1f, Math.min(1f, x));
    }

    /** Start of share {@code t} of {@code total} items split into {@code parts} near-equal parts. */
    private static int share(int total, int t, int parts) {
        return (int) ((long) total * t / parts);
    }

    /** Rows per parallel chunk so that a chunk does about 32K inner steps. */
    private static int rowGrain(int n, int k) {
        return (int) Math.max(1, (32 * 1024) / Math.max(1L, (long) n * k));
    }
}
