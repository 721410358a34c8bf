package dev.tersor.search;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.loss.Losses;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Gradients;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DARTS's finite-difference ∇²_{α,w} L · v against exact double backward ({@link Gradients#withGraph}). */
class HessianVectorTest {
    /** A smooth mixed op: x [N, 4] → Σ_o softmax(α)_o · tanh(W_o x) → linear → 3 logits. */
    static final class SmoothMixed extends Module {
        final Parameter alpha;
        final List<Linear> ops = new ArrayList<>();
        final Linear head;

        SmoothMixed() {
            for (int o = 0; o < 3; o++) ops.add(register("op" + o, new Linear(4, 6)));
            head = register("head", new Linear(6, 3));
            alpha = registerParameter("alpha", Tensor.randn(Rng.global(), 3));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor w = alpha.value().softmax(0), sum = null;
            for (int o = 0; o < 3; o++) {
                Tensor y = ops.get(o).call(x).tanh().mul(w.narrow(0, o, 1));
                sum = sum == null ? y : sum.add(y);
            }
            return head.call(sum);
        }
    }

    private static double relativeError(Tensor exact, Tensor approx) {
        double diff = 0, norm = 0;
        float[] a = exact.toArray(), b = approx.toArray();
        for (int i = 0; i < a.length; i++) {
            diff += (a[i] - b[i]) * (double) (a[i] - b[i]);
            norm += a[i] * (double) a[i];
        }
        return Math.sqrt(diff / norm);
    }

    /** The exact ∇α (∇w L_train · v) by double backward. */
    private static Tensor[] exact(Module net, List<Parameter> weights, List<Parameter> arch, List<Tensor> v, Batch train) {
        Tensor[] gw = Gradients.withGraph(Losses.crossEntropy(net.call(train.inputs()), train.labels()), weights.stream().map(Parameter::value).toArray(Tensor[]::new));
        Tensor dot = Tensor.scalar(0f);
        for (int i = 0; i < gw.length; i++) dot = dot.add(gw[i].mul(v.get(i)).sum());
        return Gradients.of(dot, arch.stream().map(Parameter::value).toArray(Tensor[]::new));
    }

    @Test
    void dartsFiniteDifferenceMatchesExactDoubleBackwardOnASmoothNet() {
        Rng.manualSeed(12);
        SmoothMixed net = new SmoothMixed();
        Generator gen = new Generator(3);
        Batch train = new Batch(Tensor.randn(gen, 16, 4), IntTensor.of(new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, 16));
        Batch val = new Batch(Tensor.randn(gen, 16, 4), IntTensor.of(new int[] {2, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2}, 16));
        List<Parameter> arch = List.of(net.alpha), weights = new ArrayList<>(net.parameters());
        weights.remove(net.alpha);
        List<Tensor> v = ArchitectGradient.gradients(net, weights, Losses::crossEntropy, val);
        Tensor[] exact = exact(net, weights, arch, v, train);
        List<Tensor> fd = ArchitectGradient.hessianVector(net, weights, arch, v, train, Losses::crossEntropy, 0.01);   // DARTS's ε = 0.01 / ‖v‖
        double err = relativeError(exact[0], fd.get(0));
        assertTrue(err < 1e-2, "relative error " + err);
        assertTrue(exact[0].abs().max().item() > 1e-3, "a product worth comparing");
    }
}
