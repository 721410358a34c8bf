package dev.tersor.tensor.backend.vector;

import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.lowbit.L1Kernels;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link L1Kernels} on the Vector API: packed, register-blocked and multithreaded like
 * {@link VectorGemm}, with {@code |a − b|} accumulation (sub, abs, add) in place of the
 * multiply-add. Layouts: A [m, k] filters, B [k, n] columns, G [m, n], row-major.
 *
 * <p><b>negL1</b> {@code C[i, j] = −Σ_p |A[i, p] − B[p, j]|} follows the Goto/BLIS loop of
 * {@link VectorGemm}: B is packed per KC×NC block into NR-column micro-panels, A once into row
 * strips (6 rows, then 4-row strips for the rest so that 16 or 84 filters waste no lanes), and
 * each micro-tile keeps 6×NR sums in 12 vector registers while it streams one packed column of
 * A (broadcast) and one row of the B panel per p: a sub, an abs and an add per lane.
 *
 * <p>Three rules keep C2 compiling these loops to straight vector code (each was measured: a
 * kernel that breaks one runs 10–40× slower, boxed, and only in some JVM runs):
 * <ul>
 *   <li>the accumulator is the argument of the op that updates it ({@code d.add(acc)}, as
 *       {@code a.fma(b, acc)} in the SGEMM kernel), never its receiver: an op on a loop phi
 *       needs a type profile to be intrinsified;</li>
 *   <li>tiles stay small: a 12-row tile (3 ops per sum here, 1 in SGEMM) exceeds what C2 inlines
 *       into one method, and its species stop being constants;</li>
 *   <li>the constructor runs every micro-kernel a few thousand times on a 2-deep problem, so the
 *       stores after each loop have type profiles before the first large product gets the
 *       kernels compiled (without it, a first call with long loops could get them compiled
 *       before any loop exit was profiled). It runs once, when the kernels are first looked up.</li>
 * </ul>
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
    /** Rows of a full micro-tile (see the class comment for why not 12). */
    private static final int MR = 6;
    /** Rows of an edge strip. */
    private static final int MR_EDGE = 4;
    /** Rows of B per hardtanh micro-tile (its B values stay in registers too). */
    private static final int PR = 2;
    private static final int KC = 256;
    private static final int NC = NR * 128;
    /** Strips of an A block kept in L2 while the B micro-panels pass. */
    private static final int MC_STRIPS = 24;
    /** {@code m·n·k} below which packing costs more than it saves. */
    private static final long SMALL = 32 * 1024;
    /** {@code m·n·k} below which one thread is faster than handing work to the pool (tens of microseconds). */
    private static final long PARALLEL_MIN = 1 << 20;

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

    /** Runs every micro-kernel briefly, so that C2 later compiles them with complete profiles (see the class comment). */
    public VectorL1Distance() {
        float[] ap = new float[2 * MR], bp = new float[2 * NR], t = new float[Math.max(MR, PR) * NR];
        for (int i = 0; i < 1000; i++) {
            tile6(2, ap, 0, bp, 0, t);
            tile4(2, ap, 0, bp, 0, t);
            hardTanhTile2(2, ap, 0, bp, bp, t);
        }
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
        boolean parallel = (long) m * n * k >= PARALLEL_MIN;
        Parallel.forRange(st.count(), parallel ? 1 : st.count(), (s0, s1) -> {
            for (int s = s0; s < s1; s++) packStrip(a, aOff, m, k, st.row0()[s], st.height()[s], ap, st.packed()[s]);
        });
        int panelsMax = (Math.min(NC, n) + NR - 1) / NR;
        float[] bp = ws.b(Math.min(KC, k) * panelsMax * NR);
        int tasks = parallel ? Math.max(1, Math.min(Parallel.threads(), Math.max(st.count(), panelsMax))) : 1;
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
                    s0 = av.sub(FloatVector.fromArray(S, b, bi)).abs().add(s0);
                    s1 = av.sub(FloatVector.fromArray(S, b, bi + L)).abs().add(s1);
                    s2 = av.sub(FloatVector.fromArray(S, b, bi + 2 * L)).abs().add(s2);
                    s3 = av.sub(FloatVector.fromArray(S, b, bi + 3 * L)).abs().add(s3);
                }
                s0.neg().intoArray(c, ci + j);
                s1.neg().intoArray(c, ci + j + L);
                s2.neg().intoArray(c, ci + j + 2 * L);
                s3.neg().intoArray(c, ci + j + 3 * L);
            }
            for (; j + L <= n; j += L) {
                FloatVector s0 = FloatVector.zero(S);
                for (int p = 0, bi = bOff + j; p < k; p++, bi += n) {
                    s0 = FloatVector.broadcast(S, a[ai + p]).sub(FloatVector.fromArray(S, b, bi)).abs().add(s0);
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


    /** {@code t[r·NR + j] = Σ_p |ap[aOff + p·6 + r] − bp[bOff + p·NR + j]|}, r &lt; 6, j &lt; NR. */
    private static void tile6(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] t) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector c0l = zero, c0r = zero, c1l = zero, c1r = zero, c2l = zero, c2r = zero;
        FloatVector c3l = zero, c3r = zero, c4l = zero, c4r = zero, c5l = zero, c5r = zero;
        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * 6, bi = bOff + p * NR;
            FloatVector bl = FloatVector.fromArray(S, bp, bi), br = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ai]); c0l = a.sub(bl).abs().add(c0l); c0r = a.sub(br).abs().add(c0r);
            a = FloatVector.broadcast(S, ap[ai + 1]); c1l = a.sub(bl).abs().add(c1l); c1r = a.sub(br).abs().add(c1r);
            a = FloatVector.broadcast(S, ap[ai + 2]); c2l = a.sub(bl).abs().add(c2l); c2r = a.sub(br).abs().add(c2r);
            a = FloatVector.broadcast(S, ap[ai + 3]); c3l = a.sub(bl).abs().add(c3l); c3r = a.sub(br).abs().add(c3r);
            a = FloatVector.broadcast(S, ap[ai + 4]); c4l = a.sub(bl).abs().add(c4l); c4r = a.sub(br).abs().add(c4r);
            a = FloatVector.broadcast(S, ap[ai + 5]); c5l = a.sub(bl).abs().add(c5l); c5r = a.sub(br).abs().add(c5r);
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

    /** As {@link #tile6} with 4 rows (edge strips). */
    private static void tile4(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] t) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector c0l = zero, c0r = zero, c1l = zero, c1r = zero, c2l = zero, c2r = zero, c3l = zero, c3r = zero;
        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * 4, bi = bOff + p * NR;
            FloatVector bl = FloatVector.fromArray(S, bp, bi), br = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ai]); c0l = a.sub(bl).abs().add(c0l); c0r = a.sub(br).abs().add(c0r);
            a = FloatVector.broadcast(S, ap[ai + 1]); c1l = a.sub(bl).abs().add(c1l); c1r = a.sub(br).abs().add(c1r);
            a = FloatVector.broadcast(S, ap[ai + 2]); c2l = a.sub(bl).abs().add(c2l); c2r = a.sub(br).abs().add(c2r);
            a = FloatVector.broadcast(S, ap[ai + 3]); c3l = a.sub(bl).abs().add(c3l); c3r = a.sub(br).abs().add(c3r);
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
            s0 = FloatVector.fromArray(S, x, off + j).add(s0);
            s1 = FloatVector.fromArray(S, x, off + j + L).add(s1);
        }
        for (; j + L <= n; j += L) s0 = FloatVector.fromArray(S, x, off + j).add(s0);
        float s = VectorBackend.sumLanes(s0.add(s1));   // fixed lane order: the same sum interpreted or compiled
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
        boolean parallel = (long) m * n * k >= PARALLEL_MIN;
        Parallel.forRange(blocks, parallel ? 1 : blocks, (b0, b1) -> {
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
        Parallel.RangeBody body = (t0, t1) -> {
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
        };
        if (parallel) Parallel.forEachTask(panels * runs, body);
        else body.run(0, panels * runs);
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
