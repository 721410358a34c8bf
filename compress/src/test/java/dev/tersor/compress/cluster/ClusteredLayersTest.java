package dev.tersor.compress.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Flatten;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.ReLU;
import dev.tersor.nn.Rng;
import dev.tersor.nn.Sequential;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Shared-centroid layers: the gather's values and gradients, equivalence to float layers, state dicts, and Clustering.apply. */
class ClusteredLayersTest {

    /** centres (1, 2, 3), indices [[2, 0, 0], [1, 2, 2]]: w = [[3, 1, 1], [2, 3, 3]]; grad g = 1..6 → (2+3, 4, 1+5+6). */
    @Test
    void gatherByHand() {
        Tensor c = Tensor.fromArray(new float[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor w = new CentroidGather(new int[] {2, 0, 0, 1, 2, 2}, 3, 2, 3).apply(c);
        assertArrayEquals(new int[] {2, 3}, w.shape());
        assertArrayEquals(new float[] {3, 1, 1, 2, 3, 3}, w.toArray());
        w.backward(Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        assertArrayEquals(new float[] {5, 4, 12}, c.grad().toArray());
    }

    @Test
    void gatherGradientMatchesFiniteDifferences() {
        Generator g = new Generator(4);
        int[] idx = new int[24];
        for (int i = 0; i < idx.length; i++) idx[i] = g.nextInt(5);
        CentroidGather gather = new CentroidGather(idx, 5, 2, 3, 2, 2);
        Tensor c = GradCheck.leaf(1, 5), x = GradCheck.leaf(2, 2, 3, 5, 5);
        GradCheck.check(in -> Functional.conv2d(in[1], gather.apply(in[0]), null, Conv2dOptions.of(1, 1)).tanh(), c, x);
    }

    private static Conv2d conv() {
        Rng.manualSeed(9);
        return new Conv2d(2, 3, 3, 3, Conv2dOptions.of(1, 1), true);
    }

    /** The clustered layer computes what a float layer with the clustered weights computes; gradients reach centres and bias. */
    @Test
    void clusteredConvEqualsConvWithClusteredWeightsAndTrainsCentresAndBias() {
        Conv2d conv = conv();
        Clusters c = OptimalClustering.cluster(conv.weight().value().toArray(), 4);
        ClusteredConv2d cc = ClusteredConv2d.of(conv, c, 2);
        Tensor x = Tensor.randn(new Generator(5), 2, 2, 5, 5);
        Tensor expected = Functional.conv2d(x, Tensor.fromArray(c.values(), 3, 2, 3, 3), conv.bias().value(), conv.options());
        assertArrayEquals(expected.toArray(), cc.call(x).toArray(), 1e-6f);
        assertArrayEquals(new int[] {3, 2, 3, 3}, cc.weightShape());
        assertArrayEquals(c.indices(), cc.indices());
        assertArrayEquals(c.centres(), cc.centres().value().toArray());
        assertEquals(conv.options(), cc.convOptions());
        assertEquals(4L * 4 + (54 * 2 + 7) / 8, cc.packedBytes());
        GradCheck.check(in -> cc.call(in[2]), cc.centres().value(), cc.bias().value(), x.requiresGrad(true));
    }

    @Test
    void clusteredLinearEqualsLinearWithClusteredWeights() {
        Rng.manualSeed(2);
        Linear fc = new Linear(7, 4);
        Clusters c = OptimalClustering.cluster(fc.weight().value().toArray(), 8);
        ClusteredLinear cl = ClusteredLinear.of(fc, c, 3);
        Tensor x = Tensor.randn(new Generator(6), 3, 7);
        assertArrayEquals(Functional.linear(x, Tensor.fromArray(c.values(), 4, 7), fc.bias().value()).toArray(), cl.call(x).toArray(), 1e-6f);
        assertNull(cl.convOptions());
        assertEquals(3, cl.bits());
        GradCheck.check(in -> cl.call(in[2]), cl.centres().value(), cl.bias().value(), x.requiresGrad(true));
    }

    @Test
    void stateDictRoundTripAndCorruptIndices() {
        Conv2d conv = conv();
        ClusteredConv2d a = ClusteredConv2d.of(conv, OptimalClustering.cluster(conv.weight().value().toArray(), 4), 2);
        Map<String, Tensor> sd = a.stateDict();
        assertEquals(List.of("centres", "bias", "indices"), List.copyOf(sd.keySet()));
        ClusteredConv2d b = new ClusteredConv2d(new float[] {0, 0, 0, 0}, new int[54], new int[] {3, 2, 3, 3}, Tensor.zeros(3),
                conv.options(), 2);
        b.loadStateDict(sd, true);
        assertArrayEquals(a.indices(), b.indices());
        Tensor x = Tensor.randn(new Generator(5), 1, 2, 4, 4);
        assertArrayEquals(a.call(x).toArray(), b.call(x).toArray());
        Tensor bad = sd.get("indices").copy();
        bad.setInPlace(4f, 0, 1, 2, 0);
        b.loadStateDict(Map.of("centres", sd.get("centres"), "bias", sd.get("bias"), "indices", bad), true);
        var e = assertThrows(IllegalArgumentException.class, () -> b.call(x));
        assertTrue(e.getMessage().contains("indices element 15 is 4.0, not an index in [0, 4)"), e.getMessage());
    }

    @Test
    void constructorsRejectBadSettings() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ClusteredLinear(new float[5], new int[6], new int[] {2, 3}, null, 2));
        assertTrue(e.getMessage().contains("5 centres do not fit in 2 bits"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ClusteredLinear(new float[2], new int[5], new int[] {2, 3}, null, 1));
        assertTrue(e.getMessage().contains("holds 6 weights but 5 indices"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ClusteredLinear(new float[2], new int[] {0, 1, 2, 0, 0, 0}, new int[] {2, 3}, null, 1));
        assertTrue(e.getMessage().contains("index 2 of weight 2 is outside [0, 2)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ClusteredLinear(new float[2], new int[6], new int[] {2, 3}, null, 9));
        assertTrue(e.getMessage().contains("bits must be in 1..8, got 9"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ClusteredLinear(new float[2], new int[6], new int[] {2, 3}, Tensor.zeros(3), 1));
    }

    private static Sequential small() {
        Rng.manualSeed(12);
        return new Sequential(new Conv2d(2, 3, 3, 1, 1), new ReLU(), new Flatten(), new Linear(48, 5));
    }

    @Test
    void applySwapsEveryConvAndLinearAndReportsEachLayer() {
        Module m = Zoo.create("lenet5");
        Tensor x = Tensor.randn(new Generator(1), 2, 1, 28, 28);
        Map<String, float[]> clustered = new java.util.LinkedHashMap<>();
        for (String p : List.of("conv1", "conv2", "fc1", "fc2", "fc3")) {
            float[] w = LayerPaths.weight(m.get(p)).value().toArray();
            clustered.put(p, OptimalClustering.cluster(w, 8).values());
        }
        try (var g = Tensor.noGrad()) {
            for (var e : clustered.entrySet()) LayerPaths.weight(m.get(e.getKey())).value().copyInPlace(
                    Tensor.fromArray(e.getValue(), LayerPaths.weight(m.get(e.getKey())).shape()));
        }
        Tensor expected = m.call(x);
        Module fresh = Zoo.create("lenet5");
        fresh.loadStateDict(m.stateDict(), true);
        ClusteringReport r = Clustering.apply(fresh, 3);
        assertEquals(List.of("conv1", "conv2", "fc1", "fc2", "fc3"), r.layers().stream().map(ClusteringReport.Layer::path).toList());
        assertEquals(List.of(150, 2400, 48000, 10080, 840), r.layers().stream().map(ClusteringReport.Layer::n).toList());
        for (var l : r.layers()) {
            assertEquals(8, l.k());
            assertEquals(0, l.sse(), 1e-9, "weights already on 8 centres re-cluster with no error: " + l);
        }
        assertInstanceOf(ClusteredConv2d.class, fresh.get("conv2"));
        assertInstanceOf(ClusteredLinear.class, fresh.get("fc1"));
        assertArrayEquals(expected.toArray(), fresh.call(x).toArray(), 1e-5f);
        assertEquals(4L * 61470, r.floatBytes());
        assertEquals(5 * 32 + 57 + 900 + 18000 + 3780 + 315, r.packedBytes());
        assertTrue(r.toString().contains("fc1"), r.toString());
    }

    @Test
    void applyToChosenPathsReportsTheSse() {
        Sequential m = small();
        float[] w = ((Linear) m.get("3")).weight().value().toArray();
        Clusters expected = OptimalClustering.cluster(w, 4);
        Module conv = m.get("0");
        ClusteringReport r = Clustering.apply(m, 2, List.of("3"));
        assertSame(conv, m.get("0"));
        assertInstanceOf(ClusteredLinear.class, m.get("3"));
        assertEquals(1, r.layers().size());
        assertEquals(new ClusteringReport.Layer("3", "Linear", 240, 4, 2, expected.sse()), r.layers().get(0));
        assertEquals(4L * 240, r.floatBytes());
        assertEquals(16 + 60, r.packedBytes());
    }

    @Test
    void applyRejectsBadBitsAndPathsNamingThem() {
        for (int bits : new int[] {0, 9}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Clustering.apply(small(), bits));
            assertTrue(e.getMessage().contains("bits must be in 1..8, got " + bits), e.getMessage());
        }
        Sequential m = small();
        var e = assertThrows(IllegalArgumentException.class, () -> Clustering.apply(m, 3, List.of("3", "conv9")));
        assertTrue(e.getMessage().contains("unknown layer path 'conv9'"), e.getMessage());
        assertInstanceOf(Linear.class, m.get("3"), "nothing replaced on failure");
        e = assertThrows(IllegalArgumentException.class, () -> Clustering.apply(m, 3, List.of("1")));
        assertTrue(e.getMessage().contains("layer '1' is a ReLU"), e.getMessage());
        try (var g = Tensor.noGrad()) {
            ((Linear) m.get("3")).weight().value().setInPlace(Float.NaN, 1, 2);
        }
        e = assertThrows(IllegalArgumentException.class, () -> Clustering.apply(m, 3));
        assertTrue(e.getMessage().contains("layer '3': weight 50 is NaN"), e.getMessage());
        assertInstanceOf(Conv2d.class, m.get("0"), "nothing replaced on failure");
    }
}
