package dev.tersor.nn.adder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** sign(x)·|x|^α: values, finite-difference gradients in x and α away from 0, and the convention at 0. */
class PowerActivationTest {

    @Test
    void startsAsTheIdentity() {
        PowerActivation act = new PowerActivation();
        assertEquals(1f, act.alpha().value().item());
        Tensor x = Tensor.randn(new Generator(1), 3, 4);
        assertArrayEquals(x.toArray(), act.call(x).toArray(), 1e-6f);
        assertEquals("PowerActivation(alpha=1.0)", act.toString());
    }

    @Test
    void valuesAreSignedPowers() {
        PowerActivation act = new PowerActivation(2f);
        Tensor y = act.call(Tensor.fromArray(new float[] {-3f, -0.5f, 0f, 0.5f, 3f}, 5));
        assertArrayEquals(new float[] {-9f, -0.25f, 0f, 0.25f, 9f}, y.toArray(), 1e-6f);
    }

    @Test
    void gradientsMatchFiniteDifferencesAwayFromZero() {
        for (float alpha : new float[] {1f, 1.7f, 0.6f}) {
            Tensor x = awayFromZero(new Generator(2), 2, 3, 4);
            Tensor a = Tensor.full(alpha, 1).requiresGrad(true);
            GradCheck.check(in -> new PowerActivation.Power().apply(in[0], in[1]), 1e-3, 2e-3, 2e-2, x, a);
        }
    }

    /** Standard normal values pushed to |x| ≥ 0.2. */
    private static Tensor awayFromZero(Generator g, int... shape) {
        float[] v = Tensor.randn(g, shape).toArray();
        for (int i = 0; i < v.length; i++) v[i] = Math.copySign(Math.abs(v[i]) + 0.2f, v[i]);
        return Tensor.fromArray(v, shape).requiresGrad(true);
    }

    @Test
    void zeroHasFiniteGradients() {
        for (float alpha : new float[] {0.5f, 1f, 2f}) {
            PowerActivation act = new PowerActivation(alpha);
            Tensor x = Tensor.fromArray(new float[] {0f, 2f}, 2).requiresGrad(true);
            act.call(x).sum().backward();
            float dx0 = x.grad().toArray()[0];
            assertEquals(alpha == 1f ? 1f : 0f, dx0, "d/dx at 0 for alpha " + alpha);
            // only x = 2 contributes to dα: 2^α·ln 2
            assertEquals(Math.pow(2, alpha) * Math.log(2), act.alpha().grad().item(), 1e-5);
        }
        assertThrows(IllegalArgumentException.class, () -> new PowerActivation(Float.NaN));
    }
}
