package dev.tersor.cli;

import static dev.tersor.cli.MainTest.json;
import static dev.tersor.cli.MainTest.number;
import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The validation split of the {@code compress} commands ({@code --val-split}, {@code --keep}): every
 * fine-tuning epoch is scored on a held-out share of the training split, never on the test split;
 * {@code --keep best} writes the best validation epoch's model; the test split is scored once; a
 * resume checks the recorded settings; bad values are usage errors naming the flag.
 */
class CompressValidationTest {
    @TempDir
    static Path tmp;
    static Path weights;
    static final String[] DATA = {"--limit", "512", "--threads", "1"};

    @BeforeAll
    static void trainFloat() {
        weights = tmp.resolve("lenet5.safetensors");
        Run r = run("train", "--model", "lenet5", "--limit", "512", "--batch", "32", "--epochs", "2", "--threads", "1",
                "--out", weights.toString());
        assertEquals(0, r.code(), r.err());
    }

    /** {@code compress qat} (LSQ W4A4, SGD lr 0.05 without a schedule, so k epochs are a prefix of more) with {@code args}. */
    private static Run qat(Path out, String... args) {
        String[] head = {"compress", "qat", "--model", "lenet5", "--weights", weights.toString(), "--out", out.toString(), "--method", "lsq",
            "--wbits", "4", "--abits", "4", "--lr", "0.05", "--schedule", "none", "--batch", "32"};
        return run(MainTest.concat(MainTest.concat(head, DATA), args));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> column(Map<String, Object> history, String key) {
        assertInstanceOf(List.class, history.get(key), key + " in " + history);
        return (List<Object>) history.get(key);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> history(Map<String, Object> j) {
        assertInstanceOf(Map.class, j.get("history"), j.toString());
        return (Map<String, Object>) j.get("history");
    }

    /** Every tensor of a file as raw bytes (the integer tensors of a compressed file too). */
    private static Map<String, List<Byte>> tensors(Path file) throws Exception {
        Map<String, List<Byte>> out = new TreeMap<>();
        try (SafetensorsFile f = Safetensors.read(file)) {
            for (String n : f.names()) {
                ByteBuffer b = f.bytes(n).duplicate();
                Byte[] bytes = new Byte[b.remaining()];
                for (int i = 0; i < bytes.length; i++) bytes[i] = b.get();
                out.put(n, List.of(bytes));
            }
        }
        return out;
    }

    @Test
    void epochsAreScoredOnValidationAndKeepBestWritesTheBestEpochsModel() throws Exception {
        Path best = tmp.resolve("best.safetensors");
        // 6 epochs: validation accuracy plateaus and wobbles by the end, so its best epoch comes before the last on
        // every machine tried (float rounding differs between vector widths, and 3 epochs still climbed on an AVX2 VM)
        Run r = qat(best, "--epochs", "6", "--keep", "best", "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = json(r.lastLine());
        double val = number(j, "validation_samples"), train = number(j, "train_samples");
        assertEquals(512.0, val + train, "the validation part comes out of the 512 training images");
        assertTrue(Math.abs(val - 51.2) <= 6, "a tenth of each class, rounded: " + val);
        assertEquals(0.1, number(j, "val_split"), "the default share");
        Map<String, Object> h = history(j);
        List<Object> valAcc = column(h, "val_accuracy");
        assertEquals(6, valAcc.size());
        int argmax = 0;
        for (int e = 0; e < 6; e++) {
            double a = (Double) valAcc.get(e);
            assertTrue(a > 0 && a <= 1, valAcc.toString());
            assertTrue(Math.abs(a * val - Math.round(a * val)) < 1e-9, "a share of the validation images: " + a);
            if (a > (Double) valAcc.get(argmax)) argmax = e;
            assertTrue(Double.isFinite((Double) column(h, "val_loss").get(e)), h.toString());
        }
        for (Object t : column(h, "test_accuracy")) assertNull(t, "no epoch is scored on the test split: " + h);
        assertEquals(argmax + 1, number(h, "kept_epoch"), "the first epoch of the best validation accuracy: " + valAcc);
        assertTrue(argmax + 1 < 6, "this run's best validation epoch must not be its last, or the test shows nothing: " + valAcc);
        assertEquals(number(j, "accuracy"), number(j, "test_accuracy"));
        assertTrue(r.err().contains("kept the weights of epoch " + (argmax + 1)), r.err());
        assertEquals(0, r.err().lines().filter(l -> l.startsWith("epoch ") && l.contains("test")).count(), "no per-epoch test score: " + r.err());
        assertEquals(6, r.err().lines().filter(l -> l.startsWith("epoch ") && l.contains(": loss") && l.contains("val acc")).count(), r.err());

        // The same run stopped after the kept epoch writes the same model, whatever the test split holds:
        // here it has 100 other images, and the console names the one test score.
        Path dir = tmp.resolve("other-test");
        TestData.writeIdx(dir, true, 512);
        TestData.writeIdx(dir, false, 100);
        Path last = tmp.resolve("last.safetensors");
        Run k = qat(last, "--epochs", Integer.toString(argmax + 1), "--keep", "last", "--data", dir.toString());
        assertEquals(0, k.code(), k.err());
        assertEquals(tensors(best), tensors(last), "--keep best wrote the model of epoch " + (argmax + 1));
        long testLines = k.out().lines().filter(l -> l.contains("test split")).count();
        assertEquals(1, testLines, k.out());
        assertTrue(k.out().contains("test split (100 images, scored once, at the end)"), k.out());
        assertTrue(k.out().contains("validation split (" + (long) val + " training images held out)"), k.out());
    }

    @Test
    void ptqCalibratesOnTheTrainingPartOnly() {
        Path out = tmp.resolve("ptq.safetensors");
        Run r = run(MainTest.concat(MainTest.concat(new String[] {"compress", "ptq", "--model", "lenet5", "--weights", weights.toString(),
            "--out", out.toString(), "--observer", "minmax", "--val-split", "0.5", "--json"}, DATA)));
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = json(r.lastLine());
        double train = number(j, "train_samples");
        assertTrue(Math.abs(train - 256) <= 6, j.toString());
        assertEquals(train, number(j, "calibration_samples"), "--calib 2048 takes the whole training part, none of the validation part");
        assertEquals(512.0, train + number(j, "validation_samples"));
        assertTrue(number(j, "val_accuracy") > 0 && number(j, "float_val_accuracy") > 0, j.toString());

        Run none = run(MainTest.concat(MainTest.concat(new String[] {"compress", "ptq", "--model", "lenet5", "--weights", weights.toString(),
            "--out", out.toString(), "--observer", "minmax", "--val-split", "0", "--json"}, DATA)));
        assertEquals(0, none.code(), none.err());
        Map<String, Object> n = json(none.lastLine());
        assertEquals(512.0, number(n, "calibration_samples"));
        assertEquals(0.0, number(n, "validation_samples"));
        assertNull(n.get("val_accuracy"));
    }

    @Test
    void aResumeChecksTheRecordedValidationSettings() {
        Path out = tmp.resolve("resume.safetensors");
        Run first = qat(out, "--epochs", "1", "--val-split", "0.2", "--json");
        assertEquals(0, first.code(), first.err());
        String ckpt = out + ".ckpt";
        Run other = qat(out, "--epochs", "2", "--val-split", "0.3", "--resume", ckpt);
        assertEquals(2, other.code(), other.err());
        assertTrue(other.err().contains("--val-split 0.3 (the checkpoint's run: 0.2)"), other.err());
        Run keep = qat(out, "--epochs", "2", "--keep", "best", "--resume", ckpt);
        assertEquals(2, keep.code(), keep.err());
        assertTrue(keep.err().contains("--keep best (the checkpoint's run: last)"), keep.err());
        assertTrue(!keep.err().contains("epoch 2/2"), "refused before training: " + keep.err());

        Run resumed = qat(out, "--epochs", "2", "--resume", ckpt, "--json");   // no --val-split: the recorded one
        assertEquals(0, resumed.code(), resumed.err());
        Map<String, Object> a = json(first.lastLine()), b = json(resumed.lastLine());
        assertEquals(0.2, number(b, "val_split"));
        assertEquals(number(a, "validation_samples"), number(b, "validation_samples"));
        assertEquals(2, column(history(b), "val_accuracy").size());
        assertEquals(column(history(a), "val_accuracy").get(0), column(history(b), "val_accuracy").get(0), "the resumed epoch is the first run's");
    }

    /**
     * {@code --split-seed S} holds out the images {@code train --val-split F --seed S} validated on:
     * the float model scores on them exactly what its own last epoch scored. Without it the split
     * follows the seed the weights file records (train writes it), then {@code --seed} (42 for
     * {@code compress ptq}, which has no {@code --seed}); a resume keeps the recorded split seed and
     * refuses another.
     */
    @Test
    void theSplitSeedHoldsOutTheFloatModelsOwnValidationImages() throws Exception {
        Path floatW = tmp.resolve("lenet5-split7.safetensors");
        Run t = run("train", "--model", "lenet5", "--limit", "512", "--batch", "32", "--epochs", "1", "--threads", "1", "--val-split", "0.2",
                "--seed", "7", "--out", floatW.toString(), "--json");
        assertEquals(0, t.code(), t.err());
        double trainVal = ((Number) ((List<?>) json(t.lastLine()).get("val_accuracy")).get(0)).doubleValue();
        try (SafetensorsFile f = Safetensors.read(floatW)) {
            assertEquals("7", f.metadata().get("tersor.split_seed"), "train records its split's seed");
            assertEquals("0.2", f.metadata().get("tersor.val_split"));
            assertEquals("512", f.metadata().get("tersor.split_from"), "the count of training images the split was drawn from");
        }
        try (SafetensorsFile f = Safetensors.read(weights)) {
            assertFalse(f.metadata().containsKey("tersor.split_seed"), "no validation split, no seed recorded");
        }
        Path out = tmp.resolve("split-seed.safetensors");
        String[] qat = MainTest.concat(new String[] {"compress", "qat", "--model", "lenet5", "--weights", floatW.toString(), "--out", out.toString(),
            "--method", "lsq", "--wbits", "4", "--abits", "4", "--lr", "0.05", "--schedule", "none", "--batch", "32", "--json"}, DATA);
        String[] head = MainTest.concat(qat, new String[] {"--epochs", "1", "--val-split", "0.2"});
        Run same = run(MainTest.concat(head, new String[] {"--split-seed", "7"}));
        assertEquals(0, same.code(), same.err());
        Map<String, Object> j = json(same.lastLine());
        assertEquals(7.0, number(j, "split_seed"));
        assertEquals(trainVal, number(j, "float_val_accuracy"), 1e-9, "the same held-out images, the same float model");
        Run recorded = run(head);
        assertEquals(0, recorded.code(), recorded.err());
        assertEquals(7.0, number(json(recorded.lastLine()), "split_seed"), "without --split-seed, the seed the weights were trained with");
        assertEquals(trainVal, number(json(recorded.lastLine()), "float_val_accuracy"), 1e-9);
        assertTrue(recorded.err().contains("the seed the float weights were trained with"), recorded.err());
        assertFalse(recorded.err().contains("warning: --val-split"), "the same share: no warning");
        Run wider = run(MainTest.concat(qat, new String[] {"--epochs", "1", "--val-split", "0.3"}));
        assertEquals(0, wider.code(), wider.err());
        assertTrue(wider.err().contains("warning: --val-split 0.3 holds out more than the 0.2 the float weights were validated on"), wider.err());
        String[] fewer = MainTest.concat(new String[] {"compress", "qat", "--model", "lenet5", "--weights", floatW.toString(), "--out", out.toString(),
            "--method", "lsq", "--wbits", "4", "--abits", "4", "--lr", "0.05", "--schedule", "none", "--batch", "32", "--json",
            "--limit", "384", "--threads", "1", "--epochs", "1", "--val-split", "0.2"});
        Run limited = run(fewer);
        assertEquals(0, limited.code(), limited.err());
        assertTrue(limited.err().contains("warning: the float weights' validation split was drawn from 512 training images and this run's from 384"),
                limited.err());
        Run chosen = run(MainTest.concat(head, new String[] {"--split-seed", "42"}));
        assertEquals(42.0, number(json(chosen.lastLine()), "split_seed"), "--split-seed overrides the recorded seed");
        Run unrecorded = qat(tmp.resolve("split-seed-plain.safetensors"), "--epochs", "1", "--val-split", "0.2", "--seed", "5", "--json");
        assertEquals(0, unrecorded.code(), unrecorded.err());
        assertEquals(5.0, number(json(unrecorded.lastLine()), "split_seed"), "weights without a recorded seed: the split follows --seed");

        Path ptqOut = tmp.resolve("split-seed-ptq.safetensors");
        String[] ptq = MainTest.concat(new String[] {"compress", "ptq", "--model", "lenet5", "--out", ptqOut.toString(),
            "--calib", "64", "--val-split", "0.2", "--json"}, DATA);
        Run ptqRecorded = run(MainTest.concat(ptq, new String[] {"--weights", floatW.toString()}));
        assertEquals(0, ptqRecorded.code(), ptqRecorded.err());
        assertEquals(7.0, number(json(ptqRecorded.lastLine()), "split_seed"));
        assertEquals(trainVal, number(json(ptqRecorded.lastLine()), "float_val_accuracy"), 1e-9, "ptq: the float model's own held-out images");
        Run ptqChosen = run(MainTest.concat(ptq, new String[] {"--weights", floatW.toString(), "--split-seed", "3"}));
        assertEquals(3.0, number(json(ptqChosen.lastLine()), "split_seed"));
        Run ptqDefault = run(MainTest.concat(ptq, new String[] {"--weights", weights.toString()}));
        assertEquals(0, ptqDefault.code(), ptqDefault.err());
        assertEquals(42.0, number(json(ptqDefault.lastLine()), "split_seed"), "ptq, weights without a recorded seed: 42");

        String ckpt = out + ".ckpt";
        String[] again = MainTest.concat(qat, new String[] {"--epochs", "2", "--resume", ckpt});
        Run first = run(MainTest.concat(head, new String[] {"--split-seed", "7"}));
        assertEquals(0, first.code(), first.err());
        Run refused = run(MainTest.concat(again, new String[] {"--split-seed", "8"}));
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.err().contains("--split-seed 8 (the checkpoint's run: 7)"), refused.err());
        Run resumed = run(again);
        assertEquals(0, resumed.code(), resumed.err());
        Map<String, Object> r = json(resumed.lastLine());
        assertEquals(7.0, number(r, "split_seed"), "a resume keeps the recorded split seed");
        assertEquals(trainVal, number(r, "float_val_accuracy"), 1e-9);
    }

    @Test
    void badValidationSettingsAreUsageErrorsNamingTheFlag() {
        Path out = tmp.resolve("bad.safetensors");
        String w = weights.toString(), o = out.toString();
        String[][] cases = {
            {"compress", "qat", "--model", "lenet5", "--weights", w, "--out", o, "--method", "lsq", "--val-split", "1.5"},
            {"compress", "ptq", "--model", "lenet5", "--weights", w, "--out", o, "--val-split", "-0.1"},
            {"compress", "qat", "--model", "lenet5", "--weights", w, "--out", o, "--method", "lsq", "--keep", "first"},
            {"compress", "cluster", "--model", "lenet5", "--weights", w, "--out", o, "--keep", "best", "--val-split", "0"},
            {"compress", "cluster", "--model", "lenet5", "--weights", w, "--out", o, "--regularize-epochs", "2", "--lambda-final", "-1"},
            {"compress", "cluster", "--model", "lenet5", "--weights", w, "--out", o, "--lambda-final", "0.1"},
            {"compress", "cluster", "--model", "lenet5", "--weights", w, "--out", o, "--regularize-lr", "0.01"},
            {"compress", "cluster", "--model", "lenet5", "--weights", w, "--out", o, "--ste-epochs", "-1"},
            {"compress", "cluster", "--model", "lenet5", "--weights", w, "--out", o, "--ste-epochs", "2", "--ste-lr", "NaN"},
            {"compress", "qat", "--model", "lenet5-bn", "--weights", w, "--out", o, "--method", "lsq", "--keep", "best", "--fold-bn-epoch", "2"},
            {"compress", "sparsify", "--model", "lenet5", "--weights", w, "--out", o, "--sparsity", "0.5", "--schedule", "agp", "--keep", "best"},
            {"compress", "prune", "--model", "lenet5", "--weights", w, "--out", o, "--method", "metapruning", "--flops", "0.5", "--val-split", "0"},
            {"compress", "prune", "--model", "lenet5", "--weights", w, "--out", o, "--method", "cacp", "--flops", "0.5", "--validation", "100",
                "--val-split", "0.1"},
            {"compress", "distill", "--teacher", "lenet5:" + w, "--student", "lenet5-half", "--out", o, "--val-split", "1.5"}};
        String[] named = {
            "--val-split must be in [0, 1) (0: no validation split), got 1.5",
            "--val-split must be in [0, 1) (0: no validation split), got -0.1",
            "--keep must be best or last, got 'first'",
            "--keep best needs a validation split to choose on",
            "--lambda-final must be a finite number > 0, got -1.0",
            "--lambda-final needs --regularize-epochs > 0",
            "--regularize-lr needs --regularize-epochs > 0",
            "--ste-epochs must be >= 0, got -1",
            "--ste-lr must be a finite number > 0, got NaN",
            "--keep best cannot go back across the batch-norm fold",
            "--keep best with --schedule agp",
            "--method metapruning scores its candidates on the validation split",
            "give --val-split F or (the older form) --validation N, not both",
            "--val-split must be in [0, 1) (0: no validation split), got 1.5"};
        for (int k = 0; k < cases.length; k++) {
            Run r = run(MainTest.concat(cases[k], DATA));
            assertEquals(2, r.code(), String.join(" ", cases[k]) + ": " + r.err());
            assertTrue(r.err().contains(named[k]), r.err());
            assertTrue(!r.err().contains("epoch 1/"), "nothing trains: " + r.err());
        }
        assertTrue(!out.toFile().exists(), "nothing is written when the arguments are bad");
    }
}
