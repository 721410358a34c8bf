package dev.tersor.compress.prune;

import static org.junit.jupiter.api.Assertions.*;

import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The criteria against hand-computed values. */
class CriteriaTest {

    @Test
    void matrixRankOfMatricesBuiltWithAKnownRank() {
        Generator g = new Generator(2);
        for (int[] mnr : new int[][] {{5, 5, 5}, {7, 4, 2}, {4, 9, 3}, {28, 28, 1}, {14, 14, 9}, {6, 6, 0}}) {
            int m = mnr[0], n = mnr[1], r = mnr[2];
            float[] a = new float[m * n];
            for (int k = 0; k < r; k++) {   // a sum of r random outer products has rank r
                float[] u = Tensor.randn(g, m).toArray(), v = Tensor.randn(g, n).toArray();
                for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) a[i * n + j] += u[i] * v[j];
            }
            assertEquals(r, MatrixRank.of(a, 0, m, n, new double[m * n]), m + "x" + n + " rank " + r);
        }
        float[] dup = {1, 2, 3, 2, 4, 6, 1, 0, 1};   // rows 1 and 2 are parallel
        assertEquals(2, MatrixRank.of(dup, 0, 3, 3, new double[9]));
    }

    @Test
    void hrankAveragesTheRankOfTheRectifiedMaps() {
        // channel 0: a rank-1 map; channel 1: the identity (rank 3); channel 2: all negative (rank 0 after ReLU)
        float[] v = new float[2 * 3 * 9];
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < 9; i++) v[(s * 3) * 9 + i] = (i / 3 + 1) * (i % 3 + 1);
            for (int i = 0; i < 3; i++) v[(s * 3 + 1) * 9 + i * 4] = 1 + s;
            for (int i = 0; i < 9; i++) v[(s * 3 + 2) * 9 + i] = -1 - i;
        }
        double[] acc = new double[3];
        HRank.accumulate(Tensor.fromArray(v, 2, 3, 3, 3), acc);
        assertArrayEquals(new double[] {2, 6, 0}, acc);
    }

    /** conv → bn, then a linear head: conv's channels are one family. */
    static final class ConvBn extends Module {
        ConvBn() {
            register("conv", new Conv2d(1, 3, 1, 1, 0, false));
            register("bn", new BatchNorm2d(3));
            register("fc", new dev.tersor.nn.Linear(3, 2));
        }

        @Override
        public Tensor forward(Tensor x) {
            return child("fc").call(child("bn").call(child("conv").call(x)).relu().mean(new int[] {2, 3}, false));
        }
    }

    @Test
    void filterNormsAndBatchNormScalesRankChannels() {
        ConvBn m = new ConvBn();
        try (var g = Tensor.noGrad()) {
            ((Conv2d) m.get("conv")).weight().value().copyInPlace(Tensor.fromArray(new float[] {-3, 1, 2}, 3, 1, 1, 1));
            ((BatchNorm2d) m.get("bn")).weight().value().copyInPlace(Tensor.fromArray(new float[] {0.5f, -2, 1}, 3));
        }
        ChannelGraph graph = ChannelTrace.trace(m, Tensor.zeros(1, 1, 2, 2));
        int[] ids = {graph.groupOf("conv", 0), graph.groupOf("conv", 1), graph.groupOf("conv", 2)};
        double[] l1 = Criteria.l1().scores(m, graph), slim = Criteria.slimming().scores(m, graph);
        // normalised by the layer's mean: |w| = 3, 1, 2 (mean 2); |γ| = 0.5, 2, 1 (mean 7/6)
        assertArrayEquals(new double[] {1.5, 0.5, 1.0}, new double[] {l1[ids[0]], l1[ids[1]], l1[ids[2]]}, 1e-12);
        assertArrayEquals(new double[] {0.5 * 6 / 7, 2 * 6.0 / 7, 6.0 / 7}, new double[] {slim[ids[0]], slim[ids[1]], slim[ids[2]]}, 1e-6);
        var removed = Allocator.choose(graph, l1, PruningTarget.channels(0.34));
        assertEquals(java.util.Set.of(ids[1]), removed);
    }

    @Test
    void slimmingPenaltyIsLambdaTimesTheL1OfTheScales() {
        ConvBn m = new ConvBn();
        Parameter gamma = ((BatchNorm2d) m.get("bn")).weight();
        try (var g = Tensor.noGrad()) {
            gamma.value().copyInPlace(Tensor.fromArray(new float[] {0.5f, -2, 1}, 3));
        }
        SlimmingPenalty p = new SlimmingPenalty(m, 1e-2);
        Tensor loss = p.penalty();
        assertEquals(0.035f, loss.item(), 1e-7f);
        loss.backward();
        assertArrayEquals(new float[] {0.01f, -0.01f, 0.01f}, gamma.grad().toArray(), 1e-9f);
        assertThrows(IllegalArgumentException.class, () -> new SlimmingPenalty(m, -1));
        assertThrows(IllegalArgumentException.class, () -> new SlimmingPenalty(new dev.tersor.nn.Linear(2, 2), 1e-4));
    }
}
