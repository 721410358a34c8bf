package dev.tersor.nn.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Gradients;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Cross entropy's create-graph backward: Hessian-vector products against finite differences of
 * the first-order (raw) gradient, for every option, in the logits and through the output
 * gradient (the loss times a function of the logits).
 */
class CrossEntropySecondOrderTest {
    private static final IntTensor LABELS = IntTensor.of(new int[] {0, 3, 1, -100, 2}, 5);

    private static void check(CrossEntropyOptions o) {
        IntTensor labels = o.ignoreIndex() == 1 ? IntTensor.of(new int[] {0, 3, 1, 1, 2}, 5) : LABELS;
        Tensor logits = GradCheck.leaf(41, 5, 4);
        GradCheck.secondOrder(in -> Losses.crossEntropy(in[0], labels, o), logits);
        GradCheck.secondOrder(in -> {
            Tensor loss = Losses.crossEntropy(in[0], labels, o);
            Tensor scale = o.reduction() == Reduction.NONE ? in[0].tanh().sum(1) : in[0].tanh().sum();
            return loss.mul(scale);
        }, logits);
    }

    @Test
    void everyReductionWithSmoothingWeightsAndIgnoredRows() {
        for (Reduction r : new Reduction[] {Reduction.MEAN, Reduction.SUM, Reduction.NONE}) {
            CrossEntropyOptions base = CrossEntropyOptions.defaults().withReduction(r);
            check(base);
            check(base.withLabelSmoothing(0.2f));
            check(base.withClassWeights(0.5f, 2f, 1f, 0.25f).withLabelSmoothing(0.1f));
            check(base.withIgnoreIndex(1).withClassWeights(0.5f, 2f, 1f, 0.25f));
        }
    }

    @Test
    void theCreateGraphGradientEqualsTheRawOne() {
        CrossEntropyOptions o = CrossEntropyOptions.defaults().withLabelSmoothing(0.3f).withClassWeights(1f, 3f, 0.5f, 2f);
        Tensor logits = GradCheck.leaf(42, 5, 4);
        float[] raw = Gradients.of(Losses.crossEntropy(logits, LABELS, o), logits)[0].toArray();
        float[] graph = Gradients.withGraph(Losses.crossEntropy(logits, LABELS, o), logits)[0].toArray();
        assertArrayEquals(raw, graph, 1e-6f);
    }
}
