package dev.tersor.nn.sr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.loss.Reduction;
import dev.tersor.nn.optim.Adam;
import dev.tersor.nn.optim.StepLr;
import dev.tersor.nn.train.Checkpoint;
import dev.tersor.nn.zoo.Edsr;
import dev.tersor.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SrTrainerTest {
    private static final List<Image> PHOTOS = List.of(Fixtures.image("in_astronaut.png"), Fixtures.image("in_patch.png"));
    private static final List<Image> VAL = List.of(Fixtures.image("in_camera.png"), Fixtures.image("in_astronaut.png"));
    private static final List<String> VAL_NAMES = List.of("camera", "astronaut");

    /** Pairs of 12x12 HR / 6x6 LR patches, {@code steps} batches of 2 per epoch. */
    private static PatchLoader loader(int steps) {
        return new PatchLoader(PatchPairs.of(PHOTOS, List.of("a", "p"), new PatchSpec(2, 12, true), 2 * steps, 5), 2, 1);
    }

    /** A fresh run: tiny EDSR, Adam (EDSR's betas and eps), lr halved every 3 steps. */
    private record Run(Edsr model, Adam adam, StepLr sched, SrTrainer trainer) {
        static Run fresh() {
            Edsr m = UpscalerTest.tiny(2, 21);
            Adam a = new Adam(m.parameters(), Adam.options().lr(1e-3).betas(0.9, 0.999).eps(1e-8).build());
            StepLr s = new StepLr(a, 3, 0.5);
            return new Run(m, a, s, new SrTrainer(m, 2, a, s));
        }
    }

    private static Map<String, Tensor> state(Edsr m) {
        return m.stateDict();
    }

    private static void assertSameWeights(Edsr a, Edsr b) {
        Map<String, Tensor> x = state(a), y = state(b);
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) assertArrayEquals(x.get(k).toArray(), y.get(k).toArray(), k);
    }

    @Test
    void oneStepIsEdsrsL1OnPixelValuesThenAdamAndTheSchedule() {
        Run r = Run.fresh();
        SrTrainer.Result res = r.trainer().fit(loader(1), List.of(), List.of(), SrTrainer.Options.epochs(1).log(null));

        // the same step by hand: the first batch of epoch 0, x255, L1 mean, backward, Adam
        Run hand = Run.fresh();
        PatchLoader l = loader(1);
        PairBatch b = l.iterator().next();
        l.close();
        hand.model().train();
        Tensor loss = Losses.l1(hand.model().call(b.lr().mul(255f)), b.hr().mul(255f), Reduction.MEAN);
        float value = loss.item();
        loss.backward();
        hand.adam().step();
        hand.sched().step();
        assertSameWeights(hand.model(), r.model());
        SrTrainer.Epoch e = res.history().get(0);
        assertEquals(value, e.trainLoss());
        assertTrue(value > 1, "L1 in 8-bit units, not [0, 1]: " + value);
        assertEquals(1e-3, e.lr(), 1e-15);    // halved only after 3 steps
        assertTrue(Double.isNaN(e.validationPsnrY()));
        assertEquals(null, res.bicubic());
    }

    /** A model that is an {@link SrObjective} (DRN) is trained on its own loss, not the plain L1. */
    @Test
    void anSrObjectiveModelTrainsOnItsOwnLoss() {
        dev.tersor.nn.Rng.manualSeed(31);
        dev.tersor.nn.zoo.Drn drn = new dev.tersor.nn.zoo.Drn(2, 1, 8, 0.1f);
        float[] start = drn.stateDict().get("dual_models.0.dual_module.1.weight").toArray();
        PatchLoader l = loader(1);
        PairBatch b = l.iterator().next();
        l.close();
        drn.train();
        float expected = drn.trainingLoss(b.lr().mul(255f), b.hr().mul(255f)).item();
        float plain = Losses.l1(drn.call(b.lr().mul(255f)), b.hr().mul(255f), Reduction.MEAN).item();
        Adam a = new Adam(drn.parameters(), Adam.options().lr(1e-3).build());
        SrTrainer.Result res = new SrTrainer(drn, 2, a, null).fit(loader(1), List.of(), List.of(), SrTrainer.Options.epochs(1).log(null));
        assertEquals(expected, res.history().get(0).trainLoss(), 1e-4 * expected);
        assertTrue(Math.abs(expected - plain) > 1e-3, "the dual objective differs from the plain L1: " + expected + " vs " + plain);
        assertTrue(drn.dual(0).parameters().stream().allMatch(p -> p.grad() != null), "the dual model got gradients");
        assertTrue(!java.util.Arrays.equals(start,
                drn.stateDict().get("dual_models.0.dual_module.1.weight").toArray()), "and was stepped");
    }

    /** An objective in the options replaces the L1 loss (a distillation loss); the epoch hook runs before each epoch and its line is logged. */
    @Test
    void anObjectiveAndAnEpochHookFromTheOptions() {
        Run r = Run.fresh();
        Edsr m = r.model();
        PatchLoader l = loader(1);
        PairBatch b = l.iterator().next();
        l.close();
        SrObjective doubled = (lr, hr) -> Losses.l1(m.call(lr), hr, Reduction.SUM).mul(2f);
        m.train();
        float expected = doubled.trainingLoss(b.lr().mul(255f), b.hr().mul(255f)).item();
        java.util.List<String> calls = new java.util.ArrayList<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        SrTrainer.Result res = r.trainer().fit(loader(1), List.of(), List.of(), SrTrainer.Options.epochs(2)
                .log(new PrintStream(log, true, StandardCharsets.UTF_8)).objective(doubled).onEpochStart((epoch, epochs) -> {
                    calls.add(epoch + "/" + epochs + (m.isTraining() ? " train" : " eval"));
                    return epoch == 2 ? "switched" : null;
                }));
        assertEquals(expected, res.history().get(0).trainLoss(), 1e-5 * expected);
        assertEquals(List.of("1/2 train", "2/2 train"), calls);
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("epoch 2: switched"), log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void validationPsnrIsTheEvaluationOfTheTrainedModelAndBicubicIsBeside() {
        Run r = Run.fresh();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        SrTrainer.Result res = r.trainer().fit(loader(4), VAL, VAL_NAMES,
                SrTrainer.Options.epochs(1).tile(16).log(new PrintStream(log, true, StandardCharsets.UTF_8)));
        SrEvaluation.Result ev = SrEvaluation.evaluate(VAL, VAL_NAMES, new Upscaler(r.model(), 2, 16, 8), null);
        SrTrainer.Epoch e = res.history().get(0);
        assertEquals(ev.modelMean().psnrY(), e.validationPsnrY());
        assertEquals(ev.modelMean().ssimY(), e.validationSsimY());
        assertEquals(ev.modelMean().psnrRgb(), e.validationPsnrRgb());
        assertEquals(ev.bicubicMean(), res.bicubic());
        assertEquals(0.5e-3, e.lr(), 1e-15);   // 4 steps: halved at step 3
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("epoch 1/1: step 4/4"), text);
        assertTrue(text.contains(String.format(java.util.Locale.ROOT, "val PSNR-Y %.2f dB", e.validationPsnrY())), text);
    }

    /** Throws once the log has seen {@code marker}: a run killed at that point. */
    private static PrintStream killedAt(String marker) {
        return new PrintStream(new OutputStream() {
            private final StringBuilder seen = new StringBuilder();

            @Override
            public void write(int c) {
                seen.append((char) c);
                if (seen.indexOf(marker) >= 0) throw new IllegalStateException("killed");
            }
        }, true, StandardCharsets.UTF_8);
    }

    @Test
    void aRunKilledInsideAnEpochResumesFromItsStepCheckpointBitForBit(@TempDir Path dir) {
        Run straight = Run.fresh();
        SrTrainer.Result whole = straight.trainer().fit(loader(4), VAL, VAL_NAMES, SrTrainer.Options.epochs(2).log(null));

        Path ckpt = dir.resolve("run.ckpt");
        Run killed = Run.fresh();
        SrTrainer.Options o = SrTrainer.Options.epochs(2).checkpoint(ckpt).checkpointEvery(3).runInfo(Map.of("model", "tiny"));
        // the step-3 checkpoint of epoch 2 is written after its progress line; die at step 4's
        IllegalStateException kill = assertThrows(IllegalStateException.class,
                () -> killed.trainer().fit(loader(4), VAL, VAL_NAMES, o.log(killedAt("epoch 2/2: step 4/4"))));
        assertEquals("killed", kill.getMessage());
        assertEquals("3,", Checkpoint.runInfo(ckpt).get("sr_step").substring(0, 2));
        assertEquals("tiny", Checkpoint.runInfo(ckpt).get("model"));

        Run resumed = Run.fresh();
        SrTrainer.Result rest = resumed.trainer().fit(loader(4), VAL, VAL_NAMES, o.resumeFrom(ckpt).log(null));
        assertSameWeights(straight.model(), resumed.model());
        assertEquals(2, rest.history().size());
        for (int i = 0; i < 2; i++) {
            SrTrainer.Epoch a = whole.history().get(i), b = rest.history().get(i);
            assertEquals(a.trainLoss(), b.trainLoss(), "epoch " + (i + 1));
            assertEquals(a.validationPsnrY(), b.validationPsnrY(), "epoch " + (i + 1));
            assertEquals(a.validationSsimY(), b.validationSsimY());
            assertEquals(a.lr(), b.lr());
        }
        assertEquals(null, Checkpoint.runInfo(ckpt).get("sr_step"), "the end-of-epoch checkpoint has no step");

        // a rerun with more epochs continues after the last one, again as a straight run would
        Run more = Run.fresh();
        SrTrainer.Result three = more.trainer().fit(loader(4), VAL, VAL_NAMES, SrTrainer.Options.epochs(3).resumeFrom(ckpt).log(null));
        Run straight3 = Run.fresh();
        SrTrainer.Result ref = straight3.trainer().fit(loader(4), VAL, VAL_NAMES, SrTrainer.Options.epochs(3).log(null));
        assertSameWeights(straight3.model(), more.model());
        assertEquals(ref.history().get(2).validationPsnrY(), three.history().get(2).validationPsnrY());
    }

    @Test
    void badSettingsAndForeignCheckpointsAreNamed(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> SrTrainer.Options.epochs(0));
        IllegalArgumentException reserved = assertThrows(IllegalArgumentException.class,
                () -> SrTrainer.Options.epochs(1).runInfo(Map.of("sr_step", "1")));
        assertTrue(reserved.getMessage().contains("sr_step"));
        // a classification-style checkpoint (no run.sr_validation) of the same model
        Run r = Run.fresh();
        Path ckpt = dir.resolve("plain.ckpt");
        Checkpoint.save(ckpt, r.model(), r.adam(), r.sched(), 1, SrTrainer.metrics(List.of(
                new SrTrainer.Epoch(1, 3.0, Double.NaN, Double.NaN, Double.NaN, 1, 1, 1e-3))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Run.fresh().trainer().fit(loader(2), List.of(), List.of(), SrTrainer.Options.epochs(2).resumeFrom(ckpt).log(null)));
        assertTrue(e.getMessage().contains("not a checkpoint of tersor's SR training"), e.getMessage());
        // a step checkpoint from a longer epoch
        Path step = dir.resolve("step.ckpt");
        IllegalStateException kill = assertThrows(IllegalStateException.class, () -> Run.fresh().trainer().fit(loader(4), List.of(), List.of(),
                SrTrainer.Options.epochs(1).checkpoint(step).checkpointEvery(3).log(killedAt("step 4/4"))));
        assertEquals("killed", kill.getMessage());
        IllegalArgumentException shorter = assertThrows(IllegalArgumentException.class,
                () -> Run.fresh().trainer().fit(loader(2), List.of(), List.of(), SrTrainer.Options.epochs(1).resumeFrom(step).log(null)));
        assertTrue(shorter.getMessage().contains("stopped after step 3 of an epoch, but an epoch here has 2 steps"), shorter.getMessage());
    }
}
