package dev.tersor.cli;

import static dev.tersor.cli.MainTest.json;
import static dev.tersor.cli.MainTest.number;
import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.compress.io.CompressedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tersor compress sparsify} on a LeNet-5 trained briefly on 512 bundled images; eval and info read its file. */
class CompressSparseTest {
    @TempDir
    static Path tmp;
    static Path weights;

    @BeforeAll
    static void trainFloat() {
        weights = tmp.resolve("lenet5.safetensors");
        Run r = run("train", "--model", "lenet5", "--limit", "512", "--batch", "32", "--epochs", "1", "--threads", "1", "--out", weights.toString());
        assertEquals(0, r.code(), r.err());
    }

    private static Run sparsify(Path out, String... args) {
        String[] head = {"compress", "sparsify", "--model", "lenet5", "--weights", weights.toString(), "--out", out.toString(), "--limit", "512",
            "--threads", "1", "--json", "--batch", "32"};
        return run(MainTest.concat(head, args));
    }

    @SuppressWarnings("unchecked")
    @Test
    void oneShotWritesASparseFileThatEvalAndInfoRead() throws Exception {
        Path out = tmp.resolve("sparse80.safetensors");
        Run r = sparsify(out, "--sparsity", "0.8", "--scope", "layer", "--keep-first-last", "--finetune-epochs", "1", "--compute", "sparse");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = json(r.lastLine());
        assertEquals("80% magnitude sparsity", j.get("method"));
        assertEquals(0.8, number(j, "sparsity"), 1e-3);
        List<Map<String, Object>> layers = (List<Map<String, Object>>) j.get("sparse_layers");
        assertEquals(List.of("conv2", "fc1", "fc2"), layers.stream().map(l -> l.get("name")).toList());
        for (Map<String, Object> l : layers) {
            assertEquals(0.8, number(l, "sparsity"), 1e-3, l.toString());
            assertEquals("bitmask", l.get("storage"));
            assertEquals("sparse", l.get("compute"));
        }
        assertTrue(r.err().contains("fc1") && r.err().contains("compute (batch 1)"), r.err());
        assertTrue(CompressedModel.isCompressed(out));
        assertEquals((double) Files.size(out), number(j, "file_bytes"));
        assertTrue(number(j, "float_file_bytes") > 3 * Files.size(out), j.toString());
        Run e = run("eval", "--weights", out.toString(), "--limit", "512", "--threads", "1", "--json");
        assertEquals(0, e.code(), e.err());
        assertEquals(number(j, "accuracy"), number(json(e.lastLine()), "accuracy"), 1e-12, "eval reads the same model");
        Run i = run("info", "--weights", out.toString());
        assertEquals(0, i.code(), i.err());
        assertTrue(i.out().contains("SparseLinear"), i.out());
    }

    @Test
    void agpReachesTheTargetDuringFineTuning() {
        Path out = tmp.resolve("agp.safetensors");
        Run r = sparsify(out, "--sparsity", "0.9", "--schedule", "agp", "--finetune-epochs", "1", "--agp-updates", "4", "--compute", "dense");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = json(r.lastLine());
        assertEquals(0.9, number(j, "sparsity"), 1e-3);
        assertTrue(r.err().contains("AGP 0 → 90.0% over steps 0..8, a mask update every 2 steps"), r.err());
        assertTrue(r.err().contains("dense (sparse slower)"), r.err());
    }

    @Test
    void badSettingsAreUsageErrors() {
        Path out = tmp.resolve("bad.safetensors");
        Run s = sparsify(out, "--sparsity", "1.0");
        assertEquals(2, s.code());
        assertTrue(s.err().contains("--sparsity must be in [0, 1), got 1.0"), s.err());
        Run l = sparsify(out, "--sparsity", "0.5", "--layers", "fc9", "--finetune-epochs", "0");
        assertEquals(2, l.code());
        assertTrue(l.err().contains("unknown layer path 'fc9'; Conv2d and Linear layers are [conv1, conv2, fc1, fc2, fc3]"), l.err());
        Run a = sparsify(out, "--sparsity", "0.5", "--schedule", "agp", "--finetune-epochs", "0");
        assertEquals(2, a.code());
        assertTrue(a.err().contains("--schedule agp prunes during fine-tuning"), a.err());
    }
}
