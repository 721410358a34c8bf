package dev.tersor.compress.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Module;
import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class PamsQuantizerTest {

    private static Tensor t(float... v) {
        return Tensor.fromArray(v, v.length);
    }

    /** EMA phase: α follows the mean over samples of max|x|; the first batch sets it; evaluation does not track. */
    @Test
    void emaOfPerSampleMaxima() {
        PamsQuantizer q = new PamsQuantizer(4, 0.9f);
        q.train();
        q.call(Tensor.fromArray(new float[] {1f, -2f, 0.5f, 0.5f, 0.25f, -0.75f}, 2, 3));   // maxima 2, 0.75
        assertEquals(1.375f, q.maxVal());
        assertEquals(1.375f, q.alpha().value().item());
        Tensor x2 = Tensor.fromArray(new float[] {-3f, 0f, 1f, 1f}, 2, 2).requiresGrad(true);        // maxima 3, 1
        Tensor y = q.call(x2);
        float alpha = 0.1f * 2f + 0.9f * 1.375f;
        assertEquals(alpha, q.maxVal(), 1e-6f);
        assertEquals(alpha, q.alpha().value().item(), 1e-6f);
        float s = q.qparams().scale(0);
        assertEquals(7, Math.round(q.alpha().value().item() / s));
        assertEquals(-7 * s, y.toArray()[0]);                                                      // clamped to −α
        y.sum().backward();
        assertNull(q.alpha().grad());                                                              // α is set, not learned
        q.eval();
        q.call(t(50f));
        assertEquals(alpha, q.maxVal(), 1e-6f);
        assertEquals(List.of("alpha", "max_val", "num_batches_tracked", "learning"), List.copyOf(q.stateDict().keySet()));
    }

    /** Learning phase, 2 bits [−1, 1], α = 1: ∂y/∂α = rint(x·q/α)/q − x/α inside, ±1 outside (edges included). */
    @Test
    void learnedBoundAtKinks() {
        PamsQuantizer q = new PamsQuantizer(2, PamsQuantizer.DEFAULT_DECAY);
        q.startLearning();
        FakeQuantizer.setScalar(q.alpha().value(), 1f);
        Tensor x = t(-1.5f, -1f, -0.5f, 0.3f, 0.6f, 1f, 2f).requiresGrad(true);
        Tensor y = q.call(x);
        assertArrayEquals(new float[] {-1f, -1f, 0f, 0f, 1f, 1f, 1f}, y.toArray());
        y.backward(t(1, 2, 3, 4, 5, 6, 7));
        assertArrayEquals(new float[] {0, 0, 3, 4, 5, 0, 0}, x.grad().toArray());
        assertEquals(-1 - 2 + 0.5 * 3 - 0.3 * 4 + 0.4 * 5 + 6 + 7, q.alpha().grad().item(), 1e-5);
    }

    @Test
    void fourAndEightBitGoldens() {
        PamsQuantizer q4 = new PamsQuantizer(4, 0f);
        q4.startLearning();
        FakeQuantizer.setScalar(q4.alpha().value(), 1.4f);
        float s = q4.qparams().scale(0);
        assertEquals(0.2f, s, 1e-7f);
        // z = 2.25, −3.4, 8 → clamp 7, −10 → −7
        assertArrayEquals(new float[] {2 * s, -3 * s, 7 * s, -7 * s}, q4.call(t(0.45f, -0.68f, 1.6f, -2f)).toArray());
        PamsQuantizer q8 = new PamsQuantizer(8, 0f);
        q8.startLearning();
        FakeQuantizer.setScalar(q8.alpha().value(), 1.27f);
        float s8 = q8.qparams().scale(0);
        assertEquals(0.01f, s8, 1e-8f);
        assertArrayEquals(new float[] {50 * s8, -127 * s8, 12 * s8}, q8.call(t(0.5f, -2f, 0.123f)).toArray());
    }

    /** Autograd (x and α) against finite differences of the official pams_quant_act with round frozen. */
    @Test
    void gradientsMatchTheOfficialFormulation() {
        PamsQuantizer q = new PamsQuantizer(4, 0f);
        q.startLearning();
        FakeQuantizer.setScalar(q.alpha().value(), 1.3f);
        Tensor x = t(-2.1f, -1.1f, -0.47f, 0.03f, 0.52f, 0.9f, 1.21f, 1.7f).requiresGrad(true), alpha = q.alpha().value();
        Tensor base = q.call(x).detach();
        GradCheck.check(Surrogate.autogradOf(in -> q.call(in[0]), Surrogate.pams(x, alpha, 7, base)), x, alpha);
    }

    /** The trainer hook ends the EMA phase at the start of epoch 2 for every PAMS quantizer. */
    @Test
    void epochHookSwitchesToLearning() {
        PamsQuantizer a = new PamsQuantizer(4, 0.9f);
        Module m = new Module() {
            {
                register("a", a);
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        };
        var hook = Quantization.epochStart(m, 1);
        assertNull(hook.starting(1, 3));
        assertFalse(a.isLearning());
        assertEquals("PAMS: learning the clip of 1 quantizers", hook.starting(2, 3));
        assertTrue(a.isLearning());
        assertNull(hook.starting(3, 3));
        assertEquals(List.of(a.alpha()), Quantization.quantizerParameters(m));
    }
}
