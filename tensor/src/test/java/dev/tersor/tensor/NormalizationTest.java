package dev.tersor.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The fused batch norm against its definition, and by finite differences. */
class NormalizationTest {

    @Test
    void trainingForwardMatchesTheComposedDefinition() {
        Tensor x = Tensor.randn(new Generator(1), 4, 3, 2, 5).mul(3f).add(1f);
        Tensor w = Tensor.randn(new Generator(2), 3), b = Tensor.randn(new Generator(3), 3);
        Tensor rm = Tensor.zeros(3), rv = Tensor.ones(3);
        Tensor y = Functional.batchNorm(x, w, b, rm, rv, true, 0.1f, 1e-5f);
        int[] axes = {0, 2, 3};
        Tensor mean = x.mean(axes, true);
        Tensor var = x.var(axes, false, true);
        Tensor expected = x.sub(mean).div(var.add(1e-5f).sqrt()).mul(w.reshape(1, 3, 1, 1)).add(b.reshape(1, 3, 1, 1));
        assertArrayEquals(expected.toArray(), y.toArray(), 1e-4f);
        Tensor unbiased = x.var(axes, true, false);
        assertArrayEquals(mean.reshape(3).mul(0.1f).toArray(), rm.toArray(), 1e-6f);
        assertArrayEquals(unbiased.mul(0.1f).add(0.9f).toArray(), rv.toArray(), 1e-5f);
    }

    @Test
    void evalUsesRunningStatistics() {
        Tensor x = Tensor.randn(new Generator(4), 2, 2, 3);
        Tensor rm = Tensor.fromArray(new float[] {0.5f, -1f}, 2), rv = Tensor.fromArray(new float[] {4f, 0.25f}, 2);
        Tensor y = Functional.batchNorm(x, null, null, rm, rv, false, 0.1f, 0f);
        Tensor expected = x.sub(rm.reshape(1, 2, 1)).div(rv.sqrt().reshape(1, 2, 1));
        assertArrayEquals(expected.toArray(), y.toArray(), 1e-6f);
        assertArrayEquals(new float[] {0.5f, -1f}, rm.toArray(), "eval leaves the statistics alone");
    }

    @Test
    void gradientsByFiniteDifferences() {
        GradCheck.check(in -> Functional.batchNorm(in[0], in[1], in[2], null, null, true, 0.1f, 1e-5f),
                GradCheck.leaf(5, 3, 2, 2, 2), GradCheck.leaf(6, 2), GradCheck.leaf(7, 2));
        GradCheck.check(in -> Functional.batchNorm(in[0], null, null, null, null, true, 0.1f, 1e-5f),
                GradCheck.leaf(8, 4, 3));
        Tensor rm = Tensor.fromArray(new float[] {0.1f, 0.2f}, 2), rv = Tensor.fromArray(new float[] {1.5f, 0.7f}, 2);
        GradCheck.check(in -> Functional.batchNorm(in[0].transpose(0, 1).transpose(0, 1), in[1], in[2], rm, rv, false, 0f, 1e-5f),
                GradCheck.leaf(9, 3, 2, 4), GradCheck.leaf(10, 2), GradCheck.leaf(11, 2));
    }

    @Test
    void badShapesAreNamed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Functional.batchNorm(Tensor.zeros(2, 3, 4), Tensor.ones(4), null, null, null, true, 0.1f, 1e-5f));
        assertTrue(e.getMessage().contains("[4]") && e.getMessage().contains("[2, 3, 4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Functional.batchNorm(Tensor.zeros(1, 3), null, null, null, null, true, 0.1f, 1e-5f));
    }
}
