package dev.tersor.compress.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tersor.nn.Module;
import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PactQuantizerTest {

    private static Tensor t(float... v) {
        return Tensor.fromArray(v, v.length);
    }

    /** 2 bits, α = 1.5, scale 0.5: the gradient to α is 1[x ≥ α] (x = α exactly included), to x 1 on (0, α). */
    @Test
    void twoBitGoldensAtKinks() {
        PactQuantizer q = new PactQuantizer(2, 1.5f);
        assertEquals(QParams.perTensor(0.5f, 0, 0, 3), q.qparams());
        Tensor x = t(-0.5f, 0f, 0.4f, 0.75f, 1.49f, 1.5f, 2f).requiresGrad(true);
        Tensor y = q.call(x);
        // z = −1, 0, 0.8, 1.5 (tie → 2), 2.98, 3, 4 → clamp to [0, 3]
        assertArrayEquals(new float[] {0f, 0f, 0.5f, 1f, 1.5f, 1.5f, 1.5f}, y.toArray());
        y.backward(t(1, 2, 4, 8, 16, 32, 64));
        assertArrayEquals(new float[] {0, 0, 4, 8, 16, 0, 0}, x.grad().toArray());
        assertEquals(32 + 64, q.alpha().grad().item(), 1e-4f);
    }

    @Test
    void fourAndEightBitGoldens() {
        PactQuantizer q4 = new PactQuantizer(4, 3f);
        float s = q4.qparams().scale(0);
        assertEquals(0.2f, s, 1e-7f);
        // z = −5, 2.25, 5.65, 14.75, 17.5
        assertArrayEquals(new float[] {0f, 2 * s, 6 * s, 15 * s, 15 * s}, q4.call(t(-1f, 0.45f, 1.13f, 2.95f, 3.5f)).toArray());
        PactQuantizer q8 = new PactQuantizer(8, 2.55f);
        float s8 = q8.qparams().scale(0);
        assertEquals(0.01f, s8, 1e-8f);
        assertArrayEquals(new float[] {12 * s8, 100 * s8, 255 * s8}, q8.call(t(0.123f, 1f, 3f)).toArray());
    }

    /** Autograd (x and α) against finite differences of clamp(x, 0, α) with the rounding frozen. */
    @Test
    void gradientsMatchFiniteDifferences() {
        PactQuantizer q = new PactQuantizer(4, 2f);
        Tensor x = t(-0.7f, 0.13f, 0.61f, 1.07f, 1.77f, 2.3f, 3.1f).requiresGrad(true), alpha = q.alpha().value();
        Tensor base = q.call(x).detach();
        GradCheck.check(Surrogate.autogradOf(in -> q.call(in[0]), Surrogate.pact(x, alpha, base)), x, alpha);
    }

    /** λ·Σα² over the model and its gradient 2λα. */
    @Test
    void penaltyOverAModel() {
        PactQuantizer a = new PactQuantizer(4, 2f), b = new PactQuantizer(4, 3f);
        Module m = new Module() {
            {
                register("a", a);
                register("b", b);
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        };
        Tensor p = Quantization.pactPenalty(m, 0.01f);
        assertEquals(0.01f * (4 + 9), p.item(), 1e-6f);
        p.backward();
        assertEquals(0.04f, a.alpha().grad().item(), 1e-6f);
        assertEquals(0.06f, b.alpha().grad().item(), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> new PactQuantizer(4, 0f));
        assertThrows(IllegalArgumentException.class, () -> new PactQuantizer(9, 1f));
    }
}
