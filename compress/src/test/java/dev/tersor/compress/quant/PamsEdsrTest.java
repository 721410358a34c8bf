package dev.tersor.compress.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.compress.convert.Conversion;
import dev.tersor.compress.distill.AttentionTransfer;
import dev.tersor.compress.distill.SrDistillation;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.loss.Reduction;
import dev.tersor.nn.optim.Adam;
import dev.tersor.nn.sr.Image;
import dev.tersor.nn.sr.PatchLoader;
import dev.tersor.nn.sr.PatchPairs;
import dev.tersor.nn.sr.PatchSpec;
import dev.tersor.nn.sr.SrTrainer;
import dev.tersor.nn.zoo.Edsr;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class PamsEdsrTest {
    /** EDSR x{@code scale} with 2 blocks of 8 features. */
    private static Edsr tiny(int scale, long seed) {
        Rng.manualSeed(seed);
        return new Edsr(scale, 2, 8, 1f, 255f);
    }

    private static Edsr copyOf(Edsr m, int scale) {
        Edsr c = new Edsr(scale, 2, 8, 1f, 255f);
        c.loadStateDict(m.stateDict(), true);
        return c;
    }

    private static Tensor lr(long seed, int n, int side) {
        return Tensor.rand(new Generator(seed), n, 3, side, side).mul(255f);
    }

    /** EDSR's tail input, by hand: body(head(sub_mean(x))) + head(sub_mean(x)). */
    private static Tensor tailInput(Module m, Tensor x) {
        Tensor h = m.get("head").call(m.get("sub_mean").call(x));
        return m.get("body").call(h).add(h);
    }

    @Test
    void onlyTheResidualBlockConvolutionsAreQuantized() {
        Edsr m = tiny(2, 1);
        QuantReport r = Quantization.prepare(m, PamsEdsr.config(4));
        assertEquals(List.of("body.0.body.0", "body.0.body.2", "body.1.body.0", "body.1.body.2"), r.quantizedPaths());
        assertTrue(r.floatPaths().containsAll(List.of("sub_mean", "head.0", "body.2", "tail.0.0", "tail.1", "add_mean")), r.floatPaths().toString());
        for (String p : r.quantizedPaths()) {
            QuantConv2d q = (QuantConv2d) m.get(p);
            assertTrue(q.inputQuantizer() instanceof PamsQuantizer, p);
            assertEquals(4, q.inputQuantizer().scheme().bits(), p);
        }
    }

    @Test
    void anOnlyPatternThatMatchesNothingOrDoesNotParseIsRefused() {
        Edsr m = tiny(2, 1);
        QuantConfig none = QuantConfig.builder(QuantMethod.PAMS).only("encoder\\..*").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantization.prepare(m, none));
        assertTrue(e.getMessage().contains("matches none") && e.getMessage().contains("head.0"), e.getMessage());
        assertTrue(m.get("body.0.body.0") instanceof dev.tersor.nn.Conv2d, "nothing changed");
        e = assertThrows(IllegalArgumentException.class, () -> QuantConfig.builder(QuantMethod.PAMS).only("body.(").build());
        assertTrue(e.getMessage().contains("not a regular expression"), e.getMessage());
    }

    @Test
    void theSktLossIsL1PlusAThousandTimesAttentionTransferOnTheTailInput() {
        Edsr teacher = tiny(2, 3);
        Edsr student = tiny(2, 4);
        Tensor x = lr(5, 2, 6), hr = lr(6, 2, 12);
        try (SrDistillation skt = SrDistillation.pams(student, teacher, x)) {
            student.train();
            Tensor loss = skt.trainingLoss(x, hr);
            double l1, at;
            try (var g = Tensor.noGrad()) {
                l1 = Losses.l1(student.call(x), hr, Reduction.MEAN).item();
                at = AttentionTransfer.loss(tailInput(student, x), tailInput(teacher, x)).item();
            }
            assertTrue(at > 1e-6, "different weights, different attention: " + at);
            assertEquals(l1 + 1000 * at, loss.item(), 1e-4 * (l1 + 1000 * at));
            assertEquals(l1, skt.lastL1(), 1e-4 * l1);
            assertEquals(at, skt.lastAttention(), 1e-3 * at);
            loss.backward();
            assertTrue(student.get("head.0").parameters().get(0).grad() != null, "the student learns");
            assertTrue(teacher.parameters().stream().allMatch(p -> p.grad() == null), "the teacher does not");
        }
        // a student equal to its teacher has no attention loss: the loss is the L1 alone
        Edsr same = copyOf(teacher, 2);
        try (SrDistillation skt = SrDistillation.pams(same, teacher, x)) {
            float loss = skt.trainingLoss(x, hr).item();
            float l1 = Losses.l1(same.call(x), hr, Reduction.MEAN).item();
            assertEquals(l1, loss, 1e-5 * l1);
        }
    }

    @Test
    void aTeacherOfAnotherScaleOrAMissingFeatureIsRefusedBeforeTraining() {
        Tensor x = lr(5, 1, 6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SrDistillation.pams(tiny(2, 1), tiny(3, 1), x));
        assertTrue(e.getMessage().contains("teacher's output [1, 3, 18, 18] is not the student's [1, 3, 12, 12]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SrDistillation.create(tiny(2, 1), tiny(2, 1), "neck", 1, 1000, x));
        assertTrue(e.getMessage().contains("neck"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SrDistillation.create(tiny(2, 1), tiny(2, 1), "tail", -1, 1000, x));
        assertTrue(e.getMessage().contains("weights"), e.getMessage());
    }

    /**
     * PAMS end to end on a tiny EDSR: epoch 1 sets each bound by the EMA of max|x| (the bound gets
     * no gradient), epoch 2 learns it at its own rate; the converted integer model computes what the
     * fake-quantized one does.
     */
    @Test
    void pamsQatSetsTheBoundsByEmaThenLearnsThemAndConvertsToIntegerLayers() {
        Edsr teacher = tiny(2, 7);
        Edsr student = copyOf(teacher, 2);
        Quantization.prepare(student, PamsEdsr.config(8));
        PamsQuantizer first = (PamsQuantizer) ((QuantConv2d) student.get("body.0.body.0")).inputQuantizer();
        Adam adam = PamsEdsr.optimizer(student, 1e-4, 1e-2);
        assertEquals(2, adam.groups().size());
        assertEquals(1e-2, adam.groups().get(1).lr(), 0);
        List<Image> photos = List.of(photo(11), photo(12));
        Tensor sample = lr(5, 1, 6);
        float[] afterEma = new float[2];   // α and max_val at the start of epoch 2
        boolean[] learningDuringEpoch1 = new boolean[1];
        var pams = Quantization.epochStart(student, 1);
        try (SrDistillation skt = SrDistillation.pams(student, teacher, sample)) {
            new SrTrainer(student, 2, adam, null).fit(loader(photos, 3), List.of(), List.of(), SrTrainer.Options.epochs(2).log(null)
                    .objective(skt).onEpochStart((epoch, epochs) -> {
                        if (epoch == 2) {
                            learningDuringEpoch1[0] = first.isLearning();
                            afterEma[0] = first.alpha().value().item();
                            afterEma[1] = first.maxVal();
                        }
                        return pams.starting(epoch, epochs);
                    }));
        }
        assertFalse(learningDuringEpoch1[0], "epoch 1 tracks");
        assertEquals(afterEma[1], afterEma[0], 0, "epoch 1: α is the tracked max");
        assertTrue(first.isLearning(), "epoch 2 learns the bound");
        assertNotEquals(afterEma[0], first.alpha().value().item(), "and moved it");
        assertEquals(afterEma[1], first.maxVal(), 0, "the EMA stopped");
        student.eval();
        Tensor x = lr(9, 1, 10);
        float[] fake;
        try (var g = Tensor.noGrad()) {
            fake = student.call(x).toArray();
        }
        Module integer = Conversion.convert(student);
        float[] real;
        try (var g = Tensor.noGrad()) {
            real = integer.call(x).toArray();
        }
        assertEquals(fake.length, real.length);
        double maxDiff = 0;
        for (int i = 0; i < fake.length; i++) maxDiff = Math.max(maxDiff, Math.abs(fake[i] - real[i]));
        assertTrue(maxDiff < 0.05, "integer layers give the fake-quantized output (0..255 pixels): max |diff| " + maxDiff);
        assertArrayEquals(new int[] {1, 3, 20, 20}, integer.call(x).shape());
    }

    private static PatchLoader loader(List<Image> photos, int steps) {
        return new PatchLoader(PatchPairs.of(photos, List.of("a", "b"), new PatchSpec(2, 12, true), 2 * steps, 5), 2, 1);
    }

    private static Image photo(long seed) {
        return Image.fromTensor(Tensor.rand(new Generator(seed), 3, 24, 24));
    }
}
