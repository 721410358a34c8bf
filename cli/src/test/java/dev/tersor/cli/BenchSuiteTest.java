package dev.tersor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tersor bench suite} end to end on its smallest case, with a fake python (a shell
 * script) standing in for the anchors: the JSON shape, anchors that fail, print nonsense or are
 * missing (reported, never fatal), the OpenBLAS core-type fix, and argument validation.
 */
class BenchSuiteTest {

    @TempDir
    Path tmp;

    /** A fake python: probe.py prints a probe naming core {@code $OPENBLAS_CORETYPE} (default {@code core}); other scripts run {@code body}. */
    private Path fakePython(String core, String body) throws IOException {
        Path anchors = Files.createDirectories(tmp.resolve("anchors"));
        Files.writeString(anchors.resolve("probe.py"), "# stands in for the real probe\n");
        Path py = tmp.resolve("python3");
        Files.writeString(py, "#!/bin/sh\n"
                + "case \"$1\" in\n"
                + "  *probe.py) echo '{\"python\":\"fake\",\"numpy\":{\"installed\":true,\"version\":\"0.0\",\"openblas_core\":\"'\"${OPENBLAS_CORETYPE:-" + core + "}\"'\"},"
                + "\"torch\":{\"installed\":false,\"error\":\"ImportError\"}}' ;;\n"
                + "  *) " + body + " ;;\n"
                + "esac\n");
        Files.setPosixFilePermissions(py, PosixFilePermissions.fromString("rwxr-xr-x"));
        return py;
    }

    private MainTest.Run suite(Path python, String... extra) {
        String[] base = {"bench", "suite", "--quick", "--only", "gemm-512", "--threads", "1", "--json",
            "--python", python.toString(), "--anchors", tmp.resolve("anchors").toString()};
        return MainTest.run(MainTest.concat(base, extra));
    }

    @Test
    @SuppressWarnings("unchecked")
    void reportsMachineAnchorsRowsAndMeasurementsAsJson() throws IOException {
        Path py = fakePython("Zen", "echo 'warm-up window 1' >&2; echo '{\"median_ms\":2.5,\"threads\":1}'");
        MainTest.Run r = suite(py);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Tersor/anchor time"), r.out());
        Map<String, Object> j = MainTest.json(r.lastLine());
        assertEquals("suite", j.get("bench"));
        assertEquals(true, j.get("quick"));
        assertEquals(List.of(1.0), j.get("threads"));
        Map<String, Object> machine = (Map<String, Object>) j.get("machine");
        for (String k : List.of("cpu_model", "cpus", "java_version", "jvm_vector_bits", "backend")) assertTrue(machine.containsKey(k), k);
        assertEquals(Runtime.version().toString(), machine.get("java_version"));
        Map<String, Object> anchors = (Map<String, Object>) j.get("anchors");
        assertEquals("Zen", anchors.get("openblas_core"));
        assertNull(anchors.get("openblas_coretype"));
        List<Map<String, Object>> rows = (List<Map<String, Object>>) j.get("rows");
        assertEquals(1, rows.size());
        Map<String, Object> row = rows.get(0);
        assertEquals("gemm-512", row.get("case"));
        assertEquals("measured", row.get("anchor_status"));
        assertEquals(2.5, row.get("anchor_ms"));
        double tersor = MainTest.number(row, "tersor_ms");
        assertEquals(tersor / 2.5, MainTest.number(row, "ratio"), 1e-4 + 1e-4 * tersor);
        assertEquals(2.0 * 512 * 512 * 512 / (2.5 * 1e6), MainTest.number(row, "anchor_gflops"), 1e-3);
        List<Map<String, Object>> ms = (List<Map<String, Object>>) j.get("measurements");
        assertEquals(List.of("tersor", "numpy"), ms.stream().map(m -> m.get("impl")).toList());
        assertEquals("gemm", ((Map<String, Object>) ms.get(0).get("report")).get("bench"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aFailingOrBabblingAnchorIsReportedNotFatal() throws IOException {
        MainTest.Run failing = suite(fakePython("Zen", "echo 'Traceback: boom' >&2; exit 3"));
        assertEquals(0, failing.code(), failing.err());
        Map<String, Object> row = ((List<Map<String, Object>>) MainTest.json(failing.lastLine()).get("rows")).get(0);
        assertEquals("failed: exit 3: Traceback: boom", row.get("anchor_status"));
        assertNull(row.get("ratio"));
        assertTrue(row.get("tersor_ms") instanceof Double, row.toString());
        assertTrue(failing.err().contains("numpy FAILED (exit 3: Traceback: boom)"), failing.err());

        MainTest.Run babbling = suite(fakePython("Zen", "echo 'no json here'"));
        assertEquals(0, babbling.code(), babbling.err());
        Map<String, Object> b = ((List<Map<String, Object>>) MainTest.json(babbling.lastLine()).get("rows")).get(0);
        assertTrue(((String) b.get("anchor_status")).startsWith("failed: no JSON report"), b.toString());

        MainTest.Run noValue = suite(fakePython("Zen", "echo '{\"gflops\":1}'"));
        Map<String, Object> n = ((List<Map<String, Object>>) MainTest.json(noValue.lastLine()).get("rows")).get(0);
        assertTrue(((String) n.get("anchor_status")).contains("median_ms"), n.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aMissingPythonMeansNotInstalled() {
        MainTest.Run r = MainTest.run("bench", "suite", "--quick", "--only", "gemm-512", "--threads", "1", "--json",
                "--python", tmp.resolve("no-such-python").toString());
        assertEquals(0, r.code(), r.err());
        Map<String, Object> row = ((List<Map<String, Object>>) MainTest.json(r.lastLine()).get("rows")).get(0);
        assertTrue(((String) row.get("anchor_status")).startsWith("not installed (no python at"), row.toString());
        assertTrue(r.out().contains("not installed"), r.out());
    }

    @Test
    void prescottGetsTheBestCoreTypeTheCpuHas() throws IOException {
        assumeTrue(System.getenv("OPENBLAS_CORETYPE") == null, "the caller's OPENBLAS_CORETYPE is kept as it is");
        Path py = fakePython("Prescott", "exit 0");
        StringWriter log = new StringWriter();
        AnchorRunner runner = new AnchorRunner(py, tmp.resolve("anchors"), 30);
        AnchorFacts f = runner.prepare(Set.of("avx2", "fma"), new PrintWriter(log, true));
        assertEquals("Haswell", f.coreType());
        assertEquals("Haswell", f.openblasCore());                        // probed again with the variable set
        assertEquals(Map.of("OPENBLAS_CORETYPE", "Haswell"), runner.environment());
        assertTrue(f.coreTypeReason().contains("Prescott") && log.toString().contains("OPENBLAS_CORETYPE=Haswell"), log.toString());

        AnchorRunner plain = new AnchorRunner(py, tmp.resolve("anchors"), 30);
        AnchorFacts old = plain.prepare(Set.of("sse4_2"), new PrintWriter(new StringWriter()));
        assertNull(old.coreType());
        assertEquals("Prescott", old.openblasCore());
        assertEquals(Map.of(), plain.environment());
    }

    @Test
    void aTimedOutAnchorIsKilledAndReported() throws IOException {
        Path py = fakePython("Zen", "sleep 30");
        AnchorRunner runner = new AnchorRunner(py, tmp.resolve("anchors"), 1);
        SuiteCase c = SuiteCase.standard(null, "", tmp).get(0);
        Measurement m = runner.measure(c, 1, 1, SuitePlan.quick(1));
        assertTrue(!m.ok() && m.error().startsWith("timed out"), String.valueOf(m.error()));
    }

    @Test
    void rejectsBadArguments() {
        assertUsage("--threads must be a comma-separated list", "bench", "suite", "--threads", "1,x");
        assertUsage("--threads must be between 1 and", "bench", "suite", "--threads", "0");
        assertUsage("--threads lists 2 twice", "bench", "suite", "--threads", "2,2");
        assertUsage("--threads must be a comma-separated list", "bench", "suite", "--threads", "1,");
        assertUsage("--rounds must be >= 1, got 0", "bench", "suite", "--rounds", "0");
        assertUsage("--only: unknown case 'gemm-7'", "bench", "suite", "--only", "gemm-7");
        assertUsage("--data: " + tmp.resolve("none") + " is not a directory", "bench", "suite", "--data", tmp.resolve("none").toString());
        assertUsage("has no train-images-idx3-ubyte", "bench", "suite", "--data", tmp.toString());
        assertUsage("--anchor-timeout must be >= 1", "bench", "suite", "--anchor-timeout", "0");
    }

    private static void assertUsage(String message, String... args) {
        MainTest.Run r = MainTest.run(args);
        assertEquals(Main.EXIT_USAGE, r.code(), r.err());
        assertTrue(r.err().contains(message), r.err());
    }
}
