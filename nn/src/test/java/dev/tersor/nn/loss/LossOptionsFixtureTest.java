package dev.tersor.nn.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.testing.Fixtures;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cross entropy with class weights, ignore_index and label smoothing, and BCE-with-logits with
 * pos_weight and at logits of exactly 0, against PyTorch 1.13 ({@code loss_options.safetensors},
 * made by nn/src/test/resources/fixtures/generate_nn.py): outputs and the gradients of the
 * logits (and of BCE's soft targets).
 */
class LossOptionsFixtureTest {
    private static final Fixtures F = Fixtures.load("loss_options.safetensors");

    static IntStream cases() {
        return IntStream.range(0, F.cases());
    }

    private static Tensor t(int c, String name) {
        return Tensor.fromArray(F.data(c, name), F.shape(c, name));
    }

    private static Reduction reduction(String s) {
        return switch (s) {
            case "mean" -> Reduction.MEAN;
            case "sum" -> Reduction.SUM;
            case "none" -> Reduction.NONE;
            default -> throw new AssertionError(s);
        };
    }

    private static IntTensor labels(float[] f) {
        int[] l = new int[f.length];
        for (int i = 0; i < f.length; i++) l[i] = (int) f[i];
        return IntTensor.of(l, l.length);
    }

    @ParameterizedTest(name = "loss option case {0}")
    @MethodSource("cases")
    void matchesPyTorch(int c) {
        String what = "loss_options case " + c + " " + F.params(c);
        Reduction r = reduction(F.param(c, "reduction"));
        Tensor x = t(c, "input").requiresGrad(true);
        Tensor y;
        Tensor target = null;
        if (F.param(c, "op").equals("cross_entropy")) {
            CrossEntropyOptions o = CrossEntropyOptions.defaults().withReduction(r)
                    .withIgnoreIndex(F.ints(c, "ignore_index")[0])
                    .withLabelSmoothing(Float.parseFloat(F.param(c, "smoothing")));
            if (F.ints(c, "weighted")[0] == 1) o = o.withClassWeights(F.data(c, "weight"));
            y = Losses.crossEntropy(x, labels(F.data(c, "target")), o);
        } else {
            target = t(c, "target").requiresGrad(true);
            Tensor pw = F.ints(c, "pos_weight")[0] == 1 ? t(c, "pos_weight") : null;
            y = Losses.bceWithLogits(x, target, pw, r);
        }
        assertArrayEquals(F.shape(c, "output"), y.shape(), what + " output shape");
        Fixtures.assertClose(F.data(c, "output"), y.toArray(), 1e-5, 1e-4, what + " output");
        y.backward(t(c, "grad_output"));
        Fixtures.assertClose(F.data(c, "grad_input"), x.grad().toArray(), 1e-5, 1e-4, what + " grad_input");
        if (target != null) {
            Fixtures.assertClose(F.data(c, "grad_target"), target.grad().toArray(), 1e-5, 1e-4, what + " grad_target");
        }
    }

    @Test
    void bceGradientAtALogitOfZeroIsSigmoidOfZeroMinusTarget() {
        Tensor x = Tensor.zeros(2).requiresGrad(true);
        Losses.bceWithLogits(x, Tensor.fromArray(new float[] {1f, 0f}, 2), Reduction.MEAN).backward();
        assertArrayEquals(new float[] {-0.25f, 0.25f}, x.grad().toArray(), 1e-7f);   // (½ − y)/N
        Tensor z = Tensor.zeros(1).requiresGrad(true);   // pos_weight 3, y = 1: (1 − y) − 3·σ(0) = −1.5
        Losses.bceWithLogits(z, Tensor.ones(1), Tensor.fromArray(new float[] {3f}, 1), Reduction.SUM).backward();
        assertEquals(-1.5f, z.grad().item(), 1e-7f);
    }

    @Test
    void weightedIgnoringCrossEntropyByHand() {
        // two classes, logits 0: −log p = log 2 for each; sample 1 ignored; weights 3 and 1
        Tensor x = Tensor.zeros(3, 2).requiresGrad(true);
        CrossEntropyOptions o = CrossEntropyOptions.defaults().withClassWeights(3f, 1f).withIgnoreIndex(7);
        Tensor loss = Losses.crossEntropy(x, IntTensor.of(new int[] {0, 7, 1}, 3), o);
        assertEquals(Math.log(2), loss.item(), 1e-6);   // (3·log2 + 1·log2) / (3 + 1)
        loss.backward();
        // sample 0: 3·(p − onehot)/4 = [−3/8, 3/8]; sample 2: [1/8, −1/8]; ignored row 0
        assertArrayEquals(new float[] {-0.375f, 0.375f, 0f, 0f, 0.125f, -0.125f}, x.grad().toArray(), 1e-7f);
    }

    @Test
    void gradientsByFiniteDifferences() {
        IntTensor y = IntTensor.of(new int[] {2, -100, 0, 1}, 4);
        CrossEntropyOptions o = CrossEntropyOptions.defaults().withClassWeights(0.5f, 2f, 1.5f).withLabelSmoothing(0.3f);
        GradCheck.check(in -> Losses.crossEntropy(in[0], y, o), GradCheck.leaf(31, 4, 3));
        GradCheck.check(in -> Losses.crossEntropy(in[0], y, o.withReduction(Reduction.NONE)), GradCheck.leaf(32, 4, 3));
        Tensor pw = Tensor.fromArray(new float[] {2f, 0.5f, 1f}, 3);
        Tensor soft = Tensor.rand(new dev.tersor.tensor.Generator(33), 2, 3).requiresGrad(true);
        GradCheck.check(in -> Losses.bceWithLogits(in[0], in[1], pw, Reduction.MEAN), GradCheck.leaf(34, 2, 3), soft);
    }

    @Test
    void badOptionsAreNamed() {
        Tensor x = Tensor.zeros(2, 4);
        IntTensor y = IntTensor.of(new int[] {0, 1}, 2);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(x, y, CrossEntropyOptions.defaults().withClassWeights(1f, 1f, 1f)));
        assertTrue(e.getMessage().contains("3 class weights for 4 classes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CrossEntropyOptions.defaults().withClassWeights(1f, -2f));
        assertTrue(e.getMessage().contains("class weight 1 is -2.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CrossEntropyOptions.defaults().withClassWeights(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> CrossEntropyOptions.defaults().withLabelSmoothing(1.5f));
        assertThrows(IllegalArgumentException.class, () -> CrossEntropyOptions.defaults().withReduction(Reduction.BATCH_MEAN));
        e = assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(x, IntTensor.of(new int[] {0, -1}, 2), CrossEntropyOptions.defaults()));
        assertTrue(e.getMessage().contains("label -1") && e.getMessage().contains("ignore index -100"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> Losses.bceWithLogits(x, x, Tensor.ones(3), Reduction.MEAN));
        assertTrue(e.getMessage().contains("pos_weight [3]") && e.getMessage().contains("[2, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Losses.bceWithLogits(x, x, Tensor.fromArray(new float[] {1f, -1f, 1f, 1f}, 4), Reduction.MEAN));
        assertTrue(e.getMessage().contains("pos_weight[1] is -1.0"), e.getMessage());
    }

    @Test
    void aMeanOverOnlyIgnoredLabelsIsAnErrorNotNaN() {
        IntTensor allIgnored = IntTensor.of(new int[] {1, 1}, 2);
        CrossEntropyOptions o = CrossEntropyOptions.defaults().withIgnoreIndex(1);
        var e = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(Tensor.zeros(2, 3), allIgnored, o));
        assertTrue(e.getMessage().contains("ignore index 1") && e.getMessage().contains("NaN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(Tensor.zeros(2, 3), IntTensor.of(new int[] {0, 0}, 2),
                CrossEntropyOptions.defaults().withClassWeights(0f, 1f, 1f)));
        Tensor x = Tensor.zeros(2, 3).requiresGrad(true);   // SUM is well defined: 0, gradient 0 (as PyTorch)
        Tensor sum = Losses.crossEntropy(x, allIgnored, o.withReduction(Reduction.SUM));
        assertEquals(0f, sum.item());
        sum.backward();
        assertArrayEquals(new float[6], x.grad().toArray());
    }
}
