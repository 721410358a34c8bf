package dev.tersor.compress.prune;

import static org.junit.jupiter.api.Assertions.*;

import dev.tersor.nn.Linear;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.Batch;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SCOP's mixing, its knockoff source, and its ranking on a model where one channel is useless. */
class ScopTest {

    @Test
    void mixIsBetaRealPlusOneMinusBetaKnockoffAndKeepsTheKnockoffs() {
        Tensor x = Tensor.fromArray(new float[] {1, 2, 10, 20}, 2, 2, 1, 1);   // real [1, 2], knockoff [10, 20]
        Tensor beta = Tensor.fromArray(new float[] {0.25f, 1f}, 2).requiresGrad(true);
        Tensor y = Scop.mix(x, beta);
        assertArrayEquals(new float[] {0.25f * 1 + 0.75f * 10, 2, 10, 20}, y.toArray(), 1e-6f);
        y.sum().backward();
        assertArrayEquals(new float[] {1 - 10, 2 - 20}, beta.grad().toArray(), 1e-6f);   // d/dβ = real − knockoff
    }

    @Test
    void knockoffsHaveTheDataMeanAndCovariance() {
        Generator g = new Generator(3);
        int n = 4000;
        float[] v = new float[n * 2];
        float[] z = Tensor.randn(g, n, 2).toArray();
        for (int i = 0; i < n; i++) {   // x0 = 1 + z0, x1 = -2 + 0.5 z0 + 0.5 z1: var 1, 0.5; cov 0.5
            v[2 * i] = 1 + z[2 * i];
            v[2 * i + 1] = -2 + 0.5f * z[2 * i] + 0.5f * z[2 * i + 1];
        }
        GaussianKnockoffs k = GaussianKnockoffs.fit(Tensor.fromArray(v, n, 2, 1, 1));
        assertArrayEquals(new double[] {1, -2}, k.mean(), 0.06);
        assertEquals(1.0, k.covariance(0, 0), 0.08);
        assertEquals(0.5, k.covariance(1, 1), 0.05);
        assertEquals(0.5, k.covariance(0, 1), 0.05);
        Tensor s = k.sample(n, new Generator(4));
        assertArrayEquals(new int[] {n, 2, 1, 1}, s.shape());
        GaussianKnockoffs again = GaussianKnockoffs.fit(s);
        assertEquals(k.covariance(0, 1), again.covariance(0, 1), 0.06);
        assertThrows(IllegalArgumentException.class, () -> GaussianKnockoffs.fit(Tensor.zeros(1, 2)));
        assertThrows(IllegalArgumentException.class, () -> GaussianKnockoffs.fit(Tensor.zeros(2, 1, 65, 65)));
    }

    @Test
    void aChannelTheClassifierIgnoresScoresLowest() {
        Rng.manualSeed(5);
        CriteriaTest.ConvBn m = new CriteriaTest.ConvBn();
        try (var ng = Tensor.noGrad()) {   // channel 1 does not reach the classifier
            float[] w = ((Linear) m.get("fc")).weight().value().toArray();
            w[1] = 0;
            w[4] = 0;
            ((Linear) m.get("fc")).weight().value().copyInPlace(Tensor.fromArray(w, 2, 3));
        }
        Generator g = new Generator(6);
        List<Batch> batches = new ArrayList<>();
        List<Tensor> all = new ArrayList<>();
        for (int b = 0; b < 8; b++) {   // class = sign of the image mean
            Tensor x = Tensor.randn(g, 32, 1, 2, 2);
            float[] v = x.toArray();
            int[] labels = new int[32];
            for (int i = 0; i < 32; i++) {
                float s = v[4 * i] + v[4 * i + 1] + v[4 * i + 2] + v[4 * i + 3];
                labels[i] = s > 0 ? 1 : 0;
            }
            batches.add(new Batch(x, IntTensor.of(labels, 32)));
            all.add(x);
        }
        GaussianKnockoffs k = GaussianKnockoffs.fit(Tensor.cat(0, all.toArray(new Tensor[0])));
        ChannelGraph graph = ChannelTrace.trace(m, Tensor.zeros(1, 1, 2, 2));
        float[] before = m.stateDict().get("bn.running_mean").toArray();
        double[] s = new Scop(batches, k, 3, 0.05, 7, null).scores(m, graph);
        int c0 = graph.groupOf("conv", 0), c1 = graph.groupOf("conv", 1), c2 = graph.groupOf("conv", 2);
        assertEquals(0.0, s[c1], 1e-9, "an ignored channel keeps beta = 0.5, score 0");
        assertTrue(s[c0] != 0 && s[c2] != 0);
        assertArrayEquals(before, m.stateDict().get("bn.running_mean").toArray(), "running statistics restored");
        assertTrue(m.parameters().stream().allMatch(p -> p.requiresGrad()), "parameters trainable again");
    }
}
