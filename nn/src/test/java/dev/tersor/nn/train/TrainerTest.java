package dev.tersor.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.ReLU;
import dev.tersor.nn.Rng;
import dev.tersor.nn.Sequential;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.CosineLr;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.tensor.Generator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    /** Two Gaussian blobs per class in 2-D, 4 classes: learnable in a few epochs. */
    static TensorDataset blobs(long seed, int n) {
        Generator g = new Generator(seed);
        float[] x = new float[n * 2];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = g.nextInt(4);
            x[2 * i] = (y[i] % 2 == 0 ? -2f : 2f) + 0.5f * g.nextGaussian();
            x[2 * i + 1] = (y[i] / 2 == 0 ? -2f : 2f) + 0.5f * g.nextGaussian();
        }
        return TensorDataset.of(x, y, 2);
    }

    static final class Run {
        final Module model;
        final Sgd opt;
        final CosineLr sched;
        final Trainer trainer;
        final DataLoader train, test;

        Run(int epochs) {
            Rng.manualSeed(7);
            model = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 4));
            opt = new Sgd(model.parameters(), Sgd.options(0.1).momentum(0.9).weightDecay(5e-4).build());
            train = DataLoader.builder(blobs(1, 256)).setBatchSize(32).optShuffle(true).optSeed(3).optDropLast(true).build();
            test = DataLoader.builder(blobs(2, 128)).setBatchSize(64).build();
            sched = new CosineLr(opt, epochs * train.size(), 0.0);
            trainer = new Trainer(model, opt, sched, Losses::crossEntropy);
        }
    }

    @Test
    void learnsASimpleProblemAndReportsEveryEpoch(@TempDir Path dir) throws Exception {
        Run r = new Run(3);
        Path json = dir.resolve("m.json"), csv = dir.resolve("m.csv");
        List<EpochMetrics> h = r.trainer.fit(r.train, r.test, Trainer.Options.epochs(3).metrics(json, csv).log(null));
        assertEquals(3, h.size());
        assertTrue(h.get(2).trainLoss() < h.get(0).trainLoss(), "loss falls: " + h);
        assertTrue(h.get(2).testAccuracy() > 0.95, "test accuracy " + h.get(2).testAccuracy());
        assertTrue(h.get(2).epochSeconds() > 0);
        assertEquals(0.0, h.get(2).lr(), 1e-9, "cosine reaches its floor on the last step");
        List<String> lines = Files.readAllLines(csv);
        assertEquals(EpochMetrics.CSV_HEADER, lines.get(0));
        assertEquals(4, lines.size());
        String j = Files.readString(json);
        assertTrue(j.contains("\"epoch\": 3") && j.contains("\"test_accuracy\""), j);
    }

    @Test
    void resumingFromACheckpointGivesTheSameRunAsNoInterruption(@TempDir Path dir) {
        Run full = new Run(3);
        List<EpochMetrics> uninterrupted = full.trainer.fit(full.train, null, Trainer.Options.epochs(3).log(null));

        Path ckpt = dir.resolve("run.ckpt");
        Run first = new Run(3);
        first.trainer.fit(first.train, null, Trainer.Options.epochs(2).checkpoint(ckpt).log(null));
        Run resumed = new Run(3);   // a fresh process: new model, optimizer, scheduler
        List<EpochMetrics> h = resumed.trainer.fit(resumed.train, null,
                Trainer.Options.epochs(3).resumeFrom(ckpt).log(null));
        assertEquals(3, h.size());
        assertEquals(uninterrupted.get(2).trainLoss(), h.get(2).trainLoss(), 1e-12);
        assertArrayEquals(full.model.stateDict().get("2.weight").toArray(), resumed.model.stateDict().get("2.weight").toArray());
    }

    @Test
    void theEpochHookRunsBeforeEachEpochInTrainingModeAndAfterAResumeOnlyForTheRemainingEpochs(@TempDir Path dir) {
        List<String> calls = new ArrayList<>();
        Path ckpt = dir.resolve("run.ckpt");
        Run first = new Run(3);
        first.model.eval();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        first.trainer.fit(first.train, null, Trainer.Options.epochs(2).checkpoint(ckpt).log(new PrintStream(log, true))
                .onEpochStart((epoch, epochs) -> {
                    calls.add(epoch + "/" + epochs + (first.model.isTraining() ? " train" : " eval"));
                    return epoch == 2 ? "hook says hello" : null;
                }));
        assertEquals(List.of("1/2 train", "2/2 train"), calls);
        assertTrue(log.toString().contains("epoch 2/2: hook says hello"), log.toString());
        assertTrue(!log.toString().contains("epoch 1/2: null"), log.toString());

        calls.clear();
        Run resumed = new Run(3);
        resumed.trainer.fit(resumed.train, null, Trainer.Options.epochs(3).resumeFrom(ckpt).log(null)
                .onEpochStart((epoch, epochs) -> {
                    calls.add(epoch + "/" + epochs);
                    return null;
                }));
        assertEquals(List.of("3/3"), calls);
    }

    @Test
    void aCheckpointOfAnotherModelListsTheMismatches(@TempDir Path dir) {
        Path ckpt = dir.resolve("run.ckpt");
        Run r = new Run(1);
        r.trainer.fit(r.train, null, Trainer.Options.epochs(1).checkpoint(ckpt).log(null));
        Module other = new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 4));
        Sgd opt = new Sgd(other.parameters(), Sgd.options(0.1).build());
        var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(ckpt, other, opt, null));
        assertTrue(e.getMessage().contains("0.weight") && e.getMessage().contains("[16, 2]") && e.getMessage().contains("[8, 2]"),
                e.getMessage());
    }

    @Test
    void aDivergingLossStopsWithWhereItHappened() {
        Run r = new Run(1);
        Sgd wild = new Sgd(r.model.parameters(), Sgd.options(1e12).build());
        Trainer t = new Trainer(r.model, wild, null, Losses::crossEntropy);
        var e = assertThrows(TrainingDivergedException.class, () -> t.fit(r.train, null, Trainer.Options.epochs(1).log(null)));
        assertTrue(e.getMessage().contains("epoch 1, step"), e.getMessage());
    }

    @Test
    void aMetricsFileThatCannotBeWrittenWarnsAndLosesNothingElse(@TempDir Path dir) {
        Run r = new Run(2);
        Path ckpt = dir.resolve("run.ckpt");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<EpochMetrics> h = r.trainer.fit(r.train, r.test, Trainer.Options.epochs(2).checkpoint(ckpt)
                .metrics(dir.resolve("no-such-dir").resolve("m.json"), null).log(new PrintStream(log, true)));
        assertEquals(2, h.size(), "both epochs ran");
        assertTrue(Files.isRegularFile(ckpt), "the checkpoint is written");
        assertTrue(log.toString().contains("warning: cannot write the metrics"), log.toString());
    }

    @Test
    void aRunKilledInsideAnEpochResumesFromItsStepCheckpointToTheSameWeights(@TempDir Path dir) {
        Run full = new Run(3);
        List<EpochMetrics> whole = full.trainer.fit(full.train, full.test, Trainer.Options.epochs(3).log(null));

        Path ckpt = dir.resolve("run.ckpt");
        Run crashing = new Run(3);
        int[] calls = {0};
        Trainer dies = new Trainer(crashing.model, crashing.opt, crashing.sched, (out, y) -> {
            if (++calls[0] == 8 + 5) throw new IllegalStateException("killed");   // step 5 of epoch 2 (8 steps an epoch)
            return Losses.crossEntropy(out, y);
        });
        var e = assertThrows(IllegalStateException.class, () -> dies.fit(crashing.train, crashing.test,
                Trainer.Options.epochs(3).checkpoint(ckpt).checkpointEvery(2).log(null)));
        assertEquals("killed", e.getMessage());
        assertEquals(new Checkpoint.Position(4, Checkpoint.position(ckpt).lossSum(), Checkpoint.position(ckpt).correct(), 4 * 32),
                Checkpoint.position(ckpt), "the last step checkpoint: after step 4 of epoch 2");

        Run resumed = new Run(3);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<EpochMetrics> h = resumed.trainer.fit(resumed.train, resumed.test,
                Trainer.Options.epochs(3).checkpoint(ckpt).checkpointEvery(2).resumeFrom(ckpt).log(new PrintStream(log, true)));
        assertTrue(log.toString().contains("after epoch 1, step 4 of epoch 2"), log.toString());
        assertEquals(3, h.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(whole.get(i).trainLoss(), h.get(i).trainLoss(), 1e-12, "epoch " + (i + 1) + "'s loss, the resumed steps included");
            assertEquals(whole.get(i).trainAccuracy(), h.get(i).trainAccuracy());
            assertEquals(whole.get(i).testAccuracy(), h.get(i).testAccuracy());
        }
        var a = full.model.stateDict();
        var b = resumed.model.stateDict();
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toArray(), b.get(k).toArray(), k);
        assertEquals(Checkpoint.Position.START, Checkpoint.position(ckpt), "the end-of-epoch checkpoint has no step");
    }

    @Test
    void aStepCheckpointFromAnotherEpochLengthIsRefused(@TempDir Path dir) {
        Path ckpt = dir.resolve("run.ckpt");
        Run crashing = new Run(2);
        int[] calls = {0};
        Trainer dies = new Trainer(crashing.model, crashing.opt, crashing.sched, (out, y) -> {
            if (++calls[0] == 7) throw new IllegalStateException("killed");
            return Losses.crossEntropy(out, y);
        });
        assertThrows(IllegalStateException.class, () -> dies.fit(crashing.train, null, Trainer.Options.epochs(2).checkpoint(ckpt).checkpointEvery(6).log(null)));
        Run other = new Run(2);
        DataLoader shorter = DataLoader.builder(blobs(1, 64)).setBatchSize(32).optDropLast(true).build();
        var e = assertThrows(IllegalArgumentException.class, () -> other.trainer.fit(shorter, null, Trainer.Options.epochs(2).resumeFrom(ckpt).log(null)));
        assertTrue(e.getMessage().contains("stopped after step 6 of an epoch, but an epoch here has 2 steps"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Trainer.Options.epochs(1).checkpointEvery(-1));
    }

    @Test
    void evaluationCountsCorrectPredictions() {
        Run r = new Run(1);
        Evaluation ev = Evaluation.of(r.model, r.test);
        assertEquals(128, ev.total());
        assertEquals((double) ev.correct() / 128, ev.accuracy());
        assertTrue(r.model.isTraining(), "training mode restored");
    }
}
