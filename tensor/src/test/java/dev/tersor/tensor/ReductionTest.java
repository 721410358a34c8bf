package dev.tersor.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReductionTest {
    private final Tensor m = Tensor.fromArray(new float[] {1, 5, 3, 4, 2, 6}, 2, 3);

    @Test
    void sumOverEachAxis() {
        assertEquals(21f, m.sum().item());
        assertArrayEquals(new float[] {5, 7, 9}, m.sum(0).toArray());
        assertArrayEquals(new float[] {9, 12}, m.sum(1).toArray());
        assertArrayEquals(new int[] {2, 1}, m.sum(new int[] {1}, true).shape());
        assertArrayEquals(new float[] {9, 12}, m.sum(-1).toArray());
    }

    @Test
    void meanMaxMin() {
        assertEquals(3.5f, m.mean().item());
        assertArrayEquals(new float[] {3, 4}, m.mean(1).toArray());
        assertArrayEquals(new float[] {4, 5, 6}, m.max(0).toArray());
        assertArrayEquals(new float[] {1, 2}, m.min(1).toArray());
        assertEquals(6f, m.max().item());
    }

    @Test
    void argmaxAndArgminAreIntegerTensors() {
        IntTensor am = m.argmax(1, false);
        assertArrayEquals(new int[] {1, 2}, am.toArray());
        assertArrayEquals(new int[] {2}, am.shape());
        assertArrayEquals(new int[] {0, 1, 0}, m.argmin(0, false).toArray());
        assertArrayEquals(new int[] {2, 1}, m.argmax(1, true).shape());
        Tensor ties = Tensor.fromArray(new float[] {3, 3, 1}, 3);
        assertEquals(0, ties.argmax(0, false).item(), "first maximum wins");
        Tensor nan = Tensor.fromArray(new float[] {1, Float.NaN, 9}, 3);
        assertEquals(1, nan.argmax(0, false).item(), "NaN counts as the maximum, as in PyTorch");
    }

    @Test
    void varianceAndStdWithAndWithoutBessel() {
        Tensor x = Tensor.fromArray(new float[] {2, 4, 4, 4, 5, 5, 7, 9}, 8);
        assertEquals(4f, x.var(new int[0], false, false).item(), 1e-6f);
        assertEquals(32f / 7f, x.var(new int[0], true, false).item(), 1e-6f);
        assertEquals(2f, x.std(new int[0], false, false).item(), 1e-6f);
    }

    @Test
    void normsMatchHandComputedValues() {
        Tensor x = Tensor.fromArray(new float[] {3, -4}, 2);
        assertEquals(5f, x.norm().item(), 1e-6f);
        assertEquals(7f, x.norm(1f, new int[0], false).item(), 1e-6f);
        Tensor z = Tensor.zeros(3).requiresGrad(true);
        z.norm().backward();
        assertArrayEquals(new float[] {0, 0, 0}, z.grad().toArray(), "norm'(0) is 0, not NaN");
    }

    @Test
    void logSumExpIsStable() {
        Tensor x = Tensor.fromArray(new float[] {1000f, 1000f, -1000f, -1000f}, 2, 2);
        float[] lse = x.logSumExp(new int[] {1}, false).toArray();
        assertEquals(1000f + (float) Math.log(2), lse[0], 1e-3f);
        assertEquals(-1000f + (float) Math.log(2), lse[1], 1e-3f);
        Tensor inf = Tensor.fromArray(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 2);
        assertEquals(Float.NEGATIVE_INFINITY, inf.logSumExp(new int[] {0}, false).item());
    }

    @Test
    void softmaxRowsSumToOneAndLogSoftmaxAgrees() {
        Tensor x = Tensor.randn(new Generator(3), 4, 7).mul(20f);
        Tensor s = x.softmax(1);
        float[] sums = s.sum(1).toArray();
        for (float v : sums) assertEquals(1f, v, 1e-5f);
        assertArrayEquals(s.log().toArray(), x.logSoftmax(1).toArray(), 1e-4f);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, -1})
    void sumGradientsOverEachAxis(int axis) {
        GradCheck.check(in -> in[0].sum(new int[] {axis}, false), GradCheck.leaf(1, 2, 3, 4));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void meanGradientsKeepDim(int axis) {
        GradCheck.check(in -> in[0].mean(new int[] {axis}, true), GradCheck.leaf(2, 2, 3, 4));
    }

    @Test
    void gradientsOfMultiAxisReductions() {
        GradCheck.check(in -> in[0].sum(new int[] {0, 2}, false), GradCheck.leaf(3, 2, 3, 4));
        GradCheck.check(in -> in[0].mean(new int[] {0, 2, 3}, true), GradCheck.leaf(4, 2, 3, 2, 2));
        GradCheck.check(in -> in[0].var(new int[] {1}, true, false), GradCheck.leaf(5, 3, 5));
        GradCheck.check(in -> in[0].std(new int[] {0, 1}, false, true), GradCheck.leaf(6, 3, 4));
        GradCheck.check(in -> in[0].norm(2f, new int[] {1}, false), GradCheck.leaf(7, 3, 4));
        GradCheck.check(in -> in[0].norm(3f, new int[] {0}, true), GradCheck.leaf(8, 3, 4));
        GradCheck.check(in -> in[0].logSumExp(new int[] {1}, false), GradCheck.leaf(9, 3, 4));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, -1})
    void softmaxAndLogSoftmaxGradients(int axis) {
        GradCheck.check(in -> in[0].softmax(axis), GradCheck.leaf(10, 3, 4));
        GradCheck.check(in -> in[0].logSoftmax(axis), GradCheck.leaf(11, 3, 4));
    }

    @Test
    void maxGradientGoesToTheMaximumAndSplitsTies() {
        Tensor x = Tensor.fromArray(new float[] {1, 3, 3, 2, 0, -1}, 2, 3).requiresGrad(true);
        x.max(1).sum().backward();
        assertArrayEquals(new float[] {0, 0.5f, 0.5f, 1, 0, 0}, x.grad().toArray());
        x.zeroGrad();
        x.min(0).sum().backward();
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 1}, x.grad().toArray());
        GradCheck.check(in -> in[0].max(new int[] {1}, true), GradCheck.leaf(12, 3, 4));
    }

    @Test
    void reductionsOfNonContiguousViews() {
        Tensor t = Tensor.arange(24).reshape(2, 3, 4).permute(2, 0, 1);   // [4, 2, 3]
        assertArrayEquals(new float[] {60, 66, 72, 78}, t.sum(1, 2).toArray());
        GradCheck.check(in -> in[0].permute(2, 0, 1).sum(new int[] {0}, false), GradCheck.leaf(13, 2, 3, 4));
    }

    @Test
    void sumOfLargeLeadingAxesUsesTheSameValuesAsTheGeneralPath() {
        Tensor x = Tensor.randn(new Generator(5), 300, 257);
        float[] lead = x.sum(0).toArray();
        float[] viaPermute = x.transpose(0, 1).contiguous().sum(1).toArray();
        assertArrayEquals(viaPermute, lead, 1e-3f);
        assertArrayEquals(x.transpose(0, 1).contiguous().max(1).toArray(), x.max(0).toArray());
    }

    @Test
    void badAxesAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> m.sum(2));
        assertTrue(e.getMessage().contains("sum") && e.getMessage().contains("axis 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.sum(0, 0));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(0, 3).max(0));
    }

    @Test
    void sumToUndoesBroadcasting() {
        Tensor g = Tensor.ones(2, 3, 4);
        assertArrayEquals(new float[] {6, 6, 6, 6}, g.sumTo(4).toArray());
        assertArrayEquals(new float[] {8, 8, 8}, g.sumTo(3, 1).toArray());
        assertThrows(IllegalArgumentException.class, () -> g.sumTo(5));
    }
}
