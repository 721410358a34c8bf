package dev.tersor.compress.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class LsqQuantizerTest {

    private static Tensor t(float... v) {
        return Tensor.fromArray(v, v.length);
    }

    /** 4-bit weights [−8, 7]: s₀ = 2·mean|w|/√7, g = 1/√(N·7). */
    @Test
    void fourBitWeights() {
        LsqQuantizer q = LsqQuantizer.weights(4);
        Tensor w = t(0.3f, -0.6f, 0.9f, -1.2f);
        Tensor y = q.call(w);
        float s = (float) (2 * 0.75 / Math.sqrt(7));
        assertEquals(s, q.step().value().item(), 1e-6f);
        assertEquals(QParams.perTensor(q.step().value().item(), 0, -8, 7), q.qparams());
        // w/s = 0.53, −1.06, 1.59, −2.12
        assertArrayEquals(new float[] {s, -s, 2 * s, -2 * s}, y.toArray(), 1e-6f);
        assertEquals((float) (1 / Math.sqrt(4 * 7)), q.gradScale(w), 1e-7f);
    }

    /** 2-bit activations: unsigned [0, 3] after a ReLU, N = features per sample. */
    @Test
    void twoBitUnsignedActivations() {
        LsqQuantizer q = LsqQuantizer.activations(2);
        Tensor x = Tensor.fromArray(new float[] {0f, 0.5f, 1f, 3f}, 2, 2);
        Tensor y = q.call(x);
        float s = (float) (2 * 1.125 / Math.sqrt(3));
        assertEquals(s, q.step().value().item(), 1e-6f);
        assertEquals(QuantScheme.unsigned(2), q.scheme());
        // x/s = 0, 0.385, 0.770, 2.309
        assertArrayEquals(new float[] {0f, 0f, s, 2 * s}, y.toArray(), 1e-6f);
        assertEquals((float) (1 / Math.sqrt(2 * 3)), q.gradScale(x), 1e-7f);
    }

    /** 8 bits; a negative value in the first batch makes the activations signed [−128, 127]. */
    @Test
    void eightBitSignedWhenNegative() {
        LsqQuantizer q = LsqQuantizer.activations(8);
        Tensor y = q.call(Tensor.fromArray(new float[] {1f, -1f, 0.5f, 0f}, 1, 4));
        assertEquals(QuantScheme.signed(8, false), q.scheme());
        float s = (float) (2 * 0.625 / Math.sqrt(127));
        // x/s = 9.02, −9.02, 4.51, 0
        assertArrayEquals(new float[] {9 * s, -9 * s, 5 * s, 0f}, y.toArray(), 1e-6f);
    }

    /** Autograd of the module (x and s) against finite differences of LSQ's round_pass formulation. */
    @Test
    void gradientsMatchFiniteDifferences() {
        for (int bits : new int[] {2, 4}) {
            LsqQuantizer q = LsqQuantizer.weights(bits);
            int qn = 1 << (bits - 1), qp = qn - 1;
            Tensor init = t(0.2f, -0.4f, 0.3f, -0.1f);
            q.call(init);
            float s = q.step().value().item();
            float[] z = {-qn - 0.8f, -qn + 0.3f, -0.62f, 0.2f, 0.35f, qp - 0.3f, qp + 0.4f, qp + 3f};
            float[] v = new float[z.length];
            for (int i = 0; i < z.length; i++) v[i] = z[i] * s;
            Tensor x = t(v).requiresGrad(true), step = q.step().value();
            Tensor base = q.call(x).detach();
            GradCheck.check(Surrogate.autogradOf(in -> q.call(in[0]), Surrogate.lsq(x, step, q.gradScale(x), -qn, qp, base)), 1e-4, 2e-3, 2e-2, x, step);
            assertEquals(0f, x.grad().toArray()[0]);
            assertTrue(x.grad().toArray()[2] != 0f);
        }
    }

    @Test
    void stateDictKeepsTheStepAndResetReinitialises() {
        LsqQuantizer q = LsqQuantizer.activations(4);
        q.call(t(1f, 2f, 3f));
        assertEquals(List.of("step", "initialized", "signed"), List.copyOf(q.stateDict().keySet()));
        LsqQuantizer fresh = LsqQuantizer.activations(4);
        fresh.loadStateDict(q.stateDict(), true);
        assertTrue(fresh.isInitialized());
        fresh.call(t(100f, 200f));
        assertEquals(q.step().value().item(), fresh.step().value().item());   // not re-initialised
        fresh.reset();
        assertFalse(fresh.isInitialized());
        fresh.call(t(-3f, 3f));
        assertEquals(2 * 3 / Math.sqrt(7), fresh.step().value().item(), 1e-6);
        assertEquals(-8, fresh.qparams().qmin());
    }
}
