package dev.tersor.cli;

import static dev.tersor.cli.MainTest.json;
import static dev.tersor.cli.MainTest.number;
import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

/**
 * {@code tersor compress ptq|qat|cluster|slb|abs} on a LeNet-5 trained briefly on 512 bundled
 * images, and the compressed files they write read back by {@code eval}, {@code info} and
 * {@code bench forward} without {@code --model}.
 */
class CompressCommandTest {
    @TempDir
    static Path tmp;
    static Path weights;
    static final String[] DATA = {"--limit", "512", "--threads", "1", "--json"};

    @BeforeAll
    static void trainFloat() {
        weights = tmp.resolve("lenet5.safetensors");
        Run r = run("train", "--model", "lenet5", "--limit", "512", "--batch", "32", "--epochs", "2", "--threads", "1",
                "--out", weights.toString());
        assertEquals(0, r.code(), r.err());
    }

    private static Map<String, Object> compress(String method, Path out, String... args) {
        String[] head = {"compress", method, "--model", "lenet5", "--weights", weights.toString(), "--out", out.toString()};
        Run r = run(MainTest.concat(MainTest.concat(head, DATA), args));
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = json(r.lastLine());
        assertEquals(out.toString(), j.get("out"));
        return j;
    }

    /** The file is a compressed model of its JSON's size, shrunk by at least {@code ratio}, whose accuracy eval reproduces. */
    private static void checkFile(Map<String, Object> j, Path out, double ratio) throws Exception {
        assertTrue(CompressedModel.isCompressed(out));
        assertEquals((double) Files.size(out), number(j, "file_bytes"));
        assertTrue(number(j, "float_file_bytes") >= ratio * Files.size(out), j.toString());
        Run e = run("eval", "--weights", out.toString(), "--limit", "512", "--threads", "1", "--json");
        assertEquals(0, e.code(), e.err());
        assertEquals(number(j, "accuracy"), number(json(e.lastLine()), "accuracy"), 1e-12, "eval reads the same model");
        assertEquals("lenet5", json(e.lastLine()).get("model"));
    }

    @Test
    void ptqWritesAnInt8FileWithinAPointOfFloat() throws Exception {
        Path out = tmp.resolve("int8.safetensors");
        Map<String, Object> j = compress("ptq", out, "--calib", "256", "--observer", "minmax");
        assertEquals("int8 PTQ", j.get("method"));
        assertEquals(256.0, number(j, "calibration_samples"));
        assertTrue(number(j, "accuracy") > number(j, "float_accuracy") - 0.01, j.toString());
        checkFile(j, out, 3.5);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) j.get("layers");
        assertEquals(5, layers.size());
        for (Map<String, Object> l : layers) assertEquals(8.0, number(l, "wbits"), l.toString());
    }

    /** --abits 32: weight-only int8, the inputs stay float; linear layers keep a byte per weight in memory. */
    @Test
    void ptqWeightOnlyKeepsTheInputsFloat() throws Exception {
        Path out = tmp.resolve("int8-weight-only.safetensors");
        Map<String, Object> j = compress("ptq", out, "--calib", "64", "--abits", "32");
        assertEquals("int8 weight-only PTQ", j.get("method"));
        assertTrue(number(j, "accuracy") > number(j, "float_accuracy") - 0.005, j.toString());
        checkFile(j, out, 3.5);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) j.get("layers");
        for (Map<String, Object> l : layers) assertEquals(32.0, number(l, "abits"), l.toString());
        Run b = run(MainTest.concat(new String[] {"bench", "forward", "--weights", out.toString(), "--batch", "1", "--threads", "1",
            "--json", "--min-reps", "2"}, MainTest.FAST));
        assertEquals(0, b.code(), b.err());
        // LeNet-5: conv1 150 + conv2 2,400 weights decoded to float (4 bytes, with their biases), fc1-3 48,000 + 10,080 + 840 at a byte
        // each plus 8 bytes per output channel (scale and bias)
        long convs = 4L * (150 + 6 + 2400 + 16), fcs = 48000 + 10080 + 840 + 8L * (120 + 84 + 10);
        assertEquals((double) (convs + fcs), number(json(b.lastLine()), "weight_bytes_in_memory"));
        Run bad = run("compress", "ptq", "--model", "lenet5", "--weights", weights.toString(), "--out", tmp.resolve("x.safetensors").toString(),
                "--abits", "16");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("--abits must be between 2 and 8 bits, or 32 (weight-only), got 16"), bad.err());
    }

    @Test
    void qatClusterSlbAndAbsEachWriteTheirFile() throws Exception {
        Path q = tmp.resolve("w4a4.safetensors");
        Map<String, Object> lsq = compress("qat", q, "--method", "lsq", "--wbits", "4", "--abits", "4", "--epochs", "1", "--lr", "0.005",
                "--batch", "32");
        assertEquals("W4A4 LSQ", lsq.get("method"));
        assertEquals(List.of("conv2", "fc1", "fc2"), lsq.get("quantized_layers"));
        checkFile(lsq, q, 5);
        assertTrue(Files.exists(Path.of(q + ".ckpt")), "a checkpoint after every epoch");

        Path c = tmp.resolve("dp3.safetensors");
        Map<String, Object> dp = compress("cluster", c, "--bits", "3", "--finetune-epochs", "1", "--batch", "32");
        checkFile(dp, c, 9);
        Path c6 = tmp.resolve("dp3-fl6.safetensors");
        Map<String, Object> dp6 = compress("cluster", c6, "--bits", "3", "--first-last-bits", "6", "--finetune-epochs", "0");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) dp6.get("layers");
        assertEquals(List.of(6.0, 3.0, 3.0, 3.0, 6.0), rows.stream().map(l -> number(l, "wbits")).toList(), rows.toString());

        Path s = tmp.resolve("slb2.safetensors");
        Map<String, Object> slb = compress("slb", s, "--bits", "2", "--epochs", "2", "--batch", "32");
        checkFile(slb, s, 9);

        Path a = tmp.resolve("abs.safetensors");
        Map<String, Object> abs = compress("abs", a, "--epochs", "1", "--batch", "32", "--budget", "0.5");
        assertEquals(Boolean.TRUE, abs.get("meets_budget"));
        assertTrue(number(abs, "searched_bops") <= 0.5 * number(abs, "w8a8_bops"), abs.toString());
        checkFile(abs, a, 3);
        @SuppressWarnings("unchecked")
        Map<String, Object> removedFilters = (Map<String, Object>) abs.get("removed_filters");
        int removedTotal = removedFilters.values().stream().mapToInt(v -> ((Number) v).intValue()).sum();
        try (var f = dev.tersor.nn.io.Safetensors.read(a)) {
            assertEquals(removedTotal > 0, !f.metadata().getOrDefault("tersor.pruned", "").isEmpty(),
                    "a plan is recorded exactly when 0-bit filters were removed: " + removedFilters);
            int conv2Out = f.tensor(f.names().stream().filter(n -> n.startsWith("conv2.")).findFirst().orElseThrow()).shape()[0];
            assertEquals(16 - ((Number) removedFilters.getOrDefault("conv2", 0)).intValue(), conv2Out, "conv2's stored filters");
        }
    }

    /** --lambda-final grows the clustering regulariser geometrically: 1e-3, 1e-2, 1e-1 over three epochs, each logged. */
    @Test
    void clusterAnnealsTheRegulariserEpochByEpoch() throws Exception {
        Path out = tmp.resolve("dp-anneal.safetensors");
        String[] head = {"compress", "cluster", "--model", "lenet5", "--weights", weights.toString(), "--out", out.toString(), "--bits", "2",
            "--regularize-epochs", "3", "--lambda", "1e-3", "--lambda-final", "1e-1", "--finetune-epochs", "0", "--batch", "64"};
        Run r = run(MainTest.concat(head, DATA));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("lambda 0.001 growing to 0.1"), r.err());
        for (String l : new String[] {"epoch 1/3: cluster targets (2 bits) updated", "lambda 0.001000", "epoch 2/3", "lambda 0.01000", "lambda 0.1000"})
            assertTrue(r.err().contains(l), l + " in " + r.err());
        assertTrue(CompressedModel.isCompressed(out));
        assertTrue(Files.readString(out, java.nio.charset.StandardCharsets.ISO_8859_1).contains("lambda=0.001 lambda_final=0.1"), "the recipe records the schedule");
    }

    /** Clustered (straight-through) training: its last epoch's validation score is the saved file's, since it trains the clustered model itself. */
    @Test
    void clusterTrainsTheClusteredWeightsStraightThrough() throws Exception {
        Path out = tmp.resolve("dp-ste.safetensors");
        String[] head = {"compress", "cluster", "--model", "lenet5", "--weights", weights.toString(), "--out", out.toString(), "--bits", "2",
            "--ste-epochs", "2", "--ste-lr", "0.01", "--finetune-epochs", "0", "--batch", "64", "--val-split", "0.2"};
        Run r = run(MainTest.concat(head, DATA));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("2 epochs of clustered training (straight-through), SGD lr 0.01"), r.err());
        assertTrue(r.err().contains("epoch 2/2: straight-through clustering: centres updated"), r.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("epoch 2/2: loss .*val acc ([0-9.]+)%").matcher(r.err());
        assertTrue(m.find(), r.err());
        var j = json(r.lastLine());
        assertEquals(Double.parseDouble(m.group(1)), 100 * number(j, "val_accuracy"), 0.006, "the file scores what the last clustered epoch scored");
        assertEquals(0.0, number(j, "clustered_sse"), 0.0, "the weights already sit on their centres");
        assertTrue(Files.readString(out, java.nio.charset.StandardCharsets.ISO_8859_1).contains("ste_epochs=2 ste_lr=0.01"), "the recipe records it");
    }

    @Test
    void qatFoldsBatchNormsAtTheChosenEpochAndResumesAcrossTheFold() throws Exception {
        Path bn = tmp.resolve("lenet5-bn.safetensors");
        Run t = run("train", "--model", "lenet5-bn", "--limit", "512", "--batch", "32", "--epochs", "1", "--threads", "1", "--out", bn.toString());
        assertEquals(0, t.code(), t.err());
        String[] common = {"compress", "qat", "--model", "lenet5-bn", "--weights", bn.toString(), "--method", "uniform", "--batch", "32",
            "--lr", "0.005", "--schedule", "none", "--fold-bn-epoch", "2", "--limit", "512", "--threads", "1", "--json"};   // no schedule: 2 epochs are a prefix of 3
        Path whole = tmp.resolve("bn-whole.safetensors");
        Run a = run(MainTest.concat(common, "--epochs", "3", "--out", whole.toString()));
        assertEquals(0, a.code(), a.err());
        assertTrue(a.err().contains("folded 4 batch norms"), a.err());
        try (var f = dev.tersor.nn.io.Safetensors.read(whole)) {
            assertEquals("bn1,bn2,bn3,bn4", f.metadata().get("tersor.identity"));
            assertTrue(f.contains("conv1.bias"), "the bias-free conv1 got the folded bias");
        }
        Path part = tmp.resolve("bn-part.safetensors");
        assertEquals(0, run(MainTest.concat(common, "--epochs", "2", "--out", part.toString())).code());
        Path resumed = tmp.resolve("bn-resumed.safetensors");
        Run r = run(MainTest.concat(common, "--epochs", "3", "--resume", part + ".ckpt", "--out", resumed.toString()));
        assertEquals(0, r.code(), r.err());
        assertEquals(number(json(a.lastLine()), "accuracy"), number(json(r.lastLine()), "accuracy"), 1e-12,
                "a run resumed after the fold ends where the uninterrupted one does");
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(whole), Files.readAllBytes(resumed)), "same bytes");
    }

    @Test
    void infoAndBenchForwardReadACompressedFileWithoutModel() throws Exception {
        Path out = tmp.resolve("info-int8.safetensors");
        compress("ptq", out, "--calib", "128");
        Run i = run("info", "--weights", out.toString(), "--json");
        assertEquals(0, i.code(), i.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> w = (Map<String, Object>) json(i.lastLine()).get("weights");
        assertEquals((double) Files.size(out), number(w, "file_bytes"));
        assertEquals(4.0 * 61706, number(w, "float_bytes"));
        assertTrue(number(w, "bops") < number(json(i.lastLine()), "total_macs") * 1024 / 10);
        Run text = run("info", "--weights", out.toString());
        assertTrue(text.out().contains("CompressedConv2d") && text.out().contains("smaller than float32"), text.out());

        Path png = tmp.resolve("digit.png");
        TestData.writeDigitPng(png, 0, 1);
        Run p = run("predict", "--weights", out.toString(), "--image", png.toString(), "--top", "2");
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().contains("lenet5 on") && p.out().contains("2. "), p.out());

        Run b = run(MainTest.concat(new String[] {"bench", "forward", "--weights", out.toString(), "--batch", "2", "--threads", "1",
            "--json", "--min-reps", "2"}, MainTest.FAST));
        assertEquals(0, b.code(), b.err());
        Map<String, Object> bj = json(b.lastLine());
        assertEquals("lenet5", bj.get("model"));
        assertTrue(number(bj, "weight_bytes_in_memory") < 70_000, bj.toString());
        Run f = run(MainTest.concat(new String[] {"bench", "forward", "--model", "lenet5", "--batch", "2", "--threads", "1", "--json",
            "--min-reps", "2"}, MainTest.FAST));
        assertEquals(4.0 * 61706, number(json(f.lastLine()), "weight_bytes_in_memory"));
    }

    @Test
    void badArgumentsAreUsageErrorsNamingTheSetting() {
        Path out = tmp.resolve("bad.safetensors");
        String[][] cases = {
            {"compress", "ptq", "--model", "lenet5", "--weights", "W", "--out", out.toString(), "--wbits", "9"},
            {"compress", "ptq", "--model", "lenet5", "--weights", "W", "--out", out.toString(), "--observer", "median"},
            {"compress", "qat", "--model", "lenet5", "--weights", "W", "--out", out.toString(), "--method", "xnor"},
            {"compress", "qat", "--model", "lenet5", "--weights", "W", "--out", out.toString(), "--method", "lsq", "--layer-bits", "conv2"},
            {"compress", "slb", "--model", "lenet5", "--weights", "W", "--out", out.toString(), "--bits", "3"},
            {"compress", "ptq", "--model", "lenet7", "--weights", "W", "--out", out.toString()}};
        String[] named = {"bits", "--observer", "--method", "--layer-bits", "bits", "lenet7"};
        for (int k = 0; k < cases.length; k++) {
            String[] c = cases[k].clone();
            for (int i = 0; i < c.length; i++) if (c[i].equals("W")) c[i] = weights.toString();
            Run r = run(c);
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().contains(named[k]), r.err());
        }
        assertFalse(Files.exists(out), "nothing is written when the arguments are bad");
        Run mismatch = run("eval", "--model", "lenet5-bn", "--weights", tmp.resolve("int8.safetensors").toString());
        assertNotEquals(0, mismatch.code());
    }
}
