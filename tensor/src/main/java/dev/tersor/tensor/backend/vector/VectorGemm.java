package dev.tersor.tensor.backend.vector;

import static dev.tersor.tensor.backend.vector.GemmKernel.L;
import static dev.tersor.tensor.backend.vector.GemmKernel.MR;
import static dev.tersor.tensor.backend.vector.GemmKernel.NR;
import static dev.tersor.tensor.backend.vector.GemmKernel.S;

import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.backend.PlanSpace;
import dev.tersor.tensor.backend.Plans;
import java.util.List;
import java.util.Map;
import jdk.incubator.vector.FloatVector;

/**
 * Row-major SGEMM {@code C = op(A)·op(B) + beta·C} with {@code op(A)} [m, k], {@code op(B)}
 * [k, n], C [m, n] (the contract of {@code Backend.gemm}). Each shape is run by the
 * {@link GemmPlan} that {@link Plans} keeps for it ({@link GemmPlanner} makes the heuristic plan
 * and the candidates); this class only executes plans.
 *
 * <p>The blocked paths follow the Goto/BLIS scheme:
 * <pre>
 * for jc in n step nc                       B block  op(B)[pc.., jc..]  kc×nc, packed once, shared (L3)
 *   for pc in k step kc                     beta applies on the first pc block only
 *     pack B block (threads split its NR panels)
 *     per task, over its share of rows (or of NR panels when m is short):
 *       for ic step mc                      A block  op(A)[ic.., pc..]  mc×kc, packed per thread (L2)
 *         for each NR panel                 B micro-panel kc×NR stays close (L1/L2) across the row loop
 *           for each mr strip               {@link GemmKernel#tile} → tile buffer, merged into C with beta
 * </pre>
 * UNPACKED skips packing B: the kernel reads each full NR panel straight from B's rows
 * ({@link GemmKernel#tile8Rows}). B's rows may lie at any offsets ({@code Backend.gemmRows}; a
 * plain matrix is the table {@code r·ldb}). Pack buffers live in {@link ThreadLocal}s and only
 * grow, so the hot path allocates nothing large. DIRECT packs nothing: vectors along n (or along
 * k when B is transposed); DOT is {@link GemmDot}.
 */
final class VectorGemm {
    /** The plan of every shape seen. */
    private static final Map<GemmShape, GemmPlan> PLANS = Plans.memo();
    /**
     * A plan's tasks are the threads it keeps busy; its work is cut into this many chunks per
     * task, handed out from a shared counter ({@code Parallel}), so a thread the OS delays (a
     * busy or shared machine) holds up at most a fraction of its share while the others take the
     * rest. Row and panel chunks change no arithmetic: results do not depend on the count.
     */
    static final int CHUNKS_PER_TASK = 4;

    /** Per-thread pack buffers, reused across calls. */
    private static final class Workspace {
        float[] a = new float[0];
        float[] b = new float[0];
        int[] rows = new int[0];
        int rowsLd = -1, rowsFilled;
        /** One MR×NR kernel result before it is merged into C. */
        final float[] tile = new float[MR * NR];

        float[] a(int size) {
            if (a.length < size) a = new float[size];
            return a;
        }

        float[] b(int size) {
            if (b.length < size) b = new float[size];
            return b;
        }

        /** The row table of a fixed stride: {@code rows[r] = r·ld} for {@code r < count}. */
        int[] rows(int count, int ld) {
            if (rows.length < count) {
                rows = new int[count];
                rowsLd = -1;
            }
            if (rowsLd != ld || rowsFilled < count) {
                for (int r = 0; r < count; r++) rows[r] = r * ld;
                rowsLd = ld;
                rowsFilled = count;
            }
            return rows;
        }
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private VectorGemm() {
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) return;
        int[] bRows = WORKSPACE.get().rows(transB ? n : k, ldb);
        gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, bRows, beta, c, cOff, ldc);
    }

    /**
     * The general form: stored row r of B starts at {@code b[bOff + bRows[r]]} ({@code r < k}
     * without transB, {@code r < n} with it). A fixed stride {@code ldb} is {@code bRows[r] = r·ldb}.
     */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int[] bRows,
                     float beta, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0) {
            for (int i = 0; i < m; i++) scaleRow(c, cOff + i * ldc, n, beta);
            return;
        }
        GemmShape shape = new GemmShape(transA, transB, m, n, k, Parallel.effectiveThreads());
        GemmPlan plan = Plans.plan(PLANS, shape, () -> new Space(shape, a, aOff, lda, b, bOff, bRows, beta, c, cOff, ldc));
        execute(plan, transA, transB, m, n, k, a, aOff, lda, b, bOff, bRows, beta, c, cOff, ldc);
    }

    /** Runs {@code plan} (valid for the shape: {@link GemmPlanner#valid}); m, n and k are positive. */
    static void execute(GemmPlan plan, boolean transA, boolean transB, int m, int n, int k,
                        float[] a, int aOff, int lda, float[] b, int bOff, int[] bRows,
                        float beta, float[] c, int cOff, int ldc) {
        switch (plan.path()) {
            case DOT -> {
                for (int i = 0; i < m; i++) scaleRow(c, cOff + i * ldc, n, beta);   // then C += products
                GemmDot.gemm(m, n, k, a, aOff, lda, b, bOff, bRows, c, cOff, ldc, plan.tasks());
            }
            case DIRECT -> direct(plan.tasks(), transA, transB, m, n, k, a, aOff, lda, b, bOff, bRows, beta, c, cOff, ldc);
            case BLOCKED, UNPACKED -> blocked(plan, transA, transB, m, n, k, a, aOff, lda, b, bOff, bRows, beta, c, cOff, ldc);
        }
    }

    /**
     * The plans of one shape, for {@link Plans}: trials run on a scratch copy of the C window
     * (refilled from C before each run when beta is not 0), so the caller's C is never touched.
     */
    private record Space(GemmShape key, float[] a, int aOff, int lda, float[] b, int bOff, int[] bRows,
                         float beta, float[] c, int cOff, int ldc) implements PlanSpace<GemmPlan> {

        @Override
        public String op() {
            return "gemm";
        }

        @Override
        public String shape() {
            return key.text();
        }

        @Override
        public GemmPlan heuristic() {
            return GemmPlanner.heuristic(key);
        }

        @Override
        public List<GemmPlan> candidates() {
            return GemmPlanner.candidates(key);
        }

        @Override
        public String format(GemmPlan plan) {
            return plan.text();
        }

        @Override
        public GemmPlan parse(String text) {
            GemmPlan p = GemmPlan.parse(text);
            return p != null && GemmPlanner.valid(key, p) ? p : null;
        }

        @Override
        public void trial(GemmPlan plan) {
            int m = key.m(), n = key.n();
            float[] t = SCRATCH.get();
            if (t.length < m * n) SCRATCH.set(t = new float[m * n]);
            if (beta != 0f) for (int i = 0; i < m; i++) System.arraycopy(c, cOff + i * ldc, t, i * n, n);
            execute(plan, key.transA(), key.transB(), m, n, key.k(), a, aOff, lda, b, bOff, bRows, beta, t, 0, n);
        }
    }

    /** The scratch C of trials (kept for the next shape's; released with the thread). */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    // ---------------------------------------------------------------- packed, blocked paths

    private static void blocked(GemmPlan plan, boolean transA, boolean transB, int m, int n, int k,
                                float[] a, int aOff, int lda, float[] b, int bOff, int[] bRows,
                                float beta, float[] c, int cOff, int ldc) {
        boolean unpacked = plan.path() == GemmPlan.Path.UNPACKED;
        int mr = plan.mr(), mcBlock = plan.mc(), kcBlock = plan.kc(), ncBlock = plan.nc(), tasks = plan.tasks();
        boolean splitRows = plan.splitRows();
        int strips = (m + mr - 1) / mr;
        int ncMax = Math.min(ncBlock, n);
        int panelsMax = (ncMax + NR - 1) / NR;
        float[] bp = WORKSPACE.get().b(Math.min(kcBlock, k) * panelsMax * NR);
        for (int jc = 0; jc < n; jc += ncBlock) {
            int nc = Math.min(ncBlock, n - jc);
            int panels = (nc + NR - 1) / NR;
            int packFrom = !unpacked ? 0 : nc % NR == 0 ? panels : panels - 1;   // unpacked: only a partial edge panel
            int packChunks = chunks(tasks, panels - packFrom);
            int computeChunks = chunks(tasks, splitRows ? strips : panels);
            for (int pc = 0; pc < k; pc += kcBlock) {
                int kc = Math.min(kcBlock, k - pc);
                float betaBlock = pc == 0 ? beta : 1f;
                int j0 = jc, p0 = pc;
                Parallel.forEachTask(packChunks, (t0, t1) -> GemmPacking.packB(transB, b, bOff, bRows, p0, kc, j0, nc, NR,
                        packFrom + share(panels - packFrom, t0, packChunks), packFrom + share(panels - packFrom, t1, packChunks), bp));
                Parallel.forEachTask(computeChunks, (t0, t1) -> {
                    int rowFrom = 0, rowTo = m, qFrom = 0, qTo = panels;
                    if (splitRows) {
                        rowFrom = Math.min(m, share(strips, t0, computeChunks) * mr);
                        rowTo = Math.min(m, share(strips, t1, computeChunks) * mr);
                    } else {
                        qFrom = share(panels, t0, computeChunks);
                        qTo = share(panels, t1, computeChunks);
                    }
                    computeRegion(transA, mr, mcBlock, a, aOff, lda, rowFrom, rowTo, p0, kc, bp, unpacked ? b : null,
                            bOff, bRows, qFrom, qTo, j0, nc, betaBlock, c, cOff, ldc);
                });
            }
        }
    }

    /** Chunks for {@code tasks} threads over {@code units} indivisible units: {@link #CHUNKS_PER_TASK} per task when there are several. */
    static int chunks(int tasks, int units) {
        return Math.max(1, Math.min(units, tasks == 1 ? 1 : tasks * CHUNKS_PER_TASK));
    }

    /** Start of share {@code t} of {@code total} items split into {@code parts} near-equal parts. */
    private static int share(int total, int t, int parts) {
        return (int) ((long) total * t / parts);
    }

    /**
     * C[rowFrom..rowTo, panels qFrom..qTo of the B block] += op(A)[rows, p0..p0+kc) · Bblock.
     * Panels come from the packed block {@code bp}, or, when {@code b} is given (an unpacked B,
     * not transposed; 8-row strips), straight from B's rows, except a partial edge panel, which
     * is packed.
     */
    private static void computeRegion(boolean transA, int mr, int mcBlock, float[] a, int aOff, int lda, int rowFrom,
                                      int rowTo, int p0, int kc, float[] bp, float[] b, int bOff, int[] bRows,
                                      int qFrom, int qTo, int j0, int nc, float beta, float[] c, int cOff, int ldc) {
        Workspace ws = WORKSPACE.get();
        float[] ap = ws.a(mcBlock * kc);
        for (int ic = rowFrom; ic < rowTo; ic += mcBlock) {
            int mc = Math.min(mcBlock, rowTo - ic);
            GemmPacking.packA(transA, a, aOff, lda, ic, mc, p0, kc, mr, ap);
            for (int q = qFrom; q < qTo; q++) {
                int col = j0 + q * NR;
                int cols = Math.min(NR, nc - q * NR);
                boolean fromB = b != null && cols == NR;
                for (int s = 0; s * mr < mc; s++) {
                    if (fromB) GemmKernel.tile8Rows(kc, ap, s * kc * mr, b, bOff + col, bRows, p0, ws.tile);
                    else GemmKernel.tile(mr, kc, ap, s * kc * mr, bp, q * kc * NR, ws.tile);
                    mergeTile(ws.tile, Math.min(mr, mc - s * mr), cols, c, cOff + (ic + s * mr) * ldc + col, ldc, beta);
                }
            }
        }
    }

    /**
     * {@code C[r, j] = t[r·NR + j] + beta·C[r, j]} for {@code r < rows, j < cols}, C starting at
     * {@code c[cIdx]} with row stride {@code ldc}; beta 0 never reads C, so NaN there does not leak.
     */
    private static void mergeTile(float[] t, int rows, int cols, float[] c, int cIdx, int ldc, float beta) {
        int vecCols = cols == NR ? NR : 0;
        FloatVector vBeta = FloatVector.broadcast(S, beta);
        for (int r = 0; r < rows; r++) {
            int ci = cIdx + r * ldc, ti = r * NR;
            for (int j = 0; j < vecCols; j += L) {
                FloatVector v = FloatVector.fromArray(S, t, ti + j);
                if (beta != 0f) v = FloatVector.fromArray(S, c, ci + j).fma(vBeta, v);
                v.intoArray(c, ci + j);
            }
            for (int j = vecCols; j < cols; j++) c[ci + j] = beta == 0f ? t[ti + j] : t[ti + j] + beta * c[ci + j];
        }
    }

    /** {@code c[i .. i+n) = beta·c[i .. i+n)}, writing zeros (not 0·NaN) when beta is 0. */
    private static void scaleRow(float[] c, int i, int n, float beta) {
        if (beta == 1f) return;
        for (int j = 0; j < n; j++) c[i + j] = beta == 0f ? 0f : beta * c[i + j];
    }

    // ---------------------------------------------------------------- direct path

    /**
     * No packing. Without transB, vectors run along a row of C: {@code C[i, j..j+L) =
     * Σ_p op(A)[i,p]·B[p, j..j+L)}, four vectors at a time. With transB both operands of
     * {@code C[i,j] = op(A)[i,:]·B[j,:]} are contiguous along k when A is not transposed:
     * vector dot products, four columns at a time. C is first scaled by beta, then the products
     * are added. Rows (or column chunks, for one row) are split over threads when worth it.
     */
    private static void direct(int tasks, boolean transA, boolean transB, int m, int n, int k,
                               float[] a, int aOff, int lda, float[] b, int bOff, int[] bRows,
                               float beta, float[] c, int cOff, int ldc) {
        if (tasks > 1 && m >= 2) {
            int chunks = chunks(tasks, m);
            Parallel.forEachTask(chunks, (t0, t1) -> directRows(transA, transB, share(m, t0, chunks), share(m, t1, chunks),
                    n, k, a, aOff, lda, b, bOff, bRows, beta, c, cOff, ldc));
        } else if (tasks > 1) {
            int columnChunks = directColumnChunks(n), chunks = chunks(tasks, columnChunks);
            Parallel.forEachTask(chunks, (t0, t1) -> directCols(transA, transB, 0,
                    Math.min(n, share(columnChunks, t0, chunks) * 4 * L), Math.min(n, share(columnChunks, t1, chunks) * 4 * L),
                    k, a, aOff, lda, b, bOff, bRows, beta, c, cOff, ldc));
        } else {
            directRows(transA, transB, 0, m, n, k, a, aOff, lda, b, bOff, bRows, beta, c, cOff, ldc);
        }
    }

    /** Chunks of 4 vectors covering a row of n columns (the unit one row is split in). */
    static int directColumnChunks(int n) {
        return (n + 4 * L - 1) / (4 * L);
    }

    private static void directRows(boolean transA, boolean transB, int i0, int i1, int n, int k,
                                   float[] a, int aOff, int lda, float[] b, int bOff, int[] bRows,
                                   float beta, float[] c, int cOff, int ldc) {
        for (int i = i0; i < i1; i++) {
            directCols(transA, transB, i, 0, n, k, a, aOff, lda, b, bOff, bRows, beta, c, cOff, ldc);
        }
    }

    /** Row {@code i} of C, columns {@code [j0, j1)}. */
    private static void directCols(boolean transA, boolean transB, int i, int j0, int j1, int k,
                                   float[] a, int aOff, int lda, float[] b, int bOff, int[] bRows,
                                   float beta, float[] c, int cOff, int ldc) {
        int aRow = transA ? aOff + i : aOff + i * lda;   // op(A)[i, p] = a[aRow + p·aStep]
        int aStep = transA ? lda : 1;
        int cRow = cOff + i * ldc;
        scaleRow(c, cRow + j0, j1 - j0, beta);   // then C += products
        int j = j0;
        if (!transB) {
            for (; j + 4 * L <= j1; j += 4 * L) {
                FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
                for (int p = 0; p < k; p++) {
                    int bi = bOff + bRows[p] + j;
                    FloatVector av = FloatVector.broadcast(S, a[aRow + p * aStep]);
                    c0 = av.fma(FloatVector.fromArray(S, b, bi), c0);
                    c1 = av.fma(FloatVector.fromArray(S, b, bi + L), c1);
                    c2 = av.fma(FloatVector.fromArray(S, b, bi + 2 * L), c2);
                    c3 = av.fma(FloatVector.fromArray(S, b, bi + 3 * L), c3);
                }
                c0.add(FloatVector.fromArray(S, c, cRow + j)).intoArray(c, cRow + j);
                c1.add(FloatVector.fromArray(S, c, cRow + j + L)).intoArray(c, cRow + j + L);
                c2.add(FloatVector.fromArray(S, c, cRow + j + 2 * L)).intoArray(c, cRow + j + 2 * L);
                c3.add(FloatVector.fromArray(S, c, cRow + j + 3 * L)).intoArray(c, cRow + j + 3 * L);
            }
            for (; j + L <= j1; j += L) {
                FloatVector c0 = FloatVector.zero(S);
                for (int p = 0; p < k; p++) {
                    int bi = bOff + bRows[p] + j;
                    c0 = FloatVector.broadcast(S, a[aRow + p * aStep]).fma(FloatVector.fromArray(S, b, bi), c0);
                }
                c0.add(FloatVector.fromArray(S, c, cRow + j)).intoArray(c, cRow + j);
            }
        } else if (!transA) {
            int kBound = S.loopBound(k);
            for (; j + 4 <= j1; j += 4) {
                int b0 = bOff + bRows[j], b1 = bOff + bRows[j + 1], b2 = bOff + bRows[j + 2], b3 = bOff + bRows[j + 3];
                FloatVector d0 = FloatVector.zero(S), d1 = d0, d2 = d0, d3 = d0;
                for (int p = 0; p < kBound; p += L) {
                    FloatVector av = FloatVector.fromArray(S, a, aRow + p);
                    d0 = av.fma(FloatVector.fromArray(S, b, b0 + p), d0);
                    d1 = av.fma(FloatVector.fromArray(S, b, b1 + p), d1);
                    d2 = av.fma(FloatVector.fromArray(S, b, b2 + p), d2);
                    d3 = av.fma(FloatVector.fromArray(S, b, b3 + p), d3);
                }
                float s0 = VectorBackend.sumLanes(d0), s1 = VectorBackend.sumLanes(d1);
                float s2 = VectorBackend.sumLanes(d2), s3 = VectorBackend.sumLanes(d3);
                for (int p = kBound; p < k; p++) {
                    float av = a[aRow + p];
                    s0 += av * b[b0 + p];
                    s1 += av * b[b1 + p];
                    s2 += av * b[b2 + p];
                    s3 += av * b[b3 + p];
                }
                c[cRow + j] += s0;
                c[cRow + j + 1] += s1;
                c[cRow + j + 2] += s2;
                c[cRow + j + 3] += s3;
            }
        }
        // Remaining columns (and transA·transB, where neither operand is contiguous along k).
        for (; j < j1; j++) {
            float s = 0f;
            for (int p = 0; p < k; p++) s += a[aRow + p * aStep] * b[transB ? bOff + bRows[j] + p : bOff + bRows[p] + j];
            c[cRow + j] += s;
        }
    }
}
