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
        assertTrue(space.err().contains("unknown space 'nasbench'; available: fashion-tiny"), space.err());
        Run method = run("search", "--method", "darts", "--out", out.toString());
        assertTrue(method.err().contains("--method must be spos or random"), method.err());
        assertTrue(!Files.exists(out), "nothing written");
    }
}
