package dev.tersor.tensor.backend.vector;

import static dev.tersor.tensor.backend.vector.GemmKernel.L;
import static dev.tersor.tensor.backend.vector.GemmKernel.MR;
import static dev.tersor.tensor.backend.vector.GemmKernel.NR;

import dev.tersor.tensor.backend.vector.GemmPlan.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one place that decides how a GEMM shape runs: the heuristic plan (the rules below, which
 * {@code -Dtersor.plans=heuristic} always uses) and the candidates a measured plan is chosen from.
 *
 * <pre>
 * A·Bᵀ, k ≥ DOT_MIN_K, min(m, n) ≤ DOT_MAX_SIDE      → DOT (packing B would be a transposing copy as costly as the math)
 * m·n·k &lt; SMALL, or m &lt; MR/2                         → DIRECT (packing costs more than it saves)
 * B not transposed, m ≤ UNPACKED_MAX_ROWS, MR = 12    → UNPACKED (each B panel serves few strips: read it in place)
 * otherwise                                          → BLOCKED, MC×KC×NC, strips of MR (8 for short multiples of 8)
 * tasks = min(threads, max(strips, panels), m·n·k / TASK_WORK), split by rows unless m is short
 * </pre>
 */
final class GemmPlanner {
    /**
     * Rows of an A block, a multiple of MR: MC·KC floats (288 KiB with AVX-512) sit in L2.
     * Blocking measured on Zen 5 (48 KiB L1d, 1 MiB L2): KC 512 beat 256 and 384 by 5–10 %
     * at 1024³ and 2048³; MC between 6 and 24 strips made no clear difference.
     */
    static final int MC = MR * 12;   // also a multiple of 8, the short-product strip height
    /** Depth of a packed block: a kc×NR B micro-panel (64 KiB) streams from L1/L2. Also the largest kc a plan may have. */
    static final int KC = 512;
    /** Columns of a B block, a multiple of NR: KC·NC floats (8 MiB) sit in L3. */
    static final int NC = NR * 128;
    /** {@code m·n·k} below which packing costs more than it saves. */
    static final long SMALL = 32 * 1024;
    /**
     * {@code m·n·k} per task at least (about 40 µs of work): below it the two fork-joins per K
     * block cost more than the second thread gains (128³ ran slower on two threads than on one).
     */
    static final long TASK_WORK = 1 << 22;
    /** {@code A·Bᵀ} goes to DOT when k is at least this long and C has at most {@link #DOT_MAX_SIDE} rows or columns. */
    static final int DOT_MIN_K = 16 * L;
    static final int DOT_MAX_SIDE = 64;
    /**
     * Products with at most this many rows read B's rows in place where the ISA has 32 vector
     * registers: measured on the 16- to 64-channel convolutions of CIFAR ResNets, whose B rows
     * are shifted rows of one image (forward 10–30 % faster than packing, 1 thread).
     */
    static final int UNPACKED_MAX_ROWS = 64;
    /** Other depths a measured plan tries. */
    private static final int[] OTHER_KC = {256};

    private GemmPlanner() {
    }

    /** The built-in plan of {@code s} (deterministic; the same choices the kernels made before plans existed). */
    static GemmPlan heuristic(GemmShape s) {
        int m = s.m(), n = s.n(), k = s.k();
        long work = s.work();
        if (s.transB() && !s.transA() && k >= DOT_MIN_K && Math.min(m, n) <= DOT_MAX_SIDE) {
            int colBlocks = GemmDot.colBlocks(n);
            int grain = (int) Math.max(1, colBlocks * TASK_WORK / Math.max(1, work));
            return GemmPlan.unblocked(Path.DOT, Math.min(s.threads(), Math.max(1, colBlocks / grain)));
        }
        if (work < SMALL || m < MR / 2) {
            int tasks = 1;
            if (work >= 2 * TASK_WORK) tasks = Math.min(s.threads(), m >= 2 ? m : VectorGemm.directColumnChunks(n));
            return GemmPlan.unblocked(Path.DIRECT, tasks);
        }
        boolean unpacked = !s.transB() && MR == 12 && m <= UNPACKED_MAX_ROWS;
        int mr = unpacked ? 8 : GemmKernel.rowsFor(m);
        int tasks = blockedTasks(s, mr, NC);
        return blocked(s, unpacked ? Path.UNPACKED : Path.BLOCKED, MC, KC, NC, mr, tasks);
    }

    /** {@code min(threads, max(strips, panels of one B block), m·n·k / TASK_WORK)}, at least 1. */
    private static int blockedTasks(GemmShape s, int mr, int nc) {
        int strips = (s.m() + mr - 1) / mr;
        int panels = (Math.min(nc, s.n()) + NR - 1) / NR;
        return (int) Math.max(1, Math.min(Math.min(s.threads(), Math.max(strips, panels)), s.work() / TASK_WORK));
    }

    /** A blocked plan; with several tasks, rows are split unless m is too short for that. */
    private static GemmPlan blocked(GemmShape s, Path path, int mc, int kc, int nc, int mr, int tasks) {
        int strips = (s.m() + mr - 1) / mr;
        int panels = (Math.min(nc, s.n()) + NR - 1) / NR;
        boolean splitRows = strips >= 4 * tasks || strips >= panels;
        return new GemmPlan(path, mc, kc, nc, mr, tasks, splitRows);
    }

    /**
     * The plans worth timing for {@code s}, the heuristic's first, then its neighbours (one
     * choice changed at a time: task count and split, depth, strip height, path), so that a
     * time budget that runs out keeps the likeliest. All are valid ({@link #valid}).
     */
    static List<GemmPlan> candidates(GemmShape s) {
        Set<GemmPlan> out = new LinkedHashSet<>();
        GemmPlan h = heuristic(s);
        out.add(h);
        int t = s.threads();
        if (h.blocked()) {
            for (int tasks : new int[] {1, t}) {
                for (boolean rows : new boolean[] {true, false}) {
                    out.add(new GemmPlan(h.path(), h.mc(), h.kc(), h.nc(), h.mr(), tasks, rows));
                }
            }
            for (int kc : OTHER_KC) if (kc < s.k()) out.add(new GemmPlan(h.path(), h.mc(), kc, h.nc(), h.mr(), h.tasks(), h.splitRows()));
            if (MR == 12) {
                int otherMr = h.mr() == 8 ? MR : 8;
                if (h.path() == Path.BLOCKED) out.add(blocked(s, Path.BLOCKED, MC, KC, NC, otherMr, blockedTasks(s, otherMr, NC)));
                if (!s.transB()) {
                    Path other = h.path() == Path.BLOCKED ? Path.UNPACKED : Path.BLOCKED;
                    int mr = other == Path.UNPACKED ? 8 : GemmKernel.rowsFor(s.m());
                    out.add(blocked(s, other, MC, KC, NC, mr, blockedTasks(s, mr, NC)));
                }
            }
        } else {
            out.add(GemmPlan.unblocked(h.path(), h.tasks() == 1 ? Math.min(t, Math.max(1, s.m() >= 2 ? s.m() : 2)) : 1));
            if (s.m() >= MR / 2 || s.work() >= SMALL) {
                int mr = GemmKernel.rowsFor(s.m());
                out.add(blocked(s, Path.BLOCKED, MC, KC, NC, mr, blockedTasks(s, mr, NC)));
            }
        }
        if (s.transB() && !s.transA() && h.path() != Path.DOT && s.k() >= 2 * L) {
            out.add(GemmPlan.unblocked(Path.DOT, 1));
            if (t > 1) out.add(GemmPlan.unblocked(Path.DOT, t));
        }
        if (h.path() != Path.DIRECT && (s.work() < 64 * SMALL || s.m() < MR)) out.add(GemmPlan.unblocked(Path.DIRECT, 1));
        List<GemmPlan> list = new ArrayList<>();
        for (GemmPlan p : out) if (valid(s, p)) list.add(p);
        return list;
    }

    /**
     * Whether {@code p} may run {@code s}: DOT needs {@code A·Bᵀ}; UNPACKED needs B not
     * transposed and 8-row strips; strips are MR or 8 rows; mc a positive multiple of the strip
     * height, kc at most {@link #KC}, nc a multiple of NR; tasks at most the threads.
     */
    static boolean valid(GemmShape s, GemmPlan p) {
        if (p.tasks() > Math.max(1, s.threads())) return false;
        return switch (p.path()) {
            case DOT -> s.transB() && !s.transA();
            case DIRECT -> true;
            case BLOCKED, UNPACKED -> (p.mr() == MR || p.mr() == 8) && p.mc() % p.mr() == 0 && p.kc() <= KC
                    && p.nc() % NR == 0 && (p.path() == Path.BLOCKED || (!s.transB() && p.mr() == 8));
        };
    }
}
