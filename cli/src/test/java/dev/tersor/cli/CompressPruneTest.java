package dev.tersor.cli;

import static dev.tersor.cli.MainTest.json;
import static dev.tersor.cli.MainTest.number;
import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.compress.io.CompressedModel;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tersor compress prune} on a LeNet-5 trained briefly on 512 bundled images; the pruned file read back by eval and info. */
class CompressPruneTest {
    @TempDir
    static Path tmp;
    static Path weights, bnWeights;

    @BeforeAll
    static void trainFloat() {
        weights = tmp.resolve("lenet5.safetensors");
        Run r = run("train", "--model", "lenet5", "--limit", "512", "--batch", "32", "--epochs", "2", "--threads", "1",
                "--out", weights.toString());
        assertEquals(0, r.code(), r.err());
        bnWeights = tmp.resolve("lenet5-bn.safetensors");
        r = run("train", "--model", "lenet5-bn", "--limit", "512", "--batch", "32", "--epochs", "1", "--threads", "1",
                "--out", bnWeights.toString());
        assertEquals(0, r.code(), r.err());
    }

    private static Run prune(Path out, String... args) {
        String[] head = {"compress", "prune", "--model", "lenet5", "--weights", weights.toString(), "--out", out.toString(),
            "--limit", "512", "--threads", "1", "--json"};
        return run(MainTest.concat(head, args));
    }

    @Test
    void halfTheFlopsGiveASmallerFileThatEvalAndInfoRead() throws Exception {
        Path out = tmp.resolve("l1.safetensors");
        Run r = prune(out, "--method", "l1", "--flops", "0.5", "--finetune-epochs", "1", "--batch", "32");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = json(r.lastLine());
        assertTrue(number(j, "flops_ratio") <= 0.5, j.toString());
        assertTrue(number(j, "parameters") < number(j, "float_parameters"));
        assertTrue(Files.size(out) < 0.75 * Files.size(weights), Files.size(out) + " vs " + Files.size(weights));
        assertTrue(r.err().contains("family (producing layers)"), r.err());
        assertTrue(r.err().contains("epoch 1/1"), r.err());
        assertFalse(Files.exists(Path.of(out + ".plan")), "the plan file is removed after a finished run");
        Module m = CompressedModel.load(out);
        assertTrue(((Linear) m.get("fc1")).weight().shape()[0] < 120);
        Run e = run("eval", "--weights", out.toString(), "--limit", "512", "--threads", "1", "--json");
        assertEquals(0, e.code(), e.err());
        assertEquals(number(j, "accuracy"), number(json(e.lastLine()), "accuracy"), 1e-12);
        Run i = run("info", "--weights", out.toString());
        assertEquals(0, i.code(), i.err());
        assertTrue(i.out().contains("structurally pruned: 61,706 ->"), i.out());
        assertTrue(i.out().matches("(?s).*\\nfc1 +120 +\\d+\\n.*"), i.out());
    }

    @Test
    void theUnprunedModelCanTeachTheFineTune() throws Exception {
        Path out = tmp.resolve("kd.safetensors");
        Run r = prune(out, "--rate", "0.3", "--finetune-epochs", "1", "--batch", "32", "--teacher", "lenet5:" + weights, "--alpha", "0.5");
        assertEquals(0, r.code(), r.err());
        assertTrue(String.valueOf(json(r.lastLine()).get("recipe")).contains("teacher=lenet5:"), r.lastLine());
        r = prune(out, "--rate", "0.3", "--teacher", "resnet20:" + weights);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--teacher resnet20"), r.err());
    }

    @Test
    void iterativePruningReachesTheTargetInSteps() throws Exception {
        Path out = tmp.resolve("agp.safetensors");
        Run r = prune(out, "--flops", "0.5", "--steps", "3", "--step-epochs", "1", "--batch", "32");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("step 1/3, 70.4% of the target removed so far"), r.err());   // 1 − (1 − 1/3)³ = 0.7037
        assertTrue(r.err().contains("step 3/3, 100.0%"), r.err());
        Map<String, Object> j = json(r.lastLine());
        assertTrue(number(j, "flops_ratio") <= 0.5, j.toString());
        assertTrue(String.valueOf(j.get("recipe")).contains("steps=3 step_epochs=1"), j.toString());
        assertEquals(number(j, "accuracy"), number(json(run("eval", "--weights", out.toString(), "--limit", "512", "--threads", "1", "--json")
                .lastLine()), "accuracy"), 1e-12, "the composed plan rebuilds the model");
    }

    @Test
    void hrankAndGlobalAllocationRun() throws Exception {
        Path out = tmp.resolve("hrank.safetensors");
        Run r = prune(out, "--method", "hrank", "--rate", "0.25", "--allocation", "global", "--hrank-batches", "2", "--hrank-batch", "16");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("HRank ranked batch 2/2"), r.err());
        Map<String, Object> j = json(r.lastLine());
        assertTrue(number(j, "parameters") < number(j, "float_parameters"));
    }

    @Test
    void scopTrainsItsKnockoffScalesThenPrunes() throws Exception {
        Path out = tmp.resolve("scop.safetensors");
        Run r = prune(out, "--method", "scop", "--flops", "0.3", "--scop-epochs", "1", "--scop-samples", "256", "--batch", "64");
        assertEquals(2, r.code(), "plain LeNet-5 has no batch norm: " + r.err());
        assertTrue(r.err().contains("SCOP needs layers followed by a batch norm"), r.err());
        r = run("compress", "prune", "--model", "lenet5-bn", "--weights", bnWeights.toString(), "--out", out.toString(), "--limit", "512",
                "--threads", "1", "--json", "--method", "scop", "--flops", "0.3", "--scop-epochs", "1", "--scop-samples", "256", "--batch", "64");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("fitting the Gaussian knockoff model to 256 training images"), r.err());
        assertTrue(r.err().contains("SCOP epoch 1/1 done, 7 steps"), r.err());   // 460 training images: the default tenth is held out
        Map<String, Object> j = json(r.lastLine());
        assertTrue(number(j, "flops_ratio") <= 0.7, j.toString());
        assertTrue(String.valueOf(j.get("recipe")).contains("scop_epochs=1"), j.toString());
    }

    @Test
    void cogdTrainsSoftMasksThenPrunesToTheFlopsTarget() throws Exception {
        Path out = tmp.resolve("cogd.safetensors");
        Run r = prune(out, "--method", "cogd", "--flops", "0.4", "--cogd-epochs", "1", "--batch", "64");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("CoGD epoch 1/1 done, 7 steps"), r.err());   // 460 training images: the default tenth is held out
        assertTrue(r.err().contains("cogradient steps on"), r.err());
        Map<String, Object> j = json(r.lastLine());
        assertTrue(number(j, "flops_ratio") <= 0.6, j.toString());
        assertTrue(number(j, "flops_ratio") > 0.45, "one target, not more: " + j);
        assertTrue(String.valueOf(j.get("recipe")).contains("method=cogd cogd_epochs=1 cogd_lr=0.01 cogd_mask_lr=0.01 cogd_lambda=0.01 cogd_tau=0.5"),
                j.toString());
        assertTrue(CompressedModel.isCompressed(out));
        Run e = run("eval", "--weights", out.toString(), "--limit", "512", "--threads", "1", "--json");
        assertEquals(0, e.code(), e.err());
        assertEquals(number(j, "accuracy"), number(json(e.lastLine()), "accuracy"), 1e-12, "the file holds the masked-and-pruned model");
    }

    @Test
    void badCogdFlagsFailBeforeAnyTraining() {
        Path out = tmp.resolve("bad-cogd.safetensors");
        for (String[] bad : new String[][] {{"--cogd-epochs", "0", "--cogd-epochs must be >= 1, got 0"},
            {"--cogd-lambda", "-0.1", "--cogd-lambda must be a finite number >= 0, got -0.1"},
            {"--cogd-lr", "0", "--cogd-lr must be a finite number > 0, got 0.0"},
            {"--cogd-mask-lr", "NaN", "--cogd-mask-lr must be a finite number > 0, got NaN"},
            {"--cogd-tau", "1.5", "--cogd-tau must be in [0, 1], got 1.5"}}) {
            Run r = prune(out, "--method", "cogd", "--flops", "0.3", bad[0], bad[1]);
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains(bad[2]), r.err());
            assertFalse(r.err().contains("CoGD epoch"), r.err());
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void metaPruningSearchesWidthsUnderTheLimit() throws Exception {
        Path out = tmp.resolve("meta.safetensors");
        Run r = prune(out, "--method", "metapruning", "--flops", "0.5", "--meta-steps", "16", "--meta-population", "6",
                "--meta-generations", "2", "--validation", "128", "--batch", "32");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("MetaPruning widths"), r.err());
        Map<String, Object> j = json(r.lastLine());
        assertTrue(number(j, "flops_ratio") <= 0.5, j.toString());
        assertTrue(CompressedModel.isCompressed(out));
        double val = number(j, "validation_samples");
        assertTrue(Math.abs(val - 128) <= 6, "the older --validation 128 holds out about 128 images: " + val);
        assertEquals(512.0, val + number(j, "train_samples"), "held out of the training images, which no longer train on them");
    }

    @Test
    void oneCacpPolicyWritesAFileForEveryRate() throws Exception {
        Path out = tmp.resolve("cacp.safetensors");
        Run r = prune(out, "--method", "cacp", "--flops", "0.5", "--cacp-rates", "0.3,0.5,0.7", "--cacp-episodes", "2,3", "--validation", "128",
                "--batch", "32");
        assertEquals(0, r.code(), r.err());
        Path f30 = tmp.resolve("cacp-f30.safetensors"), f70 = tmp.resolve("cacp-f70.safetensors");
        assertTrue(Files.exists(out) && Files.exists(f30) && Files.exists(f70), r.err());
        assertFalse(Files.exists(tmp.resolve("cacp-f50.safetensors")), "the --flops rate goes to --out");
        assertFalse(Files.exists(tmp.resolve("cacp-f30-f70.safetensors")), "every name derives from --out, not from the previous rate's");
        Map<String, Object> j = json(r.lastLine());
        assertEquals(f70.toString(), j.get("out"));
        assertTrue(number(j, "flops_ratio") <= 0.3, j.toString());
        String[] lines = r.out().strip().split("\n");
        Map<String, Object> first = null;
        for (String l : lines) if (l.startsWith("{") && l.contains(out.toString() + "\"")) first = json(l);
        assertTrue(first != null && number(first, "flops_ratio") <= 0.5, r.out());
        Run e = prune(out, "--method", "cacp", "--rate", "0.5");
        assertEquals(2, e.code());
        assertTrue(e.err().contains("--method cacp needs --flops"), e.err());
    }

    @Test
    void badSettingsFailBeforeAnyTraining() {
        Path out = tmp.resolve("bad.safetensors");
        Run r = prune(out, "--flops", "1.0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--flops must be in [0, 1), got 1.0"), r.err());
        r = prune(out, "--flops", "0.5", "--rate", "0.5");
        assertTrue(r.err().contains("give exactly one of --flops and --rate"), r.err());
        r = prune(out, "--flops", "0.999", "--finetune-epochs", "3");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("a FLOPs reduction of 99.9% cannot be met"), r.err());
        assertFalse(r.err().contains("epoch 1/"), r.err());
        r = prune(out, "--method", "magic", "--flops", "0.5");
        assertTrue(r.err().contains("--method must be l1, l2, slim, hrank, scop, cogd, metapruning or cacp"), r.err());
        r = prune(out, "--method", "slim", "--flops", "0.5");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("network slimming needs an affine batch norm"), r.err());
        r = prune(out, "--flops", "0.5", "--resume", weights.toString());
        assertTrue(r.err().contains("--resume needs the pruning plan"), r.err());
        assertFalse(Files.exists(out));
    }
}
