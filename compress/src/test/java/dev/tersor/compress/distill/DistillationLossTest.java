package dev.tersor.compress.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.zoo.LeNet5;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.testing.Fixtures;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class DistillationLossTest {
    private static final IntTensor LABELS = IntTensor.of(new int[] {0, 2, 1, 2}, 4);

    @Test
    void runsTheFrozenTeacherOnTheStudentsBatch() {
        Rng.manualSeed(5);
        Linear student = new Linear(6, 3), teacher = new Linear(6, 3);
        teacher.train();
        Tensor x = Tensor.randn(new Generator(9), 4, 6);
        try (DistillationLoss kd = DistillationLoss.create(student, teacher, KdConfig.of(0.6, 2.5), Losses::crossEntropy,
                UnaryOperator.identity(), x.narrow(0, 0, 1))) {
            Tensor out = student.call(x);
            Tensor loss = kd.apply(out, LABELS);
            Tensor expected;
            try (var g = Tensor.noGrad()) {
                expected = KdLoss.loss(out, teacher.call(x), LABELS, 0.6, 2.5);
            }
            assertEquals(expected.item(), loss.item(), 1e-6);
            loss.backward();
            assertTrue(student.weight().grad() != null, "the student learns");
            assertNull(teacher.weight().grad(), "the teacher is frozen: no gradient");
            assertTrue(teacher.isTraining(), "the teacher's mode is restored");
        }
    }

    @Test
    void teacherInputIsMappedAndNotRunWhenUnused() {
        Linear student = new Linear(2, 3), teacher = new Linear(2, 3);
        AtomicReference<Tensor> seen = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        teacher.registerForwardPreHook((m, in) -> {
            seen.set(in);
            calls.incrementAndGet();
            return null;
        });
        UnaryOperator<Tensor> map = InputMapping.renormalize(new float[] {0.1307f, 0.1307f}, new float[] {0.3081f, 0.3081f},
                new float[] {0.2860f, 0.2860f}, new float[] {0.3530f, 0.3530f});
        Tensor x = Tensor.fromArray(new float[] {1, 0, 1, 0, 1, 0, 1, 0}, 4, 2);
        try (DistillationLoss kd = DistillationLoss.create(student, teacher, KdConfig.of(0.5, 1), Losses::crossEntropy, map, x)) {
            kd.apply(student.call(x), LABELS);
            // (1·0.3081 + 0.1307 − 0.2860) / 0.3530 and (0 + 0.1307 − 0.2860) / 0.3530
            Fixtures.assertClose(new float[] {0.432861f, -0.439943f}, seen.get().narrow(0, 0, 1).toArray(), 1e-5, 1e-5, "renormalised");
        }
        calls.set(0);
        try (DistillationLoss alone = DistillationLoss.create(student, teacher, KdConfig.of(0, 1), Losses::crossEntropy, map, x)) {
            calls.set(0);
            Tensor out = student.call(x);
            assertEquals(Losses.crossEntropy(out, LABELS).item(), alone.apply(out, LABELS).item(), 1e-7);
            assertEquals(0, calls.get(), "alpha 0 without feature terms never runs the teacher");
        }
    }

    @Test
    void logitsAreRememberedPerSampleSoTheTeacherRunsOncePerDistinctInput() {
        Rng.manualSeed(8);
        Module student = new LeNet5(false, 0.5), teacher = new LeNet5(false);
        AtomicInteger teacherRows = new AtomicInteger();
        teacher.registerForwardPreHook((m, in) -> {
            teacherRows.addAndGet(in.size(0));
            return null;
        });
        Tensor a = Tensor.randn(new Generator(1), 4, 1, 28, 28), b = Tensor.randn(new Generator(2), 4, 1, 28, 28);
        // a batch mixing two samples of a with two new ones, in another order
        Tensor mixed = Tensor.cat(0, b.narrow(0, 0, 2), a.narrow(0, 3, 1), a.narrow(0, 1, 1));
        try (DistillationLoss kd = DistillationLoss.create(student, teacher, KdConfig.of(0.7, 3), Losses::crossEntropy,
                UnaryOperator.identity(), a.narrow(0, 0, 1))) {
            teacherRows.set(0);
            float first = kd.apply(student.call(a), LABELS).item();
            assertEquals(4, teacherRows.get());
            float again = kd.apply(student.call(a), LABELS).item();
            assertEquals(4, teacherRows.get(), "the same batch again: the teacher does not run");
            assertEquals(first, again, 0f, "remembered logits give the same loss");
            Tensor out = student.call(mixed);
            float loss = kd.apply(out, LABELS).item();
            assertEquals(6, teacherRows.get(), "only the two unseen samples ran the teacher");
            assertEquals(6, kd.teacherSamples());
            Tensor expected;
            try (var g = Tensor.noGrad()) {
                expected = KdLoss.loss(out, teacher.eval().call(mixed), LABELS, 0.7, 3);
            }
            assertEquals(expected.item(), loss, 1e-5, "equal to running the teacher on the whole batch");
        }
    }

    @Test
    void rememberedLogitsAreBoundedAndFeaturePairsStillRunTheTeacher() {
        Rng.manualSeed(8);
        Module teacher = new LeNet5(false);
        TeacherLogits none = new TeacherLogits(0);
        AtomicInteger runs = new AtomicInteger();
        Tensor x = Tensor.randn(new Generator(3), 2, 1, 28, 28);
        UnaryOperator<Tensor> t = in -> {
            runs.addAndGet(in.size(0));
            try (var g = Tensor.noGrad()) {
                return teacher.eval().call(in);
            }
        };
        Tensor z1 = none.logits(x, t), z2 = none.logits(x, t);
        assertEquals(4, runs.get(), "a zero bound remembers nothing");
        assertEquals(0, none.size());
        Fixtures.assertClose(z1.toArray(), z2.toArray(), 0, 0, "same logits");
        TeacherLogits one = new TeacherLogits(10);
        runs.set(0);
        one.logits(x, t);
        one.logits(x, t);
        assertEquals(3, runs.get(), "room for one sample's 10 logits: the second sample runs again");
        assertEquals(1, one.size());
        assertThrows(IllegalArgumentException.class, () -> new TeacherLogits(-1));

        Module student = new LeNet5(false, 0.5);
        AtomicInteger rows = new AtomicInteger();
        teacher.registerForwardPreHook((m, in) -> {
            rows.addAndGet(in.size(0));
            return null;
        });
        KdConfig cfg = new KdConfig(0.5, 2, List.of(new LayerPair("conv2", "conv2", LayerPair.Kind.ATTENTION, 10)));
        try (DistillationLoss kd = DistillationLoss.create(student, teacher, cfg, Losses::crossEntropy, UnaryOperator.identity(), x)) {
            rows.set(0);
            IntTensor y = IntTensor.of(new int[] {1, 2}, 2);
            kd.apply(student.call(x), y);
            kd.apply(student.call(x), y);
            assertEquals(4, rows.get(), "feature pairs need the teacher's features every time");
        }
    }

    @Test
    void attentionPairAddsItsWeightedTerm() {
        Rng.manualSeed(3);
        Module student = new LeNet5(false, 0.5), teacher = new LeNet5(false);
        Tensor x = Tensor.randn(new Generator(4), 4, 1, 28, 28);
        AtomicReference<Tensor> fs = new AtomicReference<>(), ft = new AtomicReference<>();
        student.get("conv2").registerForwardHook((m, in, out) -> { fs.set(out); return null; });
        teacher.get("conv2").registerForwardHook((m, in, out) -> { ft.set(out); return null; });
        KdConfig cfg = new KdConfig(0, 1, List.of(new LayerPair("conv2", "conv2", LayerPair.Kind.ATTENTION, 250)));
        try (DistillationLoss kd = DistillationLoss.create(student, teacher, cfg, Losses::crossEntropy, UnaryOperator.identity(), x)) {
            Tensor out = student.call(x);
            float loss = kd.apply(out, LABELS).item();
            assertEquals(8, fs.get().size(1));
            assertEquals(16, ft.get().size(1));
            float expected = Losses.crossEntropy(out, LABELS).item() + 250 * AttentionTransfer.loss(fs.get(), ft.get()).item();
            assertEquals(expected, loss, 1e-5);
            assertTrue(loss - Losses.crossEntropy(out, LABELS).item() > 1e-4, "the term is not zero");
        }
    }

    @Test
    void mismatchesFailBeforeTraining() {
        Module student = new LeNet5(false, 0.5);
        Tensor x = Tensor.zeros(1, 1, 28, 28);
        var classes = assertThrows(IllegalArgumentException.class, () -> DistillationLoss.create(student, new Linear(784, 5) {
            @Override
            public Tensor forward(Tensor in) {
                return super.forward(in.flatten(1, -1));
            }
        }, KdConfig.of(0.5, 2), Losses::crossEntropy, UnaryOperator.identity(), x));
        assertTrue(classes.getMessage().contains("[1, 5]") && classes.getMessage().contains("[1, 10]"), classes.getMessage());

        Module teacher = new LeNet5(false);
        var spatial = assertThrows(IllegalArgumentException.class, () -> DistillationLoss.create(student, teacher,
                new KdConfig(0.5, 2, List.of(LayerPair.attention("conv1", "conv2"))), Losses::crossEntropy, UnaryOperator.identity(), x));
        assertTrue(spatial.getMessage().contains("conv1=conv2") && spatial.getMessage().contains("[1, 3, 28, 28]")
                && spatial.getMessage().contains("[1, 16, 10, 10]"), spatial.getMessage());
        var hint = assertThrows(IllegalArgumentException.class, () -> DistillationLoss.create(student, teacher,
                new KdConfig(0.5, 2, List.of(LayerPair.parse("conv2", LayerPair.Kind.HINT, 1))), Losses::crossEntropy, UnaryOperator.identity(), x));
        assertTrue(hint.getMessage().contains("equal shapes"), hint.getMessage());
        var missing = assertThrows(IllegalArgumentException.class, () -> DistillationLoss.create(student, teacher,
                new KdConfig(0.5, 2, List.of(LayerPair.attention("conv9", "conv2"))), Losses::crossEntropy, UnaryOperator.identity(), x));
        assertTrue(missing.getMessage().contains("student has no layer 'conv9'"), missing.getMessage());
        assertFalse(student.isTraining() && !teacher.isTraining());
        // nothing stays hooked after a failed check: a plain forward leaves no captured state behind
        assertEquals(10, student.call(x).size(1));
    }

    @Test
    void halfWidthLeNetKeepsTheKeys() {
        assertEquals(new LeNet5(false).stateDict().keySet(), new LeNet5(false, 0.5).stateDict().keySet());
        assertEquals(List.of(60, 200), List.of(new LeNet5(false, 0.5).stateDict().get("fc1.weight").shape()[0],
                new LeNet5(false, 0.5).stateDict().get("fc1.weight").shape()[1]));
    }
}
