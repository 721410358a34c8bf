package dev.tersor.nn.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.testing.Fixtures;
import org.junit.jupiter.api.Test;

/** Every loss against PyTorch 1.13 (nn/src/test/resources/fixtures/generate_nn.py). */
class LossFixtureTest {
    private static final Fixtures F = Fixtures.load("losses.safetensors");

    private static Reduction reduction(String s) {
        return switch (s) {
            case "mean" -> Reduction.MEAN;
            case "sum" -> Reduction.SUM;
            case "none" -> Reduction.NONE;
            case "batchmean" -> Reduction.BATCH_MEAN;
            default -> throw new AssertionError(s);
        };
    }

    private static IntTensor labels(float[] f) {
        int[] l = new int[f.length];
        for (int i = 0; i < f.length; i++) l[i] = (int) f[i];
        return IntTensor.of(l, l.length);
    }

    @Test
    void everyCaseMatchesPyTorch() {
        for (int c = 0; c < F.cases(); c++) {
            String op = F.param(c, "op");
            Reduction r = reduction(F.param(c, "reduction"));
            Tensor x = Tensor.fromArray(F.data(c, "input"), F.shape(c, "input")).requiresGrad(true);
            float[] tv = F.data(c, "target");
            Tensor target = Tensor.fromArray(tv, F.shape(c, "target"));
            Tensor y = switch (op) {
                case "cross_entropy" -> Losses.crossEntropy(x, labels(tv), Float.parseFloat(F.param(c, "smoothing")), r);
                case "nll" -> Losses.nll(x, labels(tv), r);
                case "mse" -> Losses.mse(x, target, r);
                case "l1" -> Losses.l1(x, target, r);
                case "smooth_l1" -> Losses.smoothL1(x, target, Float.parseFloat(F.param(c, "beta")), r);
                case "kl_div" -> Losses.klDiv(x, target, r, F.ints(c, "log_target")[0] == 1);
                case "bce_with_logits" -> Losses.bceWithLogits(x, target, r);
                default -> throw new AssertionError(op);
            };
            String what = op + " case " + c + " (" + F.params(c) + ")";
            Fixtures.assertClose(F.data(c, "output"), y.toArray(), 1e-5, 1e-4, what + " output");
            y.backward(Tensor.fromArray(F.data(c, "grad_output"), F.shape(c, "grad_output")));
            Fixtures.assertClose(F.data(c, "grad_input"), x.grad().toArray(), 1e-5, 1e-4, what + " grad_input");
        }
    }

    @Test
    void crossEntropyGradientByFiniteDifferences() {
        IntTensor y = IntTensor.of(new int[] {2, 0, 1}, 3);
        GradCheck.check(in -> Losses.crossEntropy(in[0], y, 0.2f, Reduction.MEAN), GradCheck.leaf(1, 3, 4));
        GradCheck.check(in -> Losses.crossEntropy(in[0], y, 0f, Reduction.NONE), GradCheck.leaf(2, 3, 4));
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        Tensor logits = Tensor.fromArray(new float[] {1000f, -1000f, 0f, 1e4f}, 2, 2);
        Tensor loss = Losses.crossEntropy(logits, IntTensor.of(new int[] {0, 1}, 2), 0f, Reduction.NONE);
        assertEquals(0f, loss.toArray()[0], 1e-6f);
        assertEquals(0f, loss.toArray()[1], 1e-6f);
    }

    @Test
    void badLabelsAndShapesAreNamed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(Tensor.zeros(2, 3), IntTensor.of(new int[] {0, 3}, 2)));
        assertTrue(e.getMessage().contains("label 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(Tensor.zeros(2, 3), IntTensor.of(new int[] {0, 1, 2}, 3)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.mse(Tensor.zeros(2), Tensor.zeros(3), Reduction.MEAN));
        assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(Tensor.zeros(1, 2), IntTensor.of(new int[] {0}, 1), 1.5f, Reduction.MEAN));
    }
}
