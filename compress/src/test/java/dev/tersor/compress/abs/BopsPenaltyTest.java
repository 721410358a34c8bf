package dev.tersor.compress.abs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BOPs of the gates: goldens for binary gates, finite differences for the multilinear relaxation, the hinge at its kink. */
class BopsPenaltyTest {
    private static final List<Integer> BITS = List.of(2, 4, 8);

    private static Tensor g(float... v) {
        return Tensor.fromArray(v, v.length);
    }

    @Test
    void bitsOfBinaryGatesAreTheChosenCandidate() {
        assertEquals(8f, BopsPenalty.bits(g(1, 1, 1), BITS).item());
        assertEquals(4f, BopsPenalty.bits(g(1, 1, 0), BITS).item());
        assertEquals(2f, BopsPenalty.bits(g(1, 0, 1), BITS).item());       // a gate above an off one does not count
        assertEquals(0f, BopsPenalty.bits(g(0, 1, 1), BITS).item());
        assertEquals(2 + 0.5f * 2 + 0.25f * 4, BopsPenalty.bits(g(1, 0.5f, 0.5f), BITS).item(), 1e-6f);
    }

    @Test
    void layerBopsCountKeptFiltersAndBothBitWidths() {
        Tensor b = BopsPenalty.layer(1000, g(1, 0, 1, 1), g(1, 1, 0), BITS, g(1, 1, 1), BITS);
        assertEquals(1000 * 0.75f * 4 * 8, b.item(), 1e-3f);
        assertEquals(0, b.dim());
    }

    @Test
    void layerBopsGradientsMatchFiniteDifferences() {
        Tensor c = g(0.9f, 0.4f, 0.7f).requiresGrad(true), w = g(0.95f, 0.6f, 0.3f).requiresGrad(true), a = g(0.85f, 0.5f, 0.45f).requiresGrad(true);
        GradCheck.check(in -> BopsPenalty.layer(3, in[0], in[1], BITS, in[2], List.of(2, 4, 8)), c, w, a);
    }

    @Test
    void hingeIsZeroUnderTheBudgetAndLinearAbove() {
        Tensor over = Tensor.fromArray(new float[] {150f}, 1).requiresGrad(true);
        Tensor p = BopsPenalty.hinge(over.sum(), 100, 2f);
        assertEquals(2f * 0.5f, p.item(), 1e-6f);
        p.backward();
        assertEquals(2f / 100, over.grad().item(), 1e-7f);
        Tensor at = Tensor.fromArray(new float[] {100f}, 1).requiresGrad(true);     // the kink: value 0, gradient 0
        Tensor q = BopsPenalty.hinge(at.sum(), 100, 2f);
        assertEquals(0f, q.item());
        q.backward();
        assertEquals(0f, at.grad().item());
        Tensor under = Tensor.fromArray(new float[] {60f}, 1).requiresGrad(true);
        BopsPenalty.hinge(under.sum(), 100, 2f).backward();
        assertEquals(0f, under.grad().item());
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> BopsPenalty.bits(g(1, 1), BITS));
        assertThrows(IllegalArgumentException.class, () -> BopsPenalty.hinge(Tensor.scalar(1f), 0, 1f));
        assertThrows(IllegalArgumentException.class, () -> BopsPenalty.hinge(Tensor.scalar(1f), 10, -1f));
        assertThrows(IllegalArgumentException.class, () -> BopsPenalty.layer(-1, g(1), g(1, 1, 1), BITS, g(1, 1, 1), BITS));
    }
}
