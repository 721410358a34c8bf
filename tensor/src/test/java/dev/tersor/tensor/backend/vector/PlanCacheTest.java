package dev.tersor.tensor.backend.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.backend.PlanDecision;
import dev.tersor.tensor.backend.PlanMode;
import dev.tersor.tensor.backend.PlanSandbox;
import dev.tersor.tensor.backend.Plans;
import dev.tersor.tensor.backend.ScalarBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plan cache through real GEMM calls: measure mode measures a new shape on its third call,
 * writes the file and keeps the caller's C (beta ≠ 0) intact; a later launch (memory forgotten) in cached mode reads the same plans and
 * gives bit-identical results; a plan written by hand is the one run; a file for another
 * machine key, a corrupt one, an oversized one and an entry that does not fit its shape are
 * each ignored with one warning; heuristic mode never measures and never reads or writes files.
 */
class PlanCacheTest {
    private static final Backend VECTOR = new VectorBackend();
    private static final int M = 37, N = 45, K = 70;   // a shape no other test plans
    @TempDir
    Path dir;
    private PlanSandbox sandbox;

    @BeforeEach
    void setUp() {
        sandbox = PlanSandbox.open(dir, 2, VECTOR);
    }

    @AfterEach
    void tearDown() {
        sandbox.close();
    }

    @Test
    void measureWritesTheCacheAndCachedLaunchesAreBitIdentical() throws IOException {
        Plans.setMode(PlanMode.MEASURE);
        long before = Plans.measurements();
        float[] first = null;
        for (int call = 1; call <= Plans.MEASURE_ON_CALL; call++) {
            assertEquals(before, Plans.measurements(), "not measured before call " + Plans.MEASURE_ON_CALL);
            first = product(0.5f, 1);
        }
        assertEquals(before + 1, Plans.measurements(), "one new shape measured once");
        assertWithinRounding(reference(0.5f, 1), first);   // C with beta ½ was preserved by the trials
        product(0.5f, 1);
        assertEquals(before + 1, Plans.measurements(), "a planned shape is not measured again");
        String text = Files.readString(Plans.file());
        assertTrue(text.startsWith("tersor-plans 1\nkey " + Plans.machineKey() + "\n"), text);
        assertTrue(text.contains("gemm\tNN " + M + "x" + N + "x" + K + " t2\t"), text);
        PlanDecision measured = last("gemm");
        assertEquals("measured", measured.source());
        assertTrue(measured.candidates().size() > 1, measured.candidates().toString());

        for (int launch = 0; launch < 2; launch++) {
            Plans.setMode(PlanMode.CACHED);   // forgets the memory, as a new JVM would
            assertArrayEquals(first, product(0.5f, 1), "launch " + launch + " reusing the cache");
            assertEquals("cached", last("gemm").source());
            assertEquals(measured.chosen(), last("gemm").chosen());
        }
        assertEquals(before + 1, Plans.measurements(), "cached mode never measures");
    }

    /** Runs on 1 and on 2 threads each keep their own file: measuring for one key leaves the other's plans in place, read without a warning. */
    @Test
    void eachMachineKeyKeepsItsOwnFile() throws IOException {
        Plans.setMode(PlanMode.MEASURE);
        for (int call = 1; call <= Plans.MEASURE_ON_CALL; call++) product(0f, 3);
        Path two = Plans.file();
        String twoText = Files.readString(two);
        assertTrue(twoText.contains("threads=2;") && twoText.contains(" t2\t"), twoText);
        Parallel.setThreads(1);
        Path one = Plans.file();
        assertFalse(one.equals(two), "another thread count, another file");
        for (int call = 1; call <= Plans.MEASURE_ON_CALL; call++) product(0f, 3);
        assertTrue(Files.readString(one).contains("threads=1;") && Files.readString(one).contains(" t1\t"), Files.readString(one));
        assertEquals(twoText, Files.readString(two), "the two-thread plans are left as they were");

        Parallel.setThreads(2);
        String err = capturingStderr(() -> {
            Plans.setMode(PlanMode.CACHED);   // a new launch on two threads
            product(0f, 3);
        });
        assertEquals("cached", last("gemm").source());
        assertFalse(err.contains("ignoring the plan cache"), err);
    }

    @Test
    void aCachedPlanIsTheOneRun() throws IOException {
        writeCache(Plans.machineKey(), "gemm\tNN " + M + "x" + N + "x" + K + " t2\tDIRECT tasks=1\n");
        Plans.setMode(PlanMode.CACHED);
        float[] viaCache = product(1f, 2);
        float[] direct = inputsC(1f, 2);
        Inputs in = new Inputs(2);
        VectorGemm.execute(GemmPlan.unblocked(GemmPlan.Path.DIRECT, 1), false, false, M, N, K, in.a, 0, K, in.b, 0,
                rows(), 1f, direct, 0, N);
        assertArrayEquals(direct, viaCache);
        assertEquals("DIRECT tasks=1", last("gemm").chosen());
        assertEquals("cached", last("gemm").source());
    }

    @Test
    void staleCorruptOversizedAndMisfitFilesAreIgnoredWithOneWarning() throws IOException {
        String shape = "gemm\tNN " + M + "x" + N + "x" + K + " t2\t";
        String[][] cases = {
            {"tersor-plans 1\nkey cpu=Some Other CPU;arch=x;bits=1;threads=2;jvm=1\n" + shape + "DIRECT tasks=1\n", "another machine"},
            {"tersor-plans 1\nkey " + Plans.machineKey() + "\nthis line has no tabs\n", "corrupt at line 3"},
            {"not a plan file at all", "not a plan cache"},
            {"tersor-plans 1\nkey " + Plans.machineKey() + "\n" + shape + "DOT tasks=1\n", "does not fit"},   // DOT needs A·Bᵀ
            {null, "over the 1048576-byte limit"},
        };
        for (String[] c : cases) {
            Path sub = Files.createDirectories(dir.resolve("case" + c[1].hashCode()));
            Plans.setDirectory(sub);
            if (c[0] == null) {
                byte[] big = new byte[(1 << 20) + 10];
                java.util.Arrays.fill(big, (byte) 'x');
                Files.write(Plans.file(), big);
            } else {
                writeCache(null, c[0]);
            }
            Plans.setMode(PlanMode.CACHED);
            String err = capturingStderr(() -> {
                product(0f, 3);
                Plans.forget();
                product(0f, 3);   // read again: no second warning
            });
            assertEquals(1, err.lines().filter(l -> l.contains("tersor:")).count(), c[1] + ": " + err);
            assertTrue(err.contains(c[1]), "expected '" + c[1] + "' in: " + err);
            assertEquals("heuristic", last("gemm").source(), c[1]);
            assertEquals(GemmPlanner.heuristic(new GemmShape(false, false, M, N, K, 2)).text(), last("gemm").chosen());
        }
    }

    @Test
    void heuristicModeNeverMeasuresNorTouchesTheFile() throws IOException {
        writeCache(Plans.machineKey(), "gemm\tNN " + M + "x" + N + "x" + K + " t2\tDIRECT tasks=1\n");
        String before = Files.readString(Plans.file());
        Plans.setMode(PlanMode.HEURISTIC);
        long measured = Plans.measurements();
        for (int s = 3; s < 60; s += 7) VECTOR.gemm(false, false, s, s + 1, s + 2, new float[s * (s + 2)], 0, s + 2,
                new float[(s + 2) * (s + 1)], 0, s + 1, 0f, new float[s * (s + 1)], 0, s + 1);
        product(0f, 4);
        assertEquals(measured, Plans.measurements());
        assertEquals("heuristic", last("gemm").source(), "the cached DIRECT plan is not read");
        assertEquals(before, Files.readString(Plans.file()));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(Plans.file()), files.toList());
        }
    }

    // ---- helpers

    private record Inputs(float[] a, float[] b) {
        Inputs(long seed) {
            this(random(new Random(seed), M * K), random(new Random(seed + 100), K * N));
        }
    }

    /** C = A·B + beta·C through the backend (so through the plans), fixed inputs per seed. */
    private static float[] product(float beta, long seed) {
        Inputs in = new Inputs(seed);
        float[] c = inputsC(beta, seed);
        VECTOR.gemm(false, false, M, N, K, in.a, 0, K, in.b, 0, N, beta, c, 0, N);
        return c;
    }

    private static float[] reference(float beta, long seed) {
        Inputs in = new Inputs(seed);
        float[] c = inputsC(beta, seed);
        new ScalarBackend().gemm(false, false, M, N, K, in.a, 0, K, in.b, 0, N, beta, c, 0, N);
        return c;
    }

    private static float[] inputsC(float beta, long seed) {
        return random(new Random(seed + 200), M * N);
    }

    private static int[] rows() {
        int[] r = new int[K];
        for (int p = 0; p < K; p++) r[p] = p * N;
        return r;
    }

    private static void assertWithinRounding(float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4f * (K + 1), "C[" + i + "]");
        }
    }

    private PlanDecision last(String op) {
        List<PlanDecision> d = Plans.decisions().stream().filter(x -> x.op().equals(op) && x.shape().contains(M + "x" + N + "x" + K)).toList();
        assertFalse(d.isEmpty(), "no decision for the test shape");
        return d.get(d.size() - 1);
    }

    private void writeCache(String key, String body) throws IOException {
        Files.createDirectories(Plans.file().getParent());
        Files.writeString(Plans.file(), key == null ? body : "tersor-plans 1\nkey " + key + "\n" + body);
    }

    private static String capturingStderr(Runnable r) {
        PrintStream saved = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(saved);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    private static float[] random(Random r, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = 2f * r.nextFloat() - 1f;
        return x;
    }
}
