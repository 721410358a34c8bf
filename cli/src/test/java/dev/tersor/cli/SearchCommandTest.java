package dev.tersor.cli;

import static dev.tersor.cli.MainTest.json;
import static dev.tersor.cli.MainTest.number;
import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.search.Architecture;
import dev.tersor.search.ChainSpace;
import dev.tersor.search.CostTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tersor search} on the bundled MNIST sample: an architecture file that reads back, a resume that re-scores nothing, clear errors. */
class SearchCommandTest {
    @TempDir
    Path tmp;

    private Run search(Path out, String... extra) {
        return run(MainTest.concat(new String[] {"search", "--dataset", "mnist", "--limit", "640", "--epochs", "1", "--method", "random",
            "--evaluations", "6", "--threads", "1", "--out", out.toString(), "--json"}, extra));
    }

    @Test
    void randomSearchWritesTheBestArchitectureAndAResumeReusesItsTrials() throws Exception {
        Path out = tmp.resolve("arch.json");
        Run r = search(out);
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = json(r.lastLine());
        ChainSpace space = ChainSpace.fashionTiny();
        Architecture best = Architecture.read(out, space);
        @SuppressWarnings("unchecked")
        List<Double> ops = (List<Double>) j.get("architecture");
        assertEquals(best.ops(), ops.stream().map(Double::intValue).toList());
        assertEquals(6.0, number(j, "evaluations"));
        assertEquals(CostTable.macs(space).of(best), number(j, "macs"), 1e-6);
        assertTrue(number(j, "validation_accuracy") > 0 && number(j, "validation_accuracy") <= 1, j.toString());
        Path log = Path.of(out + ".run").resolve("random");
        assertTrue(Files.isDirectory(log), "the run directory holds the search's log and state");
        List<String> csv = Files.readAllLines(Path.of((String) j.get("trials_csv")));
        assertEquals("trial,generation,origin,ops,op_names,validation_accuracy,macs,params", csv.get(0));
        assertEquals(7, csv.size(), "a row per scored candidate");
        assertTrue(csv.stream().anyMatch(l -> l.contains("," + best.key() + ",") && l.contains(String.valueOf(number(j, "validation_accuracy")))),
                "the best is among them: " + csv);
        java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(Path.of((String) j.get("front_png")).toFile());
        assertTrue(png.getWidth() > 500, "the accuracy-MACs front of the candidates");

        Run again = search(out);
        assertEquals(0, again.code(), again.err());
        Map<String, Object> k = json(again.lastLine());
        assertEquals(j.get("architecture"), k.get("architecture"), "the resumed run finds the same best");
        assertEquals(number(j, "validation_accuracy"), number(k, "validation_accuracy"));
        assertTrue(again.err().contains("resumed from"), "the supernet resumes from its checkpoint: " + again.err());
    }

    @Test
    void theFoundArchitectureTrainsEvaluatesAndSummarises() throws Exception {
        Path arch = tmp.resolve("arch.json");
        ChainSpace space = ChainSpace.fashionTiny();
        new Architecture(space.name(), List.of(0, 3, 1, 2)).write(arch, space);
        Path w = tmp.resolve("w.safetensors");
        Run t = run("train", "--arch", arch.toString(), "--dataset", "mnist", "--limit", "512", "--batch", "32", "--epochs", "1", "--threads", "1",
                "--out", w.toString(), "--json");
        assertEquals(0, t.code(), t.err());
        assertEquals("arch:" + space.name() + ":0-3-1-2", json(t.lastLine()).get("model"));
        Run e = run("eval", "--weights", w.toString(), "--dataset", "mnist", "--limit", "512", "--threads", "1", "--json");
        assertEquals(0, e.code(), "the weights name their architecture: " + e.err());
        assertEquals(number(json(t.lastLine()), "final_test_accuracy"), number(json(e.lastLine()), "accuracy"), 1e-12);
        Run i = run("info", "--arch", arch.toString(), "--json");
        assertEquals(0, i.code(), i.err());
        assertEquals(CostTable.macs(space).of(new Architecture(space.name(), List.of(0, 3, 1, 2))), number(json(i.lastLine()), "total_macs"), 1e-6);
        Run both = run("train", "--arch", arch.toString(), "--model", "lenet5", "--out", w.toString());
        assertTrue(both.err().contains("give --model M (a zoo model) or --arch arch.json"), both.err());
        Files.writeString(arch, "{\"space\": \"" + space.name() + "\", \"ops\": [0, 9, 1, 2]}");
        Run bad = run("info", "--arch", arch.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("op index 9"), bad.err());
    }

    @Test
    void impossibleLimitsAndBadSettingsAreNamed() {
        Path out = tmp.resolve("arch.json");
        Run tiny = search(out, "--max-macs", "1");
        assertEquals(2, tiny.code());
        assertTrue(tiny.err().contains("the smallest possible is"), tiny.err());
        Run space = search(out, "--space", "nasbench");
        assertTrue(space.err().contains("unknown search space 'nasbench': expected one of [fashion-chain-4x4, fashion-cell-3]"), space.err());
        Run method = run("search", "--method", "enas", "--out", out.toString());
        assertTrue(method.err().contains("--method must be one of spos, random, darts, pcdarts"), method.err());
        Run chain = run("search", "--method", "darts", "--out", out.toString());
        assertTrue(chain.err().contains("needs a cell space (e.g. fashion-cell-3); fashion-chain-4x4 is a chain"), chain.err());
        Run limited = run("search", "--method", "pcdarts", "--space", "fashion-cell-3", "--constraint", "macs=1e6", "--out", out.toString());
        assertTrue(limited.err().contains("--constraint applies to spos and random"), limited.err());
        Run unknown = search(out, "--constraint", "flops=3");
        assertTrue(unknown.err().contains("unknown cost 'flops' (expected macs, params or latency)"), unknown.err());
        Run unit = search(out, "--constraint", "latency=3");
        assertTrue(unit.err().contains("give the latency in milliseconds"), unit.err());
        Run small = search(out, "--constraint", "params=10");
        assertEquals(2, small.code());
        assertTrue(small.err().contains("the smallest possible is"), small.err());
        assertTrue(!Files.exists(out), "nothing written");
    }

    @Test
    void pcDartsSearchesTheCellSpaceAndItsCellTrains() throws Exception {
        Path out = tmp.resolve("cell.json");
        Run r = run("search", "--space", "fashion-cell-3", "--method", "pcdarts", "--dataset", "mnist", "--limit", "640", "--epochs", "2",
                "--batch", "64", "--threads", "1", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = json(r.lastLine());
        dev.tersor.search.CellSpace space = dev.tersor.search.CellSpace.fashionCell();
        Architecture a = Architecture.read(out, space);
        // the derived cell: node 1 keeps its one input, node 2 both, and no edge is none
        assertTrue(a.ops().stream().allMatch(o -> o != 0), a.toString());
        assertEquals(CostTable.macs(space).of(a), number(j, "macs"), 1e-6);
        // 576 training samples after the hold-out: 288 per half, 5 batches of 64 per epoch, α stepped from epoch 1 (no warm-up at 2 epochs)
        assertEquals(10.0, number(j, "weight_steps"));
        assertEquals(10.0, number(j, "arch_steps"));
        List<String> epochs = Files.readAllLines(Path.of((String) j.get("epochs_jsonl")));
        assertEquals(2, epochs.size());
        assertTrue(epochs.get(1).contains("\"arch\": \"" + a.key() + "\""), epochs.get(1));
        Path w = tmp.resolve("cell.safetensors");
        Run t = run("train", "--arch", out.toString(), "--dataset", "mnist", "--limit", "256", "--batch", "32", "--epochs", "1", "--threads", "1",
                "--out", w.toString(), "--json");
        assertEquals(0, t.code(), t.err());
        assertEquals("arch:fashion-cell-3:" + a.key(), json(t.lastLine()).get("model"));
        Run i = run("info", "--weights", w.toString(), "--json");
        assertEquals(0, i.code(), i.err());
        assertEquals(CostTable.macs(space).of(a), number(json(i.lastLine()), "total_macs"), 1e-6);
    }

    @Test
    void aLatencyLimitIsMeasuredOnThisJvmAndKept() throws Exception {
        Path out = tmp.resolve("fast.json");
        Run r = search(out, "--constraint", "latency=1000ms");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = json(r.lastLine());
        assertTrue(number(j, "latency_ms") > 0 && number(j, "latency_ms") <= 1000, j.toString());
        Path table = Path.of(out + ".run").resolve("latency.json");
        assertTrue(Files.readString(table).contains("fashion-chain-4x4"), "the table of this machine and JVM is kept in the run directory");
        List<String> csv = Files.readAllLines(Path.of((String) j.get("trials_csv")));
        assertEquals("trial,generation,origin,ops,op_names,validation_accuracy,macs,params,latency_ms", csv.get(0));
    }
}
