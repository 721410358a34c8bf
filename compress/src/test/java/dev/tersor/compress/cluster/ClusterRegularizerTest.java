package dev.tersor.compress.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Flatten;
import dev.tersor.nn.Linear;
import dev.tersor.nn.ReLU;
import dev.tersor.nn.Rng;
import dev.tersor.nn.Sequential;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The clustering-friendly penalty: its value, its gradient (by hand and by finite differences), its hooks. */
class ClusterRegularizerTest {

    private static Sequential model() {
        Rng.manualSeed(12);
        return new Sequential(new Conv2d(2, 3, 3, 1, 1), new ReLU(), new Flatten(), new Linear(48, 5));
    }

    @Test
    void penaltyIsLambdaTimesTheOptimalSseWithGradientTwoLambdaWMinusC() {
        Sequential m = model();
        ClusterRegularizer reg = new ClusterRegularizer(m, 2, 0.5, List.of());
        assertEquals(List.of("0", "3"), reg.paths());
        Tensor w0 = ((Conv2d) m.get("0")).weight().value(), w3 = ((Linear) m.get("3")).weight().value();
        Clusters c0 = OptimalClustering.cluster(w0.toArray(), 4), c3 = OptimalClustering.cluster(w3.toArray(), 4);
        assertEquals(c0.sse() + c3.sse(), reg.update(), 1e-9);
        Tensor p = reg.penalty();
        assertEquals(0.5 * (c0.sse() + c3.sse()), p.item(), 1e-6);
        p.backward();
        float[] w = w3.toArray(), c = c3.values(), grad = w3.grad().toArray();
        for (int i = 0; i < w.length; i++) assertEquals(2 * 0.5 * (w[i] - c[i]), grad[i], 1e-6, "weight " + i);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        Sequential m = model();
        ClusterRegularizer reg = new ClusterRegularizer(m, 3, 2.0, List.of("0", "3"));
        reg.update();
        GradCheck.check(in -> reg.penalty(), ((Conv2d) m.get("0")).weight().value(), ((Linear) m.get("3")).weight().value());
    }

    /** Targets stay put between updates; an update re-clusters the moved weights. */
    @Test
    void targetsMoveOnlyOnUpdate() {
        Sequential m = model();
        ClusterRegularizer reg = new ClusterRegularizer(m, 1, 1.0, List.of("3"));
        Tensor w = ((Linear) m.get("3")).weight().value();
        float before = reg.penalty().item();
        try (var g = Tensor.noGrad()) {
            w.mulInPlace(2f);
        }
        Clusters doubled = OptimalClustering.cluster(w.toArray(), 2);
        assertTrue(reg.penalty().item() > 2 * before, "with the old targets the doubled weights sit far from them");
        String line = reg.everyEpoch().starting(2, 5);
        assertTrue(line.contains("1 bits") && line.contains("SSE"), line);
        assertEquals(doubled.sse(), reg.penalty().item(), 1e-5 * doubled.sse());
        assertEquals(4 * before, reg.penalty().item(), 1e-4 * before, "doubling every weight quadruples the optimal SSE");
    }

    @Test
    void addToAddsThePenaltyAndTrainingShrinksTheSse() {
        Sequential m = model();
        ClusterRegularizer reg = new ClusterRegularizer(m, 2, 0.1, List.of());
        Tensor x = GradCheck.leaf(3, 4, 2, 4, 4).detach();
        IntTensor y = IntTensor.of(new int[] {0, 1, 2, 3}, 4);
        float ce = Losses.crossEntropy(m.call(x), y).item();
        float total = reg.addTo(Losses::crossEntropy).apply(m.call(x), y).item();
        assertEquals(ce + reg.penalty().item(), total, 1e-5);
        double sse = reg.update();
        Sgd sgd = new Sgd(m.parameters(), Sgd.options(0.5).build());
        for (int step = 0; step < 20; step++) {
            sgd.zeroGrad();
            reg.penalty().backward();
            sgd.step();
        }
        // each step moves w a fraction 2·λ·lr = 0.1 of the way to its target: (0.9^20)² of the SSE is left
        assertEquals(sse * Math.pow(0.81, 20), reg.update(), 1e-3 * sse * Math.pow(0.81, 20));
    }

    /** λ grows geometrically: 1e-3, 1e-2, 1e-1 over three epochs, then stays; the penalty uses the epoch's λ. */
    @Test
    void annealingGrowsLambdaGeometricallyAndThePenaltyFollows() {
        Sequential m = model();
        ClusterRegularizer reg = new ClusterRegularizer(m, 2, 1e-3, List.of()).annealTo(1e-1, 3);
        assertEquals(1e-3, reg.lambdaAt(1), 1e-15);
        assertEquals(1e-2, reg.lambdaAt(2), 1e-12);
        assertEquals(1e-1, reg.lambdaAt(3), 1e-12);
        assertEquals(1e-1, reg.lambdaAt(7), 1e-12, "after the schedule λ stays at its final value");
        double sse = reg.update();
        assertEquals(1e-3 * sse, reg.penalty().item(), 1e-6 * sse);
        String line = reg.everyEpoch().starting(2, 3);
        assertTrue(line.contains("lambda 0.01000"), line);
        assertEquals(1e-2, reg.lambda(), 1e-12);
        assertEquals(1e-2 * sse, reg.penalty().item(), 1e-5 * sse);
        ClusterRegularizer constant = new ClusterRegularizer(m, 2, 5e-3, List.of());
        assertEquals(5e-3, constant.lambdaAt(1), 0);
        assertEquals(5e-3, constant.lambdaAt(10), 0);
        assertEquals(0.2, new ClusterRegularizer(m, 2, 1e-3, List.of()).annealTo(0.2, 1).lambdaAt(1), 1e-12);
        var e = assertThrows(IllegalArgumentException.class, () -> new ClusterRegularizer(m, 2, 0, List.of()).annealTo(1e-2, 3));
        assertTrue(e.getMessage().contains("starting lambda > 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ClusterRegularizer(m, 2, 1e-3, List.of()).annealTo(Double.NaN, 3));
        assertTrue(e.getMessage().contains("final lambda must be finite and > 0, got NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ClusterRegularizer(m, 2, 1e-3, List.of()).annealTo(1e-2, 0));
        assertTrue(e.getMessage().contains("epochs >= 1, got 0"), e.getMessage());
    }

    @Test
    void rejectsBadSettings() {
        Sequential m = model();
        for (double lambda : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new ClusterRegularizer(m, 3, lambda, List.of()));
            assertTrue(e.getMessage().contains("lambda must be finite and >= 0"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new ClusterRegularizer(m, 0, 1, List.of()));
        assertTrue(e.getMessage().contains("bits must be in 1..8, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ClusterRegularizer(m, 3, 1, List.of("fc9")));
        assertTrue(e.getMessage().contains("unknown layer path 'fc9'"), e.getMessage());
        assertArrayEquals(new String[] {"0", "3"}, new ClusterRegularizer(m, 3, 1, null).paths().toArray());
    }
}
