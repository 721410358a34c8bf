package dev.tersor.tensor.lowbit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Exact goldens for every move, gradients (the opposite move), and the weighted mix GhostSR trains with. */
class ShiftTest {
    /** 1..12 as a [1, 1, 3, 4] plane. */
    private static Tensor plane() {
        return Tensor.arange(1f, 13f, 1f).reshape(1, 1, 3, 4);
    }

    @Test
    void goldenMovesWithZeroBorders() {
        assertArrayEquals(new float[] {
            0, 0, 0, 0,
            1, 2, 3, 4,
            5, 6, 7, 8}, Shift.shift(plane(), 1, 0).toArray());
        assertArrayEquals(new float[] {
            2, 3, 4, 0,
            6, 7, 8, 0,
            10, 11, 12, 0}, Shift.shift(plane(), 0, -1).toArray());
        assertArrayEquals(new float[] {
            0, 0, 0, 0,
            0, 1, 2, 3,
            0, 5, 6, 7}, Shift.shift(plane(), 1, 1).toArray());
        assertArrayEquals(new float[] {
            0, 5, 6, 7,
            0, 9, 10, 11,
            0, 0, 0, 0}, Shift.shift(plane(), -1, 1).toArray());
        assertArrayEquals(plane().toArray(), Shift.shift(plane(), 0, 0).toArray());
        assertArrayEquals(new float[12], Shift.shift(plane(), 3, 0).toArray(), "a move past the plane leaves zeros");
        assertArrayEquals(new float[12], Shift.shift(plane(), 0, -7).toArray());
        assertArrayEquals(new float[] {0, 0, 1, 2, 0, 0, 5, 6, 0, 0, 9, 10}, Shift.shift(plane(), 0, 2).toArray());
    }

    @Test
    void directionNumbering() {
        for (int k = 0; k < Shift.DIRECTIONS; k++) {
            assertEquals(k, Shift.direction(Shift.dy(k), Shift.dx(k)));
            assertEquals(-Shift.dy(k), Shift.dy(Shift.opposite(k)));
            assertEquals(-Shift.dx(k), Shift.dx(Shift.opposite(k)));
        }
        assertEquals(Shift.IDENTITY, Shift.direction(0, 0));
        assertEquals(5, Shift.direction(0, 1));
        assertThrows(IllegalArgumentException.class, () -> Shift.direction(2, 0));
        assertThrows(IllegalArgumentException.class, () -> Shift.dy(9));
    }

    @Test
    void anyRankOfAtLeastTwoAndNonContiguousInputs() {
        Tensor x = Tensor.arange(1f, 7f, 1f).reshape(2, 3);
        assertArrayEquals(new float[] {0, 1, 2, 0, 4, 5}, Shift.shift(x, 0, 1).toArray());
        Tensor t = plane().reshape(3, 4).transpose(0, 1);   // [4, 3], not contiguous
        assertArrayEquals(Shift.shift(t.contiguous(), 1, -1).toArray(), Shift.shift(t, 1, -1).toArray());
        assertThrows(IllegalArgumentException.class, () -> Shift.shift(Tensor.zeros(5), 1, 0));
    }

    @Test
    void gradientIsTheOppositeShift() {
        for (int k = 0; k < Shift.DIRECTIONS; k++) {
            int dy = Shift.dy(k), dx = Shift.dx(k);
            GradCheck.check(in -> Shift.shift(in[0], dy, dx), GradCheck.leaf(k, 2, 3, 4, 5));
            Tensor x = GradCheck.leaf(20 + k, 1, 2, 3, 4);
            Tensor g = Tensor.randn(new Generator(40 + k), 1, 2, 3, 4);
            Shift.shift(x, dy, dx).backward(g);
            assertArrayEquals(Shift.shift(g, -dy, -dx).toArray(), x.grad().toArray(), "exact for move " + k);
        }
    }

    @Test
    void perChannelShiftsAreIndependentPlaneMoves() {
        Tensor x = Tensor.randn(new Generator(3), 2, 9, 4, 5);
        int[] dirs = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        Tensor y = Shift.shiftChannels(x, dirs);
        for (int c = 0; c < 9; c++) {
            Tensor expected = Shift.shift(x.narrow(1, c, 1), Shift.dy(c), Shift.dx(c));
            assertArrayEquals(expected.toArray(), y.narrow(1, c, 1).toArray(), "channel " + c);
        }
        Tensor grouped = Shift.shiftGroups(Tensor.randn(new Generator(4), 1, 6, 3, 3), new int[] {1, 7, 4});
        Tensor perChannel = Shift.shiftChannels(Tensor.randn(new Generator(4), 1, 6, 3, 3), new int[] {1, 1, 7, 7, 4, 4});
        assertArrayEquals(perChannel.toArray(), grouped.toArray());
        GradCheck.check(in -> Shift.shiftChannels(in[0], new int[] {8, 0, 5}), GradCheck.leaf(5, 2, 3, 3, 4));
        assertThrows(IllegalArgumentException.class, () -> Shift.shiftChannels(x, new int[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> Shift.shiftChannels(x, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 9}));
        assertThrows(IllegalArgumentException.class, () -> Shift.shiftGroups(x, new int[] {1, 2}));
    }

    @Test
    void mixWithOneHotWeightsIsThePureMove() {
        Tensor x = Tensor.randn(new Generator(5), 2, 4, 5, 3);
        int[] dirs = {2, 4, 6, 8};
        float[] w = new float[4 * 9];
        for (int c = 0; c < 4; c++) w[c * 9 + dirs[c]] = 1f;
        assertArrayEquals(Shift.shiftChannels(x, dirs).toArray(), Shift.mix(x, Tensor.fromArray(w, 4, 9)).toArray());
    }

    @Test
    void mixIsTheWeightedSumOfTheNineMoves() {
        Tensor x = Tensor.randn(new Generator(6), 2, 3, 4, 4);
        Tensor w = Tensor.rand(new Generator(7), 3, 9);
        Tensor expected = Tensor.zeros(2, 3, 4, 4);
        for (int k = 0; k < 9; k++) {
            expected = expected.add(Shift.shift(x, Shift.dy(k), Shift.dx(k)).mul(w.narrow(1, k, 1).reshape(1, 3, 1, 1)));
        }
        float[] a = expected.toArray(), b = Shift.mix(x, w).toArray();
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5f, "element " + i);
    }

    @Test
    void mixGradientsMatchFiniteDifferences() {
        GradCheck.check(in -> Shift.mix(in[0], in[1]), GradCheck.leaf(8, 2, 3, 4, 5), GradCheck.leaf(9, 3, 9));
        GradCheck.check(in -> Shift.mix(in[0].permute(0, 3, 1, 2), in[1]), GradCheck.leaf(10, 1, 4, 3, 2), GradCheck.leaf(11, 2, 9));
    }

    @Test
    void mixWeightGradientIsTheCorrelationWithEachMove() {
        Tensor x = Tensor.randn(new Generator(12), 2, 2, 3, 3);
        Tensor w = Tensor.zeros(2, 9).requiresGrad(true);
        Tensor g = Tensor.randn(new Generator(13), 2, 2, 3, 3);
        Shift.mix(x, w).backward(g);
        for (int k = 0; k < 9; k++) {
            Tensor corr = Shift.shift(x, Shift.dy(k), Shift.dx(k)).mul(g).sum(0, 2, 3);
            for (int c = 0; c < 2; c++) assertEquals(corr.get(c), w.grad().get(c, k), 1e-5f);
        }
        assertTrue(x.grad() == null, "x does not require grad");
        assertThrows(IllegalArgumentException.class, () -> Shift.mix(x, Tensor.zeros(2, 8)));
    }
}
