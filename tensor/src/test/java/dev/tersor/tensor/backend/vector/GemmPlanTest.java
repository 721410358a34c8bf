package dev.tersor.tensor.backend.vector;

import static dev.tersor.tensor.backend.vector.GemmKernel.L;
import static dev.tersor.tensor.backend.vector.GemmKernel.MR;
import static dev.tersor.tensor.backend.vector.GemmKernel.NR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.backend.ScalarBackend;
import dev.tersor.tensor.backend.vector.GemmPlan.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every GEMM plan the planner can choose ({@link GemmPlanner#candidates}), plus blockings far
 * smaller than any real one (kc = 5, mc = one strip, nc = NR: many K, M and N blocks on small
 * matrices), executed by {@link VectorGemm#execute} against {@link ScalarBackend} on edge shapes
 * (1, 7, L−1, L, L+1, odd m/n/k, k past a K block, n not a multiple of NR), all four transposes,
 * beta 0, 1 and ½, padded strides and offsets, on one thread and two. The tolerance is the one
 * of {@code GemmTest}: each result is a float sum of k + 1 terms in some order. Cells outside
 * the m×n window must not change.
 */
class GemmPlanTest {
    private static final ScalarBackend SCALAR = new ScalarBackend();
    private static final float[] BETAS = {0f, 1f, 0.5f};
    private int savedThreads;

    @BeforeEach
    void saveThreads() {
        savedThreads = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void everyCandidateMatchesTheScalarReference(int threads) {
        Parallel.setThreads(threads);
        int[][] shapes = {
            {1, 1, 1}, {7, 7, 7}, {L - 1, L, L + 1}, {L + 1, NR + 1, L - 1}, {1, 300, 9}, {3, 2 * NR + 3, 40},
            {MR + 1, NR - 1, 600}, {2 * MR + 5, 3 * NR + 1, 517}, {17, 33, 19}, {16, 64, 144}, {65, 70, 257}, {40, 9, 300},
        };
        int checked = 0;
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                GemmShape shape = new GemmShape((t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], threads);
                for (GemmPlan plan : plansFor(shape)) {
                    assertTrue(GemmPlanner.valid(shape, plan), plan.text() + " for " + shape.text());
                    for (float beta : BETAS) check(shape, plan, beta, s[0] * 131L + s[1] * 7L + s[2] + t);
                    checked++;
                }
            }
        }
        assertTrue(checked > 120, "only " + checked + " plans checked");
    }

    @Test
    void candidatesStartWithTheHeuristicAndCoverEveryPath() {
        Set<Path> paths = new LinkedHashSet<>();
        int[][] shapes = {{1, 300, 9}, {16, 1024, 144}, {300, 300, 300}, {16, 144, 2048}, {64, 64, 64}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                GemmShape shape = new GemmShape((t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], 2);
                List<GemmPlan> c = GemmPlanner.candidates(shape);
                assertEquals(GemmPlanner.heuristic(shape), c.get(0), shape.text());
                assertEquals(c.size(), new LinkedHashSet<>(c).size(), "duplicate candidates for " + shape.text());
                for (GemmPlan p : c) paths.add(p.path());
            }
        }
        assertTrue(paths.containsAll(MR == 12 ? Set.of(Path.values()) : Set.of(Path.DOT, Path.DIRECT, Path.BLOCKED)), paths.toString());
    }

    @Test
    void heuristicKeepsTheFormerChoices() {
        // the rules the kernels applied before plans existed
        assertEquals(Path.DIRECT, GemmPlanner.heuristic(new GemmShape(false, false, 20, 20, 20, 2)).path());
        assertEquals(Path.DIRECT, GemmPlanner.heuristic(new GemmShape(false, false, 1, 4000, 2200, 2)).path());
        assertEquals(Path.DOT, GemmPlanner.heuristic(new GemmShape(false, true, 16, 144, 2048, 2)).path());
        GemmPlan big = GemmPlanner.heuristic(new GemmShape(false, false, 1024, 1024, 1024, 2));
        assertEquals(new GemmPlan(Path.BLOCKED, GemmPlanner.MC, 512, GemmPlanner.NC, MR, 2, true), big);
        assertEquals(1, GemmPlanner.heuristic(new GemmShape(false, false, 128, 128, 128, 2)).tasks(), "128³ stays on one thread");
        assertEquals(MR == 12 ? Path.UNPACKED : Path.BLOCKED,
                GemmPlanner.heuristic(new GemmShape(false, false, 16, 1024, 144, 1)).path());
    }

    @Test
    void planTextRoundTripsAndRejectsGarbage() {
        GemmPlan[] plans = {new GemmPlan(Path.BLOCKED, 144, 256, 4096, 12, 2, true), GemmPlan.unblocked(Path.DOT, 3),
            new GemmPlan(Path.UNPACKED, 16, 5, NR, 8, 1, false), GemmPlan.unblocked(Path.DIRECT, 1)};
        for (GemmPlan p : plans) assertEquals(p, GemmPlan.parse(p.text()));
        for (String bad : new String[] {"", "FAST", "DOT", "DOT tasks=0", "DIRECT tasks=x", "BLOCKED mc=1 kc=1",
            "BLOCKED mc=0 kc=1 nc=1 mr=1 tasks=1 split=rows", "BLOCKED kc=1 mc=1 nc=1 mr=1 tasks=1 split=rows",
            "BLOCKED mc=1 kc=1 nc=1 mr=1 tasks=1 split=up", "DIRECT tasks=1 extra"}) {
            assertNull(GemmPlan.parse(bad), bad);
        }
        GemmShape nt = new GemmShape(false, true, 8, 8, 8, 1);
        assertFalse(GemmPlanner.valid(nt, new GemmPlan(Path.UNPACKED, 16, 8, NR, 8, 1, false)), "UNPACKED needs B untransposed");
        assertFalse(GemmPlanner.valid(new GemmShape(true, true, 8, 8, 8, 1), GemmPlan.unblocked(Path.DOT, 1)));
        assertFalse(GemmPlanner.valid(nt, GemmPlan.unblocked(Path.DIRECT, 2)), "more tasks than threads");
        assertFalse(GemmPlanner.valid(nt, new GemmPlan(Path.BLOCKED, 16, 1024, NR, 8, 1, false)), "kc over KC");
    }

    /** The candidates plus tiny blockings (several M, N and K blocks) for each strip height and split. */
    private static List<GemmPlan> plansFor(GemmShape s) {
        Set<GemmPlan> plans = new LinkedHashSet<>(GemmPlanner.candidates(s));
        plans.add(GemmPlan.unblocked(Path.DIRECT, s.threads()));
        if (s.transB() && !s.transA()) plans.add(GemmPlan.unblocked(Path.DOT, s.threads()));
        for (int mr : MR == 12 ? new int[] {12, 8} : new int[] {MR}) {
            for (boolean rows : new boolean[] {true, false}) {
                plans.add(new GemmPlan(Path.BLOCKED, mr, 5, NR, mr, s.threads(), rows));
                if (mr == 8 && !s.transB()) plans.add(new GemmPlan(Path.UNPACKED, 2 * mr, 5, NR, 8, s.threads(), rows));
            }
        }
        List<GemmPlan> out = new ArrayList<>();
        for (GemmPlan p : plans) if (GemmPlanner.valid(s, p)) out.add(p);
        return out;
    }

    private static void check(GemmShape s, GemmPlan plan, float beta, long seed) {
        Random r = new Random(seed);
        int m = s.m(), n = s.n(), k = s.k();
        boolean transA = s.transA(), transB = s.transB();
        int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 5, ldc = n + 2, aOff = 7, bOff = 2, cOff = 4;
        float[] a = random(r, aOff + (transA ? k : m) * lda), b = random(r, bOff + (transB ? n : k) * ldb);
        float[] c = random(r, cOff + m * ldc + 3);
        int[] rows = new int[transB ? n : k];
        for (int q = 0; q < rows.length; q++) rows[q] = q * ldb;
        float[] expected = c.clone(), actual = c.clone();
        SCALAR.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, expected, cOff, ldc);
        VectorGemm.execute(plan, transA, transB, m, n, k, a, aOff, lda, b, bOff, rows, beta, actual, cOff, ldc);
        String what = plan.text() + " on " + s.text() + " beta=" + beta;
        for (int idx = 0; idx < c.length; idx++) {
            int i = (idx - cOff) / ldc, j = (idx - cOff) % ldc;
            if (idx < cOff || i >= m || j >= n) {
                if (Float.floatToIntBits(actual[idx]) != Float.floatToIntBits(c[idx])) fail(what + ": wrote outside C at " + idx);
                continue;
            }
            double bound = Math.abs(beta * c[idx]);
            for (int p = 0; p < k; p++) {
                float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                bound += Math.abs((double) av * bv);
            }
            double tol = (k + 1) * Math.ulp(1f) * bound + 1e-30;
            if (Math.abs((double) actual[idx] - expected[idx]) > tol) {
                fail(what + ": C[" + i + "," + j + "] expected " + expected[idx] + ", got " + actual[idx] + " (tolerance " + tol + ")");
            }
        }
    }

    private static float[] random(Random r, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = 2f * r.nextFloat() - 1f;
        return x;
    }
}
