package dev.tersor.cli;

import static dev.tersor.cli.MainTest.json;
import static dev.tersor.cli.MainTest.number;
import static dev.tersor.cli.MainTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.cli.MainTest.Run;
import dev.tersor.nn.Module;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tersor train} and {@code tersor eval} on small subsets of the bundled sample and tiny IDX files. */
class TrainEvalTest {

    @TempDir
    Path tmp;

    /** A short run: LeNet-5, 256 bundled images per split, batch 32 (8 steps an epoch), one thread. */
    private Run train(String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--model", "lenet5", "--limit", "256", "--batch", "32",
                "--threads", "1", "--json"));
        args.addAll(Arrays.asList(extra));
        return run(args.toArray(String[]::new));
    }

    @SuppressWarnings("unchecked")
    private static List<Double> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        assertInstanceOf(List.class, v, key + " is not a list in " + m);
        return (List<Double>) v;
    }

    @Test
    void anotherOptimizerTakesItsOwnLearningRateAndSaysWhatComesFromTheRecipe() {
        Run adam = train("--epochs", "1", "--optimizer", "adam", "--out", tmp.resolve("adam.safetensors").toString());
        assertEquals(0, adam.code(), adam.err());
        assertEquals(0.001, number(json(adam.lastLine()), "lr"), 0, "Adam's usual rate, not the SGD recipe's 0.05");
        assertTrue(adam.err().contains("note: --optimizer adam replaces the recipe's sgd: learning rate 0.001 (adam's usual default; "
                + "the recipe's 0.05 is for sgd)"), adam.err());
        Run given = train("--epochs", "1", "--optimizer", "adam", "--lr", "0.002", "--out", tmp.resolve("adam2.safetensors").toString());
        assertEquals(0.002, number(json(given.lastLine()), "lr"), 0);
        assertTrue(given.err().contains("learning rate 0.002 (--lr)"), given.err());
        Run sgd = train("--epochs", "1", "--out", tmp.resolve("sgd.safetensors").toString());
        assertFalse(sgd.err().contains("note: --optimizer"), sgd.err());
    }

    @Test
    void trainJsonListsEveryEpochAndWritesWeightsAndCheckpoint() throws Exception {
        Path out = tmp.resolve("w.safetensors");
        Run r = train("--epochs", "1", "--out", out.toString(), "--metrics-csv", tmp.resolve("m.csv").toString());
        assertEquals(0, r.code(), r.err());
        Map<String, Object> m = json(r.lastLine());
        assertEquals(1, list(m, "epoch_seconds").size());
        assertTrue(list(m, "epoch_seconds").get(0) > 0);
        assertTrue(Double.isFinite(list(m, "train_loss").get(0)));
        double acc = list(m, "test_accuracy").get(0);
        assertTrue(acc >= 0 && acc <= 1, "a fraction: " + acc);
        assertEquals("lenet5", m.get("model"));
        assertEquals("mnist", m.get("dataset"));
        assertEquals(1.0, number(m, "threads"));
        assertEquals(out.toString(), m.get("out"));
        assertEquals(256.0, number(m, "train_samples"));
        assertTrue(Files.size(out) > 61706 * 4, "weights written");
        assertTrue(Files.isRegularFile(Path.of(out + ".ckpt")), "checkpoint next to --out");
        assertTrue(Files.readString(tmp.resolve("m.csv")).startsWith("epoch,"), "metrics CSV");
        if (Files.getFileStore(out).supportsFileAttributeView("posix")) {
            assertEquals(Files.getPosixFilePermissions(out), Files.getPosixFilePermissions(tmp.resolve("m.csv")),
                    "the metrics file gets the weights file's permissions");
        }
        assertTrue(r.err().contains("epoch 1/1"), "progress on stderr: " + r.err());
        assertFalse(r.out().contains("epoch 1/1"), "no progress on stdout: " + r.out());
        assertEquals(1, r.out().strip().lines().count(), "stdout is the JSON line: " + r.out());
    }

    @Test
    void resumeContinuesAtTheNextEpochWithNothingLost() throws Exception {
        // One epoch with a checkpoint, then resume to two: the same as two epochs straight.
        // (schedule none: a cosine schedule's length depends on --epochs, so the first run must use the final count.)
        Path ckpt = tmp.resolve("run.ckpt");
        Run first = train("--epochs", "1", "--schedule", "none", "--out", tmp.resolve("a.safetensors").toString(),
                "--checkpoint", ckpt.toString());
        assertEquals(0, first.code(), first.err());
        Run resumed = train("--epochs", "2", "--schedule", "none", "--out", tmp.resolve("a.safetensors").toString(),
                "--checkpoint", ckpt.toString(), "--resume", ckpt.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("resumed from"), resumed.err());
        assertTrue(resumed.err().contains("epoch 2/2") && !resumed.err().contains("epoch 1/2"), resumed.err());
        Run straight = train("--epochs", "2", "--schedule", "none", "--out", tmp.resolve("b.safetensors").toString());
        assertEquals(0, straight.code(), straight.err());

        Map<String, Object> f = json(first.lastLine()), r = json(resumed.lastLine()), s = json(straight.lastLine());
        assertEquals(1.0, number(r, "resumed_epochs"));
        assertEquals(2, list(r, "train_loss").size());
        assertEquals(list(f, "train_loss").get(0), list(r, "train_loss").get(0), "epoch 1 comes from the checkpoint");
        assertEquals(list(s, "train_loss"), list(r, "train_loss"));
        assertEquals(list(s, "test_accuracy"), list(r, "test_accuracy"));
        Map<String, Tensor> a = Safetensors.readTensors(tmp.resolve("a.safetensors"));
        Map<String, Tensor> b = Safetensors.readTensors(tmp.resolve("b.safetensors"));
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertTrue(Arrays.equals(a.get(k).toArray(), b.get(k).toArray()), k);
    }

    @Test
    void resumeTakesTheRunsSettingsFromTheCheckpoint() throws Exception {
        // The first run sets its own recipe and seed; the resume names only the model, the
        // epochs and the files, and must continue exactly as one straight run with those settings.
        Path ckpt = tmp.resolve("run.ckpt");
        Run first = train("--epochs", "1", "--schedule", "none", "--lr", "0.02", "--seed", "7",
                "--out", tmp.resolve("a.safetensors").toString(), "--checkpoint", ckpt.toString());
        assertEquals(0, first.code(), first.err());
        Run resumed = run("train", "--model", "lenet5", "--epochs", "2", "--threads", "1", "--json",
                "--out", tmp.resolve("a.safetensors").toString(), "--checkpoint", ckpt.toString(), "--resume", ckpt.toString());
        assertEquals(0, resumed.code(), resumed.err());
        Map<String, Object> r = json(resumed.lastLine());
        assertEquals(0.02, number(r, "lr"));
        assertEquals(7.0, number(r, "seed"));
        assertEquals(32.0, number(r, "batch"));
        assertEquals(256.0, number(r, "train_samples"), "--limit from the checkpoint");
        assertEquals("none", r.get("schedule"));
        Run straight = train("--epochs", "2", "--schedule", "none", "--lr", "0.02", "--seed", "7",
                "--out", tmp.resolve("b.safetensors").toString());
        assertEquals(list(json(straight.lastLine()), "train_loss"), list(r, "train_loss"));
    }

    @Test
    void resumeWithOtherSettingsListsEveryConflict() throws Exception {
        Path ckpt = tmp.resolve("run.ckpt");
        assertEquals(0, train("--epochs", "1", "--lr", "0.02", "--out", tmp.resolve("a.safetensors").toString(),
                "--checkpoint", ckpt.toString()).code());
        Run r = train("--epochs", "2", "--lr", "0.1", "--seed", "3", "--out", tmp.resolve("a.safetensors").toString(),
                "--resume", ckpt.toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("--lr 0.1 (the checkpoint's run: 0.02)"), r.err());
        assertTrue(r.err().contains("--seed 3 (the checkpoint's run: 42)"), r.err());
        Run other = run("train", "--model", "mlp", "--out", tmp.resolve("c.safetensors").toString(), "--resume", ckpt.toString());
        assertNotEquals(0, other.code());
        assertTrue(other.err().contains("was written by a run of lenet5, not --model mlp"), other.err());
        // a longer run under a cosine schedule is allowed, with a warning that the schedule stretches
        Run longer = train("--epochs", "2", "--lr", "0.02", "--out", tmp.resolve("a.safetensors").toString(),
                "--checkpoint", tmp.resolve("run2.ckpt").toString(), "--resume", ckpt.toString());
        assertEquals(0, longer.code(), longer.err());
        assertTrue(longer.err().contains("was laid out over 1 epochs; it now spans 2"), longer.err());
    }

    @Test
    void aValidationSplitIsScoredEveryEpochAndKeepBestSavesTheBestEpoch() throws Exception {
        Path out = tmp.resolve("best.safetensors");
        Run r = train("--epochs", "3", "--lr", "0.2", "--val-split", "0.25", "--keep", "best", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, Object> m = json(r.lastLine());
        double val = number(m, "validation_samples");
        assertTrue(val >= 60 && val <= 68, "a quarter of each class of 256: " + val);
        assertEquals(256.0, val + number(m, "train_samples"), "the held-out images leave the training split");
        List<Double> acc = list(m, "val_accuracy");
        assertEquals(3, acc.size());
        for (Double v : list(m, "test_accuracy")) assertEquals(null, v, "no per-epoch test score with a validation split");
        int best = 1;
        for (int e = 2; e <= 3; e++) if (acc.get(e - 1) > acc.get(best - 1)) best = e;
        assertEquals(best, number(m, "kept_epoch"), "the first epoch of the best validation accuracy: " + acc);
        Run e = run("eval", "--model", "lenet5", "--weights", out.toString(), "--limit", "256", "--threads", "1", "--json");
        assertEquals(number(json(e.lastLine()), "accuracy"), number(m, "final_test_accuracy"), 1e-12, "the test score is the saved weights'");
        assertTrue(r.err().contains("val loss") && r.err().contains("once, after training"), r.err());

        Run noVal = train("--epochs", "1", "--keep", "best", "--out", out.toString());
        assertEquals(2, noVal.code());
        assertTrue(noVal.err().contains("--keep best needs a validation split to choose on: add --val-split F"), noVal.err());
        Run whole = train("--epochs", "1", "--val-split", "1", "--out", out.toString());
        assertEquals(2, whole.code());
        assertTrue(whole.err().contains("--val-split must be in [0, 1) (0: no validation split), got 1.0"), whole.err());
        Run keep = train("--epochs", "1", "--val-split", "0.1", "--keep", "first", "--out", out.toString());
        assertTrue(keep.err().contains("--keep must be best or last, got 'first'"), keep.err());
        Run resumed = train("--epochs", "4", "--val-split", "0.5", "--out", out.toString(), "--resume", out + ".ckpt");
        assertEquals(2, resumed.code());
        assertTrue(resumed.err().contains("--val-split 0.5 (the checkpoint's run: 0.25)"), resumed.err());
    }

    @Test
    void evalOnADirectoryWithOnlyTheTestFiles() throws Exception {
        Path weights = tmp.resolve("w.safetensors");
        assertEquals(0, train("--epochs", "1", "--out", weights.toString()).code());
        Path data = tmp.resolve("mnist");
        TestData.writeIdx(data, false, 100);
        Run r = run("eval", "--model", "lenet5", "--weights", weights.toString(), "--data", data.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        Map<String, Object> m = json(r.lastLine());
        assertEquals(100.0, number(m, "total"));
        double correct = number(m, "correct");
        assertEquals(Math.rint(correct), correct, "an integer");
        assertEquals(correct / 100, number(m, "accuracy"), 1e-12);
        assertTrue(r.lastLine().contains("\"total\":100,"), "integers are written as integers: " + r.lastLine());

        // A training checkpoint works as weights too, and gives the same result.
        Run c = run("eval", "--model", "lenet5", "--weights", weights + ".ckpt", "--data", data.toString(), "--json");
        assertEquals(0, c.code(), c.err());
        assertEquals(correct, number(json(c.lastLine()), "correct"));
    }

    @Test
    void evalWithAnotherModelsWeightsListsEveryMismatch() throws Exception {
        Path trained = tmp.resolve("trained.safetensors");
        assertEquals(0, train("--epochs", "1", "--out", trained.toString()).code());
        Path weights = tmp.resolve("w.safetensors");   // as PyTorch would write them: no metadata naming the model
        Safetensors.write(weights, Safetensors.readTensors(trained), Map.of());
        Run r = run("eval", "--model", "lenet5-bn", "--weights", weights.toString());
        assertEquals(1, r.code());
        for (String key : new String[] {"bn1.weight", "bn2.running_mean", "bn3.bias", "bn4.running_var"}) {
            assertTrue(r.err().contains(key), "lists " + key + ": " + r.err());
        }
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());

        Run resnet = run("eval", "--model", "resnet20", "--weights", weights.toString());
        assertEquals(1, resnet.code());
        assertTrue(resnet.err().contains("unexpected keys") && resnet.err().contains("fc3.weight")
                && resnet.err().contains("layer3.2.bn2.running_var") && resnet.err().contains("shape mismatches"), resnet.err());
    }

    @Test
    void weightsThatNameTheirModelAreRefusedForAnotherAndNeedNoModelFlag() throws Exception {
        Path weights = tmp.resolve("w.safetensors");
        assertEquals(0, train("--epochs", "1", "--out", weights.toString()).code());
        Run other = run("eval", "--model", "lenet5-bn", "--weights", weights.toString());
        assertEquals(2, other.code());
        assertTrue(other.err().contains("--model lenet5-bn does not match the weights file, which holds lenet5 weights"), other.err());
        Run named = run("eval", "--weights", weights.toString(), "--limit", "256", "--threads", "1", "--json");
        assertEquals(0, named.code(), named.err());
        assertEquals("lenet5", json(named.lastLine()).get("model"), "the file names its model");
        Run ckpt = run("eval", "--model", "mlp", "--weights", weights + ".ckpt");
        assertEquals(2, ckpt.code());
        assertTrue(ckpt.err().contains("holds lenet5 weights"), "a checkpoint names its run's model: " + ckpt.err());

        // a file saved by Module.save (no zoo name) whose keys fit another model: its class name decides
        Path binary = tmp.resolve("binary.safetensors");
        Module b = dev.tersor.nn.zoo.Zoo.info("lenet5-binary").create();
        b.save(binary);
        Module bn = dev.tersor.nn.zoo.Zoo.info("lenet5-bn").create();
        Run cls = run("eval", "--model", "lenet5-bn", "--weights", binary.toString());
        assertEquals(1, cls.code());
        assertTrue(cls.err().contains("holds the weights of a " + b.getClass().getSimpleName() + " (its metadata 'tersor.model'), not of lenet5-bn, a "
                + bn.getClass().getSimpleName()), cls.err());
    }

    @Test
    void aResumeReadsTheRecordedDataDirectoryAndRefusesAnother() throws Exception {
        Path data = tmp.resolve("mnist");
        TestData.writeIdx(data, true, 96);
        TestData.writeIdx(data, false, 40);
        Path ckpt = tmp.resolve("run.ckpt");
        Run first = run("train", "--model", "lenet5", "--data", data.toString(), "--batch", "32", "--epochs", "1", "--threads", "1",
                "--out", tmp.resolve("a.safetensors").toString(), "--checkpoint", ckpt.toString(), "--json");
        assertEquals(0, first.code(), first.err());
        Run resumed = run("train", "--model", "lenet5", "--epochs", "2", "--threads", "1", "--json",
                "--out", tmp.resolve("a.safetensors").toString(), "--checkpoint", ckpt.toString(), "--resume", ckpt.toString());
        assertEquals(0, resumed.code(), resumed.err());
        Map<String, Object> r = json(resumed.lastLine());
        assertEquals(96.0, number(r, "train_samples"), "the recorded directory, not the bundled sample");
        assertEquals(40.0, number(r, "test_samples"));
        assertEquals(data.toAbsolutePath().toString(), r.get("data"));

        Path other = tmp.resolve("other");
        TestData.writeIdx(other, true, 64);
        TestData.writeIdx(other, false, 40);
        Run moved = run("train", "--model", "lenet5", "--epochs", "3", "--data", other.toString(), "--threads", "1",
                "--out", tmp.resolve("a.safetensors").toString(), "--resume", ckpt.toString());
        assertEquals(2, moved.code());
        assertTrue(moved.err().contains("--data " + other.toAbsolutePath() + " (the checkpoint's run: " + data.toAbsolutePath() + ")"), moved.err());

        Path bundledCkpt = tmp.resolve("bundled.ckpt");
        assertEquals(0, train("--epochs", "1", "--out", tmp.resolve("b.safetensors").toString(), "--checkpoint", bundledCkpt.toString()).code());
        Run onDir = run("train", "--model", "lenet5", "--epochs", "2", "--data", data.toString(), "--threads", "1",
                "--out", tmp.resolve("b.safetensors").toString(), "--resume", bundledCkpt.toString());
        assertEquals(2, onDir.code());
        assertTrue(onDir.err().contains("(the checkpoint's run: left out (the bundled MNIST sample))"), onDir.err());
    }

    @Test
    void outputsThatCannotBeWrittenAreRefusedBeforeTraining() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux /proc, where no one may create files");
        String[][] cases = {{"--out", "/proc/w.safetensors"}, {"--checkpoint", "/proc/w.ckpt"}, {"--metrics-json", "/proc/m.json"},
            {"--metrics-csv", "/proc/m.csv"}};
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("--epochs", "1", c[0], c[1]));
            if (!c[0].equals("--out")) args.addAll(List.of("--out", tmp.resolve("w.safetensors").toString()));
            Run r = train(args.toArray(String[]::new));
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains(c[0] + ": cannot write in the directory /proc"), r.err());
            assertFalse(r.err().contains("epoch 1/1"), "refused before training: " + r.err());
        }
    }

    @Test
    void missingDataFilesAreNamedWithTheirDirectory() throws Exception {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Run r = run("train", "--model", "lenet5", "--data", empty.toString(), "--out", tmp.resolve("w.safetensors").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(empty.toAbsolutePath().toString()), r.err());
        assertTrue(r.err().contains("train-images-idx3-ubyte") && r.err().contains("train-labels-idx1-ubyte"), r.err());

        Path weights = tmp.resolve("w.safetensors");
        assertEquals(0, train("--epochs", "1", "--out", weights.toString()).code());
        Path missing = tmp.resolve("no-such-dir");
        Run e = run("eval", "--model", "lenet5", "--weights", weights.toString(), "--data", missing.toString());
        assertEquals(1, e.code());
        assertTrue(e.err().contains(missing.toString()) && e.err().contains("t10k-images-idx3-ubyte"), e.err());

        Run cifar = run("eval", "--model", "resnet20", "--weights", weights.toString(), "--data", empty.toString());
        assertNotEquals(0, cifar.code());
    }

    @Test
    void badArgumentsAreNamed() {
        String out = tmp.resolve("w.safetensors").toString();
        Run model = run("train", "--model", "lenet7", "--out", out);
        assertEquals(2, model.code());
        assertTrue(model.err().contains("lenet7") && model.err().contains("lenet5, lenet5-bn, mlp, resnet20"), model.err());

        Run dataset = run("train", "--model", "lenet5", "--dataset", "svhn", "--out", out);
        assertEquals(2, dataset.code());
        assertTrue(dataset.err().contains("svhn") && dataset.err().contains("mnist, fashion-mnist, cifar10"), dataset.err());

        String[][] bad = {
            {"--lr", "-0.1", "--lr"}, {"--lr", "abc", "--lr"}, {"--epochs", "0", "--epochs"}, {"--batch", "0", "--batch"},
            {"--momentum", "-1", "--momentum"}, {"--weight-decay", "NaN", "--weight-decay"}, {"--threads", "0", "--threads"},
            {"--optimizer", "lbfgs", "sgd, adam, adamw"}, {"--schedule", "linear", "cosine, step, none"},
        };
        for (String[] b : bad) {
            Run r = run("train", "--model", "lenet5", b[0], b[1], "--out", out);
            assertEquals(2, r.code(), Arrays.toString(b) + ": " + r.err());
            assertTrue(r.err().contains(b[2]), Arrays.toString(b) + ": " + r.err());
        }

        Run sr = run("train", "--model", "edsr", "--out", out);
        assertEquals(2, sr.code());
        assertTrue(sr.err().contains("not a classifier"), sr.err());

        Run shape = run("train", "--model", "lenet5", "--dataset", "cifar10", "--out", out);
        assertEquals(2, shape.code());
        assertTrue(shape.err().contains("3×32×32") && shape.err().contains("1×28×28"), shape.err());

        Run noWeights = run("eval", "--model", "lenet5", "--weights", tmp.resolve("none.safetensors").toString());
        assertEquals(2, noWeights.code());
        assertTrue(noWeights.err().contains("--weights: no such file"), noWeights.err());
    }
}
