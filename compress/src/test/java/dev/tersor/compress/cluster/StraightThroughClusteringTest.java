package dev.tersor.compress.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Flatten;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.ReLU;
import dev.tersor.nn.Rng;
import dev.tersor.nn.Sequential;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Clustered training through the straight-through estimator: forwards on c(w), steps on the latent w. */
class StraightThroughClusteringTest {
    private static final Tensor X = GradCheck.leaf(5, 4, 2, 4, 4).detach();
    private static final IntTensor Y = IntTensor.of(new int[] {0, 1, 2, 3}, 4);

    private static Sequential model() {
        Rng.manualSeed(21);
        return new Sequential(new Conv2d(2, 3, 3, 1, 1), new ReLU(), new Flatten(), new Linear(48, 5));
    }

    private static Parameter weight(Sequential m, String path) {
        return LayerPaths.weight(m.get(path));
    }

    /** Each layer is set to its optimal clustering at once; a forward is that of the hand-clustered model. */
    @Test
    void attachingClustersEveryLayerOptimally() {
        Sequential m = model(), byHand = model();
        float[] w0 = weight(m, "0").value().toArray(), w3 = weight(m, "3").value().toArray();
        try (StraightThroughClustering ste = StraightThroughClustering.attach(m, 2, List.of())) {
            assertEquals(List.of("0", "3"), ste.paths());
            weight(byHand, "0").set(Tensor.fromArray(OptimalClustering.cluster(w0, 4).values(), weight(m, "0").shape()));
            weight(byHand, "3").set(Tensor.fromArray(OptimalClustering.cluster(w3, 4).values(), weight(m, "3").shape()));
            assertArrayEquals(byHand.call(X).toArray(), m.call(X).toArray(), 0f);
            assertArrayEquals(w3, ste.latent("3"), 0f, "the latent weights are the float ones until a step");
            assertEquals(4, Arrays.stream(box(weight(m, "3").value().toArray())).distinct().count());
        }
    }

    /** One plain SGD step moves the latent weights by −lr times the gradient taken at the clustered weights. */
    @Test
    void aStepAppliesTheClusteredGradientToTheLatentWeights() {
        Sequential m = model(), atClustered = model();
        float lr = 0.3f;
        float[] latent0 = weight(m, "3").value().toArray();
        StraightThroughClustering ste = StraightThroughClustering.attach(m, 1, List.of("3"));
        weight(atClustered, "3").set(weight(m, "3").value());
        Losses.crossEntropy(atClustered.call(X), Y).backward();
        float[] g = weight(atClustered, "3").grad().toArray();
        Sgd sgd = new Sgd(m.parameters(), Sgd.options(lr).build());
        sgd.zeroGrad();
        Losses.crossEntropy(m.call(X), Y).backward();
        sgd.step();
        m.eval();
        m.call(X);   // the pre-hook absorbs the step
        float[] latent1 = ste.latent("3");
        for (int i = 0; i < g.length; i++) assertEquals(latent0[i] - lr * g[i], latent1[i], 1e-6, "weight " + i);
        float[] q = weight(m, "3").value().toArray();
        assertTrue(Arrays.stream(box(q)).distinct().count() <= 2, "the layer is clustered again after the step");
        assertNotEquals(-1, Arrays.mismatch(latent1, q), "the latent weights are not the clustered ones");
        ste.close();
    }

    /** Forwards without a step in between change nothing: evaluation sees one fixed clustered model. */
    @Test
    void forwardsWithoutAStepAreIdempotent() {
        Sequential m = model();
        try (StraightThroughClustering ste = StraightThroughClustering.attach(m, 3, List.of())) {
            m.eval();
            float[] once = m.call(X).toArray(), latent = ste.latent("0");
            assertArrayEquals(once, m.call(X).toArray(), 0f);
            assertArrayEquals(latent, ste.latent("0"), 0f);
        }
    }

    /** An update re-clusters the latent weights optimally; the epoch hook reports the moves. */
    @Test
    void updateReclustersTheLatentWeights() {
        Sequential m = model();
        StraightThroughClustering ste = StraightThroughClustering.attach(m, 2, List.of());
        Sgd sgd = new Sgd(m.parameters(), Sgd.options(0.5).build());
        for (int s = 0; s < 5; s++) {
            sgd.zeroGrad();
            Losses.crossEntropy(m.call(X), Y).backward();
            sgd.step();
        }
        String line = ste.everyEpoch().starting(2, 3);
        assertTrue(line.contains("SSE") && line.contains("assignments changed"), line);
        Clusters c = OptimalClustering.cluster(ste.latent("3"), 4);
        assertArrayEquals(c.values(), weight(m, "3").value().toArray(), 0f);
        assertEquals(c.sse() + OptimalClustering.cluster(ste.latent("0"), 4).sse(), ste.update(), 1e-9);
        ste.close();
    }

    /** Closing leaves the clustered weights (so Clustering.apply is exact) and unhooks the layers. */
    @Test
    void closeLeavesClusteredWeightsAndUnhooks() {
        Sequential m = model();
        StraightThroughClustering ste = StraightThroughClustering.attach(m, 3, List.of());
        Sgd sgd = new Sgd(m.parameters(), Sgd.options(0.1).build());
        sgd.zeroGrad();
        Losses.crossEntropy(m.call(X), Y).backward();
        sgd.step();
        ste.close();
        float[] expected = m.call(X).toArray();
        assertEquals(0.0, Clustering.apply(m, 3).layers().stream().mapToDouble(ClusteringReport.Layer::sse).sum(), 0.0);
        assertArrayEquals(expected, m.call(X).toArray(), 1e-5f, "clustering the closed model changes nothing");
        Sequential n = model();
        StraightThroughClustering.attach(n, 1, List.of("3")).close();
        Parameter w = weight(n, "3");
        w.set(Tensor.full(0.25f, w.shape()));
        n.call(X);
        assertArrayEquals(Tensor.full(0.25f, w.shape()).toArray(), w.value().toArray(), 0f, "no hook after close");
        assertThrows(IllegalStateException.class, ste::update);
    }

    /** Mixed precision: each layer gets its own number of centres. */
    @Test
    void eachLayerClustersToItsOwnBits() {
        Sequential m = model();
        try (StraightThroughClustering ste = StraightThroughClustering.attach(m, java.util.Map.of("3", 1, "0", 3))) {
            assertEquals(2, Arrays.stream(box(weight(m, "3").value().toArray())).distinct().count());
            assertEquals(8, Arrays.stream(box(weight(m, "0").value().toArray())).distinct().count());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StraightThroughClustering.attach(model(), java.util.Map.of("3", 9)));
        assertTrue(e.getMessage().contains("layer '3'") && e.getMessage().contains("1..8"), e.getMessage());
    }

    @Test
    void badInputIsNamed() {
        Sequential m = model();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StraightThroughClustering.attach(m, 0, List.of())).getMessage().contains("bits"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> StraightThroughClustering.attach(m, 2, List.of("9"))).getMessage().contains("'9'"));
        Parameter w = weight(m, "3");
        float[] v = w.value().toArray();
        v[7] = Float.NaN;
        w.set(Tensor.fromArray(v, w.shape()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StraightThroughClustering.attach(m, 2, List.of()));
        assertTrue(e.getMessage().contains("layer '3'"), e.getMessage());
        float[] before = weight(m, "0").value().toArray();
        m.call(X);
        assertArrayEquals(before, weight(m, "0").value().toArray(), 0f, "a failed attach hooks nothing");
        StraightThroughClustering ok = StraightThroughClustering.attach(model(), 2, List.of());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ok.latent("fc9")).getMessage().contains("fc9"));
    }

    private static Float[] box(float[] a) {
        Float[] out = new Float[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }
}
