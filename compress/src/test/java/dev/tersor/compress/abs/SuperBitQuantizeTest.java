package dev.tersor.compress.abs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The super-bit op: hand-computed values and straight-through gradients (the op is piecewise
 * constant in x and α, so those are goldens, kinks included), finite differences for the gates
 * (the op is multilinear in them), and the binary gate.
 */
class SuperBitQuantizeTest {
    private static final NestedGrid SIGNED_2_4 = new NestedGrid(List.of(2, 4), true);       // M = 1, 7

    private static Tensor op(NestedGrid g, Tensor x, Tensor a, Tensor c, Tensor gates) {
        return SuperBitQuantize.apply(g, x, a, c, gates);
    }

    @Test
    void handComputedValuesOnTheSigned2And4BitGrids() {
        // α = 2: x = 0.9 → ū = 0.45: q_2 = ⌊0.95⌋ = 0, δ_4 = ⌊3.15 + 0.5⌋ = 3 → q_4 = 3 → 6/7
        // x = −1.5 → ū = −0.75: q_2 = ⌊−0.25⌋ = −1, δ_4 = ⌊−5.25 + 7 + 0.5⌋ = 2 → q_4 = −5 → −10/7
        // x = 3 → ū = 1 (clipped): q_2 = 1, δ_4 = 0 → 2;   x = 1 → ū = 0.5: a tie, half up: q_2 = 1, δ_4 = ⌊3.5 − 7 + 0.5⌋ = −3 → q_4 = 4
        Tensor x = Tensor.fromArray(new float[] {0.9f, -1.5f, 3f, 1f}, 4);
        Tensor a = Tensor.fromArray(new float[] {2f}, 1);
        assertArrayEquals(new float[] {6f / 7, -10f / 7, 2f, 8f / 7}, op(SIGNED_2_4, x, a, Tensor.ones(1), Tensor.ones(2)).toArray(), 1e-6f);
        assertArrayEquals(new float[] {0f, -2f, 2f, 2f}, op(SIGNED_2_4, x, a, Tensor.ones(1), Tensor.fromArray(new float[] {1, 0}, 2)).toArray());
        assertArrayEquals(new float[] {0f, 0f, 0f, 0f}, op(SIGNED_2_4, x, a, Tensor.zeros(1), Tensor.ones(2)).toArray());
        assertArrayEquals(new float[] {0f, 0f, 0f, 0f}, op(SIGNED_2_4, x, a, Tensor.ones(1), Tensor.fromArray(new float[] {0, 1}, 2)).toArray());
    }

    @Test
    void channelGateZeroesWholeFiltersExactly() {
        Tensor w = Tensor.fromArray(new float[] {0.3f, -0.2f, 0.5f, -0.7f, 0.1f, 0.9f}, 3, 2);
        float[] y = op(new NestedGrid(List.of(2, 4, 8), true), w, Tensor.fromArray(new float[] {1f}, 1), Tensor.fromArray(new float[] {1, 0, 1}, 3),
                Tensor.ones(3)).toArray();
        assertEquals(0, Float.floatToIntBits(y[2]));      // +0.0, not −0.0
        assertEquals(0, Float.floatToIntBits(y[3]));
        assertEquals((float) (1.0 * Math.floor(0.3 * 126 + 0.5) / 126), y[0]);
    }

    /** ∂x̂/∂x = G_0·1[inside], ∂x̂/∂α = x̂/α − G_0·(x/α)·1[inside]: goldens inside, at the clip and with the filter off. */
    @Test
    void straightThroughGradientsForXAndAlpha() {
        Tensor x = Tensor.fromArray(new float[] {0.9f, -1.5f, 3f, -2f, 0.4f, 0.2f}, 3, 2).requiresGrad(true);
        Tensor a = Tensor.fromArray(new float[] {2f, 2f, 1f}, 3).requiresGrad(true);
        Tensor c = Tensor.fromArray(new float[] {1, 1, 0}, 3);
        op(SIGNED_2_4, x, a, c, Tensor.ones(2)).sum().backward();
        // row 0: inside, inside; row 1: 3 > α (clipped high), −2 = −α (at the clip: not strictly inside); row 2: filter off
        assertArrayEquals(new float[] {1, 1, 0, 0, 0, 0}, x.grad().toArray());
        double row0 = (3.0 / 7 - 0.45) + (-5.0 / 7 + 0.75);
        double row1 = 1 + -1;                                  // x̂/α = ±1 outside
        assertArrayEquals(new float[] {(float) row0, (float) row1, 0f}, a.grad().toArray(), 1e-6f);
    }

    @Test
    void unsignedGridClipsNegativesToZeroWithoutGradient() {
        NestedGrid g = new NestedGrid(List.of(2, 4, 8), false);
        Tensor x = Tensor.fromArray(new float[] {-0.5f, 0.25f, 1.2f}, 3).requiresGrad(true);
        Tensor a = Tensor.fromArray(new float[] {1f}, 1).requiresGrad(true);
        Tensor y = op(g, x, a, Tensor.ones(1), Tensor.fromArray(new float[] {1, 1, 0}, 3));     // 4 bits: steps of 1/15
        assertArrayEquals(new float[] {0f, 4f / 15, 1f}, y.toArray(), 1e-7f);
        y.sum().backward();
        assertArrayEquals(new float[] {0, 1, 0}, x.grad().toArray());
        assertEquals((4.0 / 15 - 0.25) + 1, a.grad().item(), 1e-6);
    }

    /** Gates of any value: x̂ is multilinear in c and g, so central differences match the backward. */
    @Test
    void gateGradientsMatchFiniteDifferences() {
        NestedGrid g = new NestedGrid(List.of(2, 4, 8), true);
        Tensor w = GradCheck.leaf(3, 4, 5).detach();
        Tensor a = Tensor.fromArray(new float[] {1.5f, 1.2f, 2f, 0.8f}, 4);
        Tensor c = Tensor.fromArray(new float[] {0.9f, 0.3f, 0.6f, 0.75f}, 4).requiresGrad(true);
        Tensor gates = Tensor.fromArray(new float[] {0.8f, 0.55f, 0.35f}, 3).requiresGrad(true);
        GradCheck.check(in -> op(g, w, a, in[0], in[1]), c, gates);
        Tensor perTensor = Tensor.fromArray(new float[] {0.7f}, 1).requiresGrad(true);
        GradCheck.check(in -> op(g, w, Tensor.fromArray(new float[] {1.1f}, 1), in[0], in[1]), perTensor, gates);
    }

    @Test
    void shapesAndClipsAreChecked() {
        Tensor w = Tensor.ones(4, 3);
        assertThrows(IllegalArgumentException.class, () -> op(SIGNED_2_4, w, Tensor.ones(3), Tensor.ones(1), Tensor.ones(2)));
        assertThrows(IllegalArgumentException.class, () -> op(SIGNED_2_4, w, Tensor.ones(1), Tensor.ones(1), Tensor.ones(3)));
        assertThrows(IllegalArgumentException.class, () -> op(SIGNED_2_4, w, Tensor.zeros(1), Tensor.ones(1), Tensor.ones(2)));
    }

    @Test
    void hardGateIsAStepWithTheIdentityGradient() {
        Tensor s = Tensor.fromArray(new float[] {-1f, 0f, 1e-7f, 2f}, 4).requiresGrad(true);
        Tensor g = HardGate.of(s);
        assertArrayEquals(new float[] {0, 0, 1, 1}, g.toArray());
        g.mul(Tensor.fromArray(new float[] {1, 2, 3, 4}, 4)).sum().backward();
        assertArrayEquals(new float[] {1, 2, 3, 4}, s.grad().toArray());
    }
}
