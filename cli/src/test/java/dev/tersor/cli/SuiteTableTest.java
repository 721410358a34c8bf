package dev.tersor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The suite's arithmetic and bookkeeping: medians over rounds, ratios, failures, the interleaving order, the cases. */
class SuiteTableTest {

    private static final SuiteCase GEMM = new SuiteCase("gemm-4", "SGEMM 4³", List.of("bench", "gemm", "--size", "4", "--json"),
            new SuiteCase.Anchor("numpy", "numpy_gemm.py", List.of("--size", "4")), SuiteCase.Metric.MEDIAN_CALL, 128);
    private static final SuiteCase CONV = new SuiteCase("conv", "conv", List.of("bench", "conv2d"),
            new SuiteCase.Anchor("torch", "torch_conv2d.py", List.of()), SuiteCase.Metric.MEDIAN_CALL, 0);
    private static final SuiteCase SOLO = new SuiteCase("solo", "no anchor", List.of("bench", "gemm"), null, SuiteCase.Metric.MEDIAN_CALL, 0);

    private static Measurement ok(SuiteCase c, String impl, int threads, int round, double ms) {
        return Measurement.ok(c.id(), impl, threads, round, ms, Map.of("median_ms", ms));
    }

    @Test
    void mediansOverRoundsAndTheirRatio() {
        List<Measurement> ms = List.of(
                ok(GEMM, "tersor", 1, 1, 10), ok(GEMM, "numpy", 1, 1, 4),
                ok(GEMM, "tersor", 1, 2, 30), ok(GEMM, "numpy", 1, 2, 5),
                ok(GEMM, "tersor", 1, 3, 20), Measurement.failed(GEMM.id(), "numpy", 1, 3, "exit 1: boom"),
                ok(GEMM, "tersor", 2, 1, 8), ok(GEMM, "numpy", 2, 1, 16));
        List<SuiteTable.Row> rows = SuiteTable.rows(List.of(GEMM), List.of(1, 2), ms, c -> null);
        assertEquals(2, rows.size());
        SuiteTable.Row one = rows.get(0);
        assertEquals(20, one.tersor().median(), 0);                  // median of 10, 30, 20
        assertEquals(3, one.tersor().runs());
        assertEquals((30 - 10) / 20.0, one.tersor().spread(), 1e-12);
        assertEquals(4.5, one.anchor().median(), 0);                 // mean of the middle two of 4, 5; the failure left out
        assertEquals(1, one.anchor().failures());
        assertEquals(20 / 4.5, one.ratio(), 1e-12);
        assertEquals(128 / (20 * 1e6), one.gflops(one.tersor()), 1e-15);
        assertEquals(0.5, rows.get(1).ratio(), 0);                   // 8 ms against 16 ms: Tersor twice as fast
        String table = SuiteTable.render(rows);
        assertTrue(table.contains("4.44×"), table);
        assertTrue(table.contains("0.50×"), table);
        Map<String, Object> j = SuiteTable.json(rows).get(0);
        assertEquals(20.0, j.get("tersor_ms"));
        assertEquals(4.5, j.get("anchor_ms"));
        assertEquals(4.4444, j.get("ratio"));
        assertEquals("measured", j.get("anchor_status"));
        assertEquals("exit 1: boom", j.get("anchor_error"));
        assertEquals("tersor_ms/anchor_ms", j.get("ratio_is"));
    }

    @Test
    void anchorsThatFailedOrAreMissingAreSaidSoInTheirCell() {
        List<Measurement> ms = List.of(ok(GEMM, "tersor", 1, 1, 10), Measurement.failed(GEMM.id(), "numpy", 1, 1, "exit 3: boom"),
                ok(CONV, "tersor", 1, 1, 7), ok(SOLO, "tersor", 1, 1, 3));
        List<SuiteTable.Row> rows = SuiteTable.rows(List.of(GEMM, CONV, SOLO), List.of(1), ms,
                c -> c.anchor().library().equals("torch") ? "torch not installed" : null);
        assertEquals("failed: exit 3: boom", rows.get(0).anchorStatus());
        assertEquals("torch not installed", rows.get(1).anchorStatus());
        assertEquals("none", rows.get(2).anchorStatus());
        for (SuiteTable.Row r : rows) assertTrue(Double.isNaN(r.ratio()));
        String table = SuiteTable.render(rows);
        assertTrue(table.contains("failed: exit 3: boom") && table.contains("torch not installed"), table);
        List<Map<String, Object>> j = SuiteTable.json(rows);
        assertNull(j.get(0).get("ratio"));
        assertNull(j.get(1).get("anchor_ms"));
        assertEquals(7.0, j.get(1).get("tersor_ms"));
    }

    @Test
    void aTersorFailureShowsInsteadOfItsTime() {
        List<SuiteTable.Row> rows = SuiteTable.rows(List.of(SOLO), List.of(1),
                List.of(Measurement.failed("solo", "tersor", 1, 1, "exit 1: out of memory")), c -> null);
        assertTrue(SuiteTable.render(rows).contains("failed: exit 1: out of memory"));
        assertEquals(1, rows.get(0).tersor().failures());
    }

    @Test
    void timesKeepThreeSignificantDigits() {
        assertEquals("1235", SuiteTable.ms(1234.6));
        assertEquals("123.5", SuiteTable.ms(123.46));
        assertEquals("12.35", SuiteTable.ms(12.346));
        assertEquals("1.235", SuiteTable.ms(1.2346));
    }

    @Test
    void interleavesTersorAndAnchorRoundByRound() {
        List<String> calls = new ArrayList<>();
        BenchSuite.Side tersor = (c, t, r) -> {
            calls.add("tersor " + c.id() + " " + t + " " + r);
            return ok(c, "tersor", t, r, 1);
        };
        BenchSuite.Side anchor = (c, t, r) -> {
            calls.add(c.anchor().library() + " " + c.id() + " " + t + " " + r);
            return ok(c, c.anchor().library(), t, r, 2);
        };
        StringWriter log = new StringWriter();
        List<Measurement> ms = BenchSuite.interleave(List.of(GEMM, CONV, SOLO), List.of(1, 2), 2, tersor, anchor,
                c -> !c.id().equals("conv"), new PrintWriter(log, true));
        assertEquals(List.of(
                "tersor gemm-4 1 1", "numpy gemm-4 1 1", "tersor gemm-4 2 1", "numpy gemm-4 2 1",
                "tersor conv 1 1", "tersor conv 2 1", "tersor solo 1 1", "tersor solo 2 1",
                "tersor gemm-4 1 2", "numpy gemm-4 1 2", "tersor gemm-4 2 2", "numpy gemm-4 2 2",
                "tersor conv 1 2", "tersor conv 2 2", "tersor solo 1 2", "tersor solo 2 2"), calls);
        assertEquals(16, ms.size());
        assertTrue(log.toString().contains("round 2/2  SGEMM 4³, 2 threads: tersor 1.000 ms numpy 2.000 ms"), log.toString());
    }

    @Test
    void metricsReadTheReportsField() {
        assertEquals(2.5, SuiteCase.Metric.MEDIAN_CALL.millis(Map.of("median_ms", 2.5)), 0);
        assertEquals(2500, SuiteCase.Metric.FIRST_EPOCH.millis(Map.of("epoch_seconds", List.of(2.5, 9.0))), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SuiteCase.Metric.MEDIAN_CALL.millis(Map.of("gflops", 3.0)));
        assertTrue(e.getMessage().contains("median_ms"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SuiteCase.Metric.FIRST_EPOCH.millis(Map.of("epoch_seconds", List.of())));
    }

    @Test
    void theStandardCasesAndTheirCommands() {
        Path scratch = Path.of("/tmp/s");
        List<SuiteCase> cases = SuiteCase.standard(Path.of("/data/mnist"), "MNIST", scratch);
        assertEquals(List.of("gemm-512", "gemm-1024", "conv-n64-3-64", "conv-n128-16-16", "conv-n1-256-256", "lenet5-epoch", "resnet20-step"),
                cases.stream().map(SuiteCase::id).toList());
        assertEquals(List.of("lenet5-epoch"), SuiteCase.standard(Path.of("/d"), "x", scratch).stream()
                .filter(c -> c.metric() == SuiteCase.Metric.FIRST_EPOCH).map(SuiteCase::id).toList());
        assertEquals(6, SuiteCase.standard(null, "", scratch).size());   // no data: no LeNet-5 epoch
        SuitePlan plan = SuitePlan.quick(1);
        SuiteCase gemm = cases.get(1);
        assertEquals(2.0 * 1024 * 1024 * 1024, gemm.flops(), 0);
        assertEquals(List.of("bench", "gemm", "--size", "1024", "--json", "--threads", "2", "--warmup-seconds", "0.5",
                "--time-seconds", "0.2", "--min-reps", "3"), gemm.tersorCommand(2, plan));
        assertEquals(List.of("--size", "1024", "--threads", "2", "--warmup-seconds", "0.5", "--time-seconds", "0.2", "--min-reps", "3"),
                gemm.anchorArgs(2, plan));
        SuiteCase conv = cases.get(4);
        assertEquals(3 * 2.0 * 256 * 256 * 9 * 14 * 14, conv.flops(), 0);
        assertTrue(conv.tersorCommand(1, plan).containsAll(List.of("--backward", "--pad", "1")));
        SuiteCase lenet = cases.get(5);
        assertEquals(List.of("--data", "/data/mnist", "--epochs", "1", "--out", scratch.resolve("lenet5-torch.safetensors").toString(),
                "--threads", "1"), lenet.anchorArgs(1, plan));                           // an epoch takes no timing flags
        assertTrue(lenet.tersorCommand(1, plan).containsAll(List.of("train", "--epochs", "1", "--json")));
        assertThrows(IllegalArgumentException.class, () -> new SuitePlan(1, 1, 1, 0));
    }

    @Test
    void cpuModelFromLscpuElseCpuinfo() {
        String lscpu = "Architecture:  x86_64\nVendor ID:     GenuineIntel\nModel name:    Intel(R) Xeon(R) Platinum 8488C\nCPU family: 6\n";
        assertEquals("Intel(R) Xeon(R) Platinum 8488C", MachineFacts.cpuModel(lscpu, null));
        assertEquals("AMD EPYC 9R14", MachineFacts.cpuModel(null, "processor\t: 0\nmodel\t\t: 17\nmodel name\t: AMD EPYC 9R14\n"));
        assertEquals("unknown", MachineFacts.cpuModel("Architecture: aarch64\n", null));
        assertEquals("17", MachineFacts.field("model\t\t: 17\nmodel name\t: X\n", "model"));
    }

    @Test
    void openblasCoreTypeOnlyReplacesPrescott() {
        assertEquals("SkylakeX", AnchorFacts.coreTypeFor("Prescott", Set.of("avx2", "fma", "avx512f", "avx512bw")));
        assertEquals("Haswell", AnchorFacts.coreTypeFor("Prescott", Set.of("avx2", "fma")));
        assertNull(AnchorFacts.coreTypeFor("Prescott", Set.of("sse4_2")));     // nothing better to pick
        assertNull(AnchorFacts.coreTypeFor("Zen", Set.of("avx2", "fma")));     // a good detection is kept
        assertNull(AnchorFacts.coreTypeFor(null, Set.of("avx2", "fma")));
        AnchorFacts f = new AnchorFacts(null, Map.of("numpy", Map.of("installed", true, "openblas_core", "Zen"),
                "torch", Map.of("installed", false)), null, null);
        assertEquals("Zen", f.openblasCore());
        assertNull(f.unavailable("numpy"));
        assertEquals("torch not installed", f.unavailable("torch"));
        assertEquals("not installed (no python at /x)", AnchorFacts.none("no python at /x").unavailable("numpy"));
    }
}
