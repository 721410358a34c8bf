package dev.tersor.compress.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class UniformFakeQuantizerTest {

    private static Tensor t(float... v) {
        return Tensor.fromArray(v, v.length);
    }

    /** torch.ao's moving average: the first batch sets the range, the next moves it by 1%; evaluation freezes it. */
    @Test
    void movingAverageInTrainingFrozenInEval() {
        UniformFakeQuantizer q = UniformFakeQuantizer.activations(8);
        assertFalse(q.isInitialized());
        q.train();
        q.call(t(-1f, 0f, 3f));
        Tensor x2 = t(-2f, 5f, 0.7f);
        Tensor y2 = q.call(x2);
        float[][] r = q.ranges();
        assertEquals(-1f + 0.01f * (-2f + 1f), r[0][0], 1e-7f);
        assertEquals(3f + 0.01f * (5f - 3f), r[1][0], 1e-7f);
        QParams p = QuantScheme.affine(8).qparams(r[0][0], r[1][0]);
        assertEquals(p, q.qparams());
        assertArrayEquals(new float[] {p.dequantize(0, 0), p.dequantize(255, 0), p.dequantize(p.quantize(0.7f, 0), 0)}, y2.toArray());
        q.eval();
        q.call(t(-100f, 100f));
        assertArrayEquals(r[1], q.ranges()[1]);
    }

    @Test
    void minMaxKeepsTheExtremes() {
        UniformFakeQuantizer q = new UniformFakeQuantizer(QuantScheme.affine(4), UniformFakeQuantizer.Range.MIN_MAX, 1f, 1);
        q.call(t(-1f, 3f));
        q.call(t(-2f, 1f));
        q.call(t(0f, 0.5f));
        assertArrayEquals(new float[] {-2f}, q.ranges()[0]);
        assertArrayEquals(new float[] {3f}, q.ranges()[1]);
        assertEquals(1f / 3f, q.qparams().scale(0), 1e-7f);   // (3 − (−2)) / 15
        assertEquals(6, q.qparams().zeroPoint(0));            // −rint(−2 / (1/3))
    }

    /** Max-symmetric weights (PAMS, PACT): scale max|w| / (2^(b−1) − 1), at 2 and 4 bits. */
    @Test
    void maxSymmetricGoldens() {
        Tensor w = t(0.4f, -0.1f, 0.25f, 0.8f);
        // 2 bits [−1, 1], s = 0.8: z = 0.5 (tie → 0), −0.125, 0.3125, 1
        assertArrayEquals(new float[] {0f, 0f, 0f, 0.8f}, UniformFakeQuantizer.maxSymmetric(2).call(w).toArray());
        // 4 bits [−7, 7], s = 0.8/7: z = 3.5 → 4, −0.875 → −1, 2.1875 → 2, 7
        UniformFakeQuantizer q4 = UniformFakeQuantizer.maxSymmetric(4);
        Tensor y = q4.call(w);
        float s = q4.qparams().scale(0);
        assertEquals(0.8f / 7, s, 1e-8f);
        assertArrayEquals(new float[] {4 * s, -s, 2 * s, 7 * s}, y.toArray());
        q4.eval();
        q4.call(t(2f));                                          // CURRENT follows every tensor, also in evaluation
        assertEquals(2f / 7, q4.qparams().scale(0), 1e-7f);
    }

    /** 8-bit per-channel int8 weights: each row's max/127.5 (torch.ao's per_channel_symmetric). */
    @Test
    void perChannelEightBitWeights() {
        UniformFakeQuantizer q = UniformFakeQuantizer.weights(8, 2, true);
        Tensor w = Tensor.fromArray(new float[] {1f, -0.3f, 0.1f, 0.05f}, 2, 2);
        Tensor y = q.call(w);
        QParams p = q.qparams();
        assertEquals(1f / 127.5f, p.scale(0), 1e-9f);
        assertEquals(0.1f / 127.5f, p.scale(1), 1e-10f);
        // row 0: 127.5 → 127 (clamped), −38.25 → −38; row 1: 127.5 → 127, 63.75 → 64
        assertArrayEquals(new float[] {127 * p.scale(0), -38 * p.scale(0), 127 * p.scale(1), 64 * p.scale(1)}, y.toArray());
        assertThrows(IllegalArgumentException.class, () -> q.call(Tensor.zeros(3, 2)));
    }

    @Test
    void rangesLiveInTheStateDict() {
        UniformFakeQuantizer q = UniformFakeQuantizer.weights(4, 3, true);
        q.call(Tensor.fromArray(new float[] {1f, -2f, 0.5f, 0.25f, 3f, -3f}, 3, 2));
        assertEquals(List.of("min_val", "max_val"), List.copyOf(q.stateDict().keySet()));
        UniformFakeQuantizer fresh = UniformFakeQuantizer.weights(4, 3, true);
        fresh.loadStateDict(q.stateDict(), true);
        assertEquals(q.qparams(), fresh.qparams());
        fresh.reset();
        assertFalse(fresh.isInitialized());
    }

    /** The x gradient is torch's rounded window: the derivative of the surrogate clamped to [qmin − zp − ½, qmax − zp + ½]. */
    @Test
    void straightThroughGradientMatchesFiniteDifferences() {
        UniformFakeQuantizer q = UniformFakeQuantizer.activations(4);
        q.call(t(-1f, 2f));                      // scale 0.2, zero point 5
        q.eval();
        QParams p = q.qparams();
        float s = p.scale(0);
        int zp = p.zeroPoint(0);
        Tensor x = t(-1.9f, -1.05f, -0.33f, 0.07f, 1.24f, 1.95f, 2.2f, 3f).requiresGrad(true);
        Tensor base = q.call(x).detach();
        Tensor step = t(s);
        var smooth = Surrogate.lsq(x, step, 1f, p.qmin() - zp - 0.5f, p.qmax() - zp + 0.5f, base);
        GradCheck.check(Surrogate.autogradOf(in -> q.call(in[0]), in -> smooth.apply(new Tensor[] {in[0], step})), x);
        x.zeroGrad();
        q.call(x).sum().backward();
        assertArrayEquals(new float[] {0, 1, 1, 1, 1, 1, 0, 0}, x.grad().toArray());
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new UniformFakeQuantizer(QuantScheme.affine(8), UniformFakeQuantizer.Range.MIN_MAX, 0f, 1));
        assertThrows(IllegalArgumentException.class, () -> new UniformFakeQuantizer(QuantScheme.affine(8), UniformFakeQuantizer.Range.MIN_MAX, 1f, 4));
        assertThrows(IllegalStateException.class, () -> UniformFakeQuantizer.activations(8).qparams());
        assertThrows(IllegalArgumentException.class, () -> UniformFakeQuantizer.activations(8).call(t(Float.NaN)));
    }
}
