package dev.tersor.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Parameter;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.loss.Losses;
import dev.tersor.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training with a validation split: per-epoch validation metrics, the test split once at the end, keep-best, resume. */
class ValidationTest {
    private static DataLoader validation() {
        return DataLoader.builder(TrainerTest.blobs(5, 128)).setBatchSize(48).build();   // a partial last batch: the loss is per sample
    }

    private static Map<String, float[]> state(TrainerTest.Run r) {
        Map<String, float[]> s = new LinkedHashMap<>();
        r.model.stateDict().forEach((k, v) -> s.put(k, v.toArray()));
        return s;
    }

    private static void assertSameState(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
    }

    /** Records the weights before each epoch and zeroes every parameter before the last, so the last epoch cannot be the best. */
    private static Trainer.EpochStart spoilLast(TrainerTest.Run r, List<Map<String, float[]>> before) {
        return (epoch, epochs) -> {
            before.add(state(r));
            if (epoch == epochs) {
                try (var g = Tensor.noGrad()) {
                    for (Parameter p : r.model.parameters()) p.value().copyInPlace(Tensor.zerosLike(p.value()));
                }
            }
            return null;
        };
    }

    /** Each epoch's losses and accuracies (not its timings). */
    private static List<List<Double>> scores(Trainer.Result r) {
        return r.history().stream().map(m -> List.of(m.trainLoss(), m.trainAccuracy(), m.validationLoss(), m.validationAccuracy())).toList();
    }

    private static int firstBest(List<EpochMetrics> h) {
        int best = 1;
        for (EpochMetrics m : h) if (m.validationAccuracy() > h.get(best - 1).validationAccuracy()) best = m.epoch();
        return best;
    }

    @Test
    void eachEpochReportsValidationAndTheTestSplitIsEvaluatedOnceAtTheEnd() {
        TrainerTest.Run r = new TrainerTest.Run(3);
        DataLoader val = validation();
        Trainer.Result res = r.trainer.fit(r.train, val, r.test, Trainer.Options.epochs(3).log(null));
        assertEquals(3, res.history().size());
        assertEquals(3, res.keptEpoch());
        for (EpochMetrics m : res.history()) {
            assertTrue(Double.isNaN(m.testAccuracy()), "no per-epoch test accuracy with a validation split");
            assertTrue(m.validationLoss() > 0 && m.validationAccuracy() > 0.5, m.toString());
        }
        EpochMetrics last = res.history().get(2);
        Evaluation v = Evaluation.of(r.model, val, Losses::crossEntropy);
        assertEquals(v.accuracy(), last.validationAccuracy());
        assertEquals(v.loss(), last.validationLoss(), 1e-12, "the epoch's validation loss is the per-sample mean cross entropy");
        double perSample = 0;
        for (var b : val) perSample += Losses.crossEntropy(r.model.call(b.inputs()), b.labels()).item() * b.size();
        assertEquals(perSample / 128, last.validationLoss(), 1e-6);
        assertEquals(Evaluation.of(r.model, r.test).accuracy(), res.testAccuracy());
    }

    @Test
    void keepBestEndsWithTheFirstBestEpochsWeights() {
        TrainerTest.Run r = new TrainerTest.Run(4);
        List<Map<String, float[]>> before = new ArrayList<>();
        Trainer.Result res = r.trainer.fit(r.train, validation(), r.test,
                Trainer.Options.epochs(4).keepBest(true).log(null).onEpochStart(spoilLast(r, before)));
        int best = firstBest(res.history());
        assertTrue(best < 4, "the zeroed last epoch is worse: " + res.history());
        assertTrue(res.history().get(3).validationAccuracy() < res.history().get(best - 1).validationAccuracy());
        assertEquals(best, res.keptEpoch());
        assertSameState(before.get(best), state(r));   // before epoch best + 1 = after epoch best
        assertEquals(Evaluation.of(r.model, r.test).accuracy(), res.testAccuracy(), "the test split scores the kept weights");
        assertEquals(Evaluation.of(r.model, validation()).accuracy(), res.history().get(best - 1).validationAccuracy());
    }

    @Test
    void aResumedKeepBestRunEndsWithTheSameWeightsAsAnUninterruptedOne(@TempDir Path dir) throws Exception {
        TrainerTest.Run whole = new TrainerTest.Run(4);
        Trainer.Result a = whole.trainer.fit(whole.train, validation(), whole.test,
                Trainer.Options.epochs(4).keepBest(true).log(null).onEpochStart(spoilLast(whole, new ArrayList<>())));
        assertTrue(a.keptEpoch() <= 2, "the best epoch comes before the interruption, so only the checkpoint can hold it: " + a.history());

        Path ckpt = dir.resolve("run.ckpt");
        TrainerTest.Run first = new TrainerTest.Run(4);
        first.trainer.fit(first.train, validation(), first.test, Trainer.Options.epochs(2).keepBest(true).checkpoint(ckpt).log(null));
        TrainerTest.Run resumed = new TrainerTest.Run(4);
        Trainer.Result b = resumed.trainer.fit(resumed.train, validation(), resumed.test,
                Trainer.Options.epochs(4).keepBest(true).resumeFrom(ckpt).log(null).onEpochStart(spoilLast(resumed, new ArrayList<>())));
        assertEquals(a.keptEpoch(), b.keptEpoch());
        assertEquals(scores(a), scores(b));
        assertSameState(state(whole), state(resumed));
        assertEquals(a.testAccuracy(), b.testAccuracy());
    }

    @Test
    void metricsFilesCarryTheValidationColumns(@TempDir Path dir) throws Exception {
        TrainerTest.Run r = new TrainerTest.Run(2);
        Path json = dir.resolve("m.json"), csv = dir.resolve("m.csv");
        Trainer.Result res = r.trainer.fit(r.train, validation(), null, Trainer.Options.epochs(2).metrics(json, csv).log(null));
        assertTrue(Double.isNaN(res.testAccuracy()), "no test loader, no test accuracy");
        List<String> lines = Files.readAllLines(csv);
        assertEquals("epoch,train_loss,train_accuracy,val_loss,val_accuracy,test_accuracy,epoch_seconds,samples_per_second,lr", lines.get(0));
        assertEquals(res.history().get(1), EpochMetrics.parseCsv(lines.get(2)));
        String text = Files.readString(json);
        assertTrue(text.contains("\"val_accuracy\": " + res.history().get(1).validationAccuracy()), text);
        assertTrue(text.contains("\"test_accuracy\": null"), text);
    }

    @Test
    void aCheckpointLineWithoutValidationColumnsStillReads() {
        EpochMetrics m = EpochMetrics.parseCsv("3,0.5,0.8,0.75,12.5,400.0,0.01");
        assertEquals(new EpochMetrics(3, 0.5, 0.8, Double.NaN, Double.NaN, 0.75, 12.5, 400.0, 0.01), m);
        assertThrows(IllegalArgumentException.class, () -> EpochMetrics.parseCsv("3,0.5,0.8"));
    }

    @Test
    void keepBestNeedsAValidationLoader() {
        TrainerTest.Run r = new TrainerTest.Run(1);
        var e = assertThrows(IllegalArgumentException.class, () -> r.trainer.fit(r.train, null, r.test, Trainer.Options.epochs(1).keepBest(true).log(null)));
        assertEquals("keepBest needs a validation loader", e.getMessage());
    }
}
