package dev.tersor.nn.norm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Rng;
import dev.tersor.nn.Sequential;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemorizedBatchNorm2dTest {
    private static final float EPS = 1e-5f;

    /** A batch [n, 3, 2, 3] with per-channel offsets that change with {@code seed}. */
    private static Tensor batch(long seed, int n) {
        Tensor offset = Tensor.fromArray(new float[] {seed, -2f * seed, 0.5f}, 1, 3, 1, 1);
        return Tensor.randn(new Generator(seed), n, 3, 2, 3).mul(1f + seed % 3).add(offset);
    }

    private static void setAffine(BatchNorm2d bn) {
        bn.weight().set(Tensor.fromArray(new float[] {1.5f, -0.5f, 2f}, 3));
        bn.bias().set(Tensor.fromArray(new float[] {0.1f, 0.2f, -0.3f}, 3));
    }

    /** BatchNorm2d runs a fused kernel and MBN the composite ops, so they agree to float rounding. */
    @Test
    void memoryOfOneIsBatchNorm2d() {
        BatchNorm2d bn = new BatchNorm2d(3);
        MemorizedBatchNorm2d mbn = new MemorizedBatchNorm2d(3, 1);
        setAffine(bn);
        setAffine(mbn);
        for (int step = 1; step <= 3; step++) {
            Tensor x1 = batch(step, 2 + step).requiresGrad(true), x2 = x1.detach().copy().requiresGrad(true);
            Tensor g = Tensor.randn(new Generator(100 + step), x1.shape());
            Tensor y1 = bn.call(x1), y2 = mbn.call(x2);
            assertArrayEquals(y1.toArray(), y2.toArray(), 1e-5f, "forward, step " + step);
            y1.backward(g);
            y2.backward(g);
            assertArrayEquals(x1.grad().toArray(), x2.grad().toArray(), 1e-5f, "input gradient, step " + step);
            assertArrayEquals(bn.weight().grad().toArray(), mbn.weight().grad().toArray(), 1e-5f);
            assertArrayEquals(bn.bias().grad().toArray(), mbn.bias().grad().toArray(), 1e-5f);
            assertArrayEquals(bn.runningMean().toArray(), mbn.runningMean().toArray(), 1e-5f);
            assertArrayEquals(bn.runningVar().toArray(), mbn.runningVar().toArray(), 1e-5f);
        }
        assertEquals(bn.stateDict().get("num_batches_tracked").item(), mbn.stateDict().get("num_batches_tracked").item());
        bn.eval();
        mbn.eval();
        Tensor x = batch(9, 2);
        assertArrayEquals(bn.call(x).toArray(), mbn.call(x).toArray(), 1e-5f);
    }

    @Test
    void firstBatchOfALargerMemoryIsBatchNormToo() {
        BatchNorm2d bn = new BatchNorm2d(3);
        MemorizedBatchNorm2d mbn = new MemorizedBatchNorm2d(3, 4);
        Tensor x = batch(1, 4);
        assertArrayEquals(bn.call(x).toArray(), mbn.call(x).toArray(), 1e-5f);
        assertEquals(1, mbn.remembered());
    }

    /** Per-channel mean and biased variance of the concatenation, in double. */
    private static double[][] pooled(Tensor... batches) {
        Tensor all = Tensor.cat(0, batches);
        double[][] out = new double[2][3];
        float[] v = all.permute(1, 0, 2, 3).contiguous().toArray();
        int per = v.length / 3;
        for (int c = 0; c < 3; c++) {
            double s = 0, q = 0;
            for (int i = 0; i < per; i++) s += v[c * per + i];
            double m = s / per;
            for (int i = 0; i < per; i++) q += (v[c * per + i] - m) * (v[c * per + i] - m);
            out[0][c] = m;
            out[1][c] = q / per;
        }
        return out;
    }

    private static void assertClose(double[] expected, Tensor actual, double tol, String what) {
        float[] a = actual.toArray();
        for (int c = 0; c < expected.length; c++) {
            assertEquals(expected[c], a[c], tol * Math.max(1, Math.abs(expected[c])), what + " channel " + c);
        }
    }

    @Test
    void statisticsPoolTheRememberedBatches() {
        MemorizedBatchNorm2d mbn = new MemorizedBatchNorm2d(3, 3);
        setAffine(mbn);
        Tensor b1 = batch(1, 2), b2 = batch(2, 3), b3 = batch(3, 4), b4 = batch(4, 2);
        mbn.call(b1);
        mbn.call(b2);
        Tensor y3 = mbn.call(b3);
        double[][] p = pooled(b1, b2, b3);
        assertClose(p[0], mbn.pooledMean(), 1e-5, "mean over b1..b3");
        assertClose(p[1], mbn.pooledVar(), 1e-4, "variance over b1..b3");
        Tensor m = Tensor.fromArray(new float[] {(float) p[0][0], (float) p[0][1], (float) p[0][2]}, 1, 3, 1, 1);
        Tensor v = Tensor.fromArray(new float[] {(float) p[1][0], (float) p[1][1], (float) p[1][2]}, 1, 3, 1, 1);
        Tensor expected = b3.sub(m).div(v.add(EPS).sqrt()).mul(mbn.weight().value().reshape(1, 3, 1, 1))
                .add(mbn.bias().value().reshape(1, 3, 1, 1));
        float[] e = expected.toArray(), a = y3.toArray();
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 1e-4f, "output " + i);

        mbn.call(b4);   // b1 falls out of the memory of 3
        double[][] q = pooled(b2, b3, b4);
        assertClose(q[0], mbn.pooledMean(), 1e-5, "mean over b2..b4");
        assertClose(q[1], mbn.pooledVar(), 1e-4, "variance over b2..b4");
        assertEquals(2, mbn.remembered());
    }

    @Test
    void decayWeighsOlderBatchesLess() {
        MemorizedBatchNorm2d mbn = new MemorizedBatchNorm2d(3, 2, 0.5f, EPS, 0.1f, true, true);
        Tensor b1 = batch(1, 4), b2 = batch(2, 2);
        mbn.call(b1);
        mbn.call(b2);
        double[][] s1 = pooled(b1), s2 = pooled(b2);
        double n1 = 4 * 6 * 0.5, n2 = 2 * 6, total = n1 + n2;
        double[] mean = new double[3], var = new double[3];
        for (int c = 0; c < 3; c++) {
            mean[c] = (n2 * s2[0][c] + n1 * s1[0][c]) / total;
            var[c] = (n2 * (s2[1][c] + Math.pow(s2[0][c] - mean[c], 2)) + n1 * (s1[1][c] + Math.pow(s1[0][c] - mean[c], 2))) / total;
        }
        assertClose(mean, mbn.pooledMean(), 1e-5, "weighted mean");
        assertClose(var, mbn.pooledVar(), 1e-4, "weighted variance");
    }

    @Test
    void runningStatisticsFollowThePooledOnes() {
        MemorizedBatchNorm2d mbn = new MemorizedBatchNorm2d(3, 2);
        Tensor b1 = batch(1, 3), b2 = batch(2, 3);
        mbn.call(b1);
        mbn.call(b2);
        double[][] s1 = pooled(b1), s12 = pooled(b1, b2);
        double n1 = 3 * 6, n12 = 6 * 6;
        double[] mean = new double[3], var = new double[3];
        for (int c = 0; c < 3; c++) {
            mean[c] = 0.9 * (0.1 * s1[0][c]) + 0.1 * s12[0][c];
            var[c] = 0.9 * (0.9 + 0.1 * s1[1][c] * n1 / (n1 - 1)) + 0.1 * s12[1][c] * n12 / (n12 - 1);
        }
        assertClose(mean, mbn.runningMean(), 1e-5, "running mean");
        assertClose(var, mbn.runningVar(), 1e-4, "running variance");
    }

    @Test
    void gradientsFlowThroughTheCurrentBatchOnly() {
        Tensor b1 = batch(1, 2), b2 = batch(2, 3);
        GradCheck.check(in -> {
            MemorizedBatchNorm2d m = new MemorizedBatchNorm2d(3, 3);
            setAffine(m);
            try (var g = Tensor.noGrad()) {
                m.call(b1);
                m.call(b2);
            }
            return m.call(in[0]);
        }, 1e-2, 5e-3, 2e-2, batch(3, 2).requiresGrad(true));

        MemorizedBatchNorm2d m = new MemorizedBatchNorm2d(3, 2);
        Tensor first = batch(4, 2).requiresGrad(true);
        m.call(first);
        Tensor second = batch(5, 2).requiresGrad(true);
        m.call(second).sum().backward();
        assertNull(first.grad(), "remembered statistics are detached");
        assertTrue(second.grad() != null);
    }

    @Test
    void evalUsesRunningStatisticsAndLeavesTheMemoryAlone() {
        MemorizedBatchNorm2d mbn = new MemorizedBatchNorm2d(3, 3);
        setAffine(mbn);
        mbn.call(batch(1, 2));
        mbn.call(batch(2, 2));
        mbn.eval();
        Tensor x = batch(3, 2);
        Tensor y = mbn.call(x);
        Tensor expected = x.sub(mbn.runningMean().reshape(1, 3, 1, 1)).div(mbn.runningVar().add(EPS).sqrt().reshape(1, 3, 1, 1))
                .mul(mbn.weight().value().reshape(1, 3, 1, 1)).add(mbn.bias().value().reshape(1, 3, 1, 1));
        float[] e = expected.toArray(), a = y.toArray();
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 1e-5f);
        assertEquals(2, mbn.remembered());
    }

    @Test
    void stateDictIsBatchNorm2ds() {
        BatchNorm2d bn = new BatchNorm2d(3);
        setAffine(bn);
        bn.call(batch(1, 2));
        MemorizedBatchNorm2d mbn = new MemorizedBatchNorm2d(3, 4);
        mbn.call(batch(2, 2));
        Map<String, Tensor> a = bn.stateDict(), b = mbn.stateDict();
        assertEquals(List.copyOf(a.keySet()), List.copyOf(b.keySet()));
        for (String k : a.keySet()) assertArrayEquals(a.get(k).shape(), b.get(k).shape(), k);
        assertTrue(mbn.loadStateDict(a, true).isClean());
        assertArrayEquals(bn.runningVar().toArray(), mbn.runningVar().toArray());
        assertTrue(mbn instanceof BatchNorm2d);
    }

    @Test
    void refreshRememberesTheBatchUnderTheUpdatedWeights() {
        Rng.manualSeed(6);
        Conv2d conv = new Conv2d(2, 3, 1);
        MemorizedBatchNorm2d mbn = new MemorizedBatchNorm2d(3, 3);
        Sequential model = new Sequential(conv, mbn);
        Tensor x0 = Tensor.randn(new Generator(7), 2, 2, 3, 3), x1 = Tensor.randn(new Generator(8), 3, 2, 3, 3);
        model.call(x0);
        model.call(x1).sum().backward();
        float[] runningBefore = mbn.runningMean().toArray();
        try (var g = Tensor.noGrad()) {
            conv.weight().value().addInPlace(conv.weight().grad(), -0.1f);   // the weight update
        }
        assertEquals(1, MemorizedBatchNorm2d.refresh(model, x1));
        Tensor after = conv.call(x1).detach();
        double[][] fresh = pooled(after);
        Tensor[] newest = mbn.rememberedStatistics().get(0);
        assertClose(fresh[0], newest[0], 1e-5, "refreshed mean");
        assertClose(fresh[1], newest[1], 1e-4, "refreshed variance");
        assertEquals(2, mbn.remembered(), "refresh replaces, not adds");
        assertArrayEquals(runningBefore, mbn.runningMean().toArray(), "refresh leaves running statistics");
        assertEquals(2f, mbn.stateDict().get("num_batches_tracked").item());

        Sgd opt = new Sgd(model.parameters(), Sgd.options(0.01).build());
        Tensor loss = MemorizedBatchNorm2d.doubleForwardStep(model, x0, y -> y.mul(y).mean(), opt);
        assertEquals(0, loss.dim());
        assertEquals(2, mbn.remembered());
        assertEquals(3f, mbn.stateDict().get("num_batches_tracked").item());
        model.eval();
        assertThrows(IllegalStateException.class, () -> MemorizedBatchNorm2d.refresh(model, x0));
    }
}
