package dev.tersor.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.testing.Fixtures;
import org.junit.jupiter.api.Test;

class MatmulTest {

    @Test
    void twoByTwoByHand() {
        Tensor a = Tensor.fromArray(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor b = Tensor.fromArray(new float[] {5, 6, 7, 8}, 2, 2);
        assertArrayEquals(new float[] {19, 22, 43, 50}, a.matmul(b).toArray());
        assertArrayEquals(new float[] {26, 30, 38, 44}, a.transpose(0, 1).matmul(b).toArray());
        assertArrayEquals(new float[] {17, 23, 39, 53}, a.matmul(b.transpose(0, 1)).toArray());
    }

    @Test
    void vectorCases() {
        Tensor v = Tensor.fromArray(new float[] {1, 2}, 2);
        Tensor m = Tensor.fromArray(new float[] {1, 2, 3, 4}, 2, 2);
        assertArrayEquals(new int[0], v.matmul(v).shape());
        assertArrayEquals(new float[] {5}, v.matmul(v).toArray());
        assertArrayEquals(new float[] {7, 10}, v.matmul(m).toArray());
        assertArrayEquals(new float[] {5, 11}, m.matmul(v).toArray());
    }

    @Test
    void shapeMismatchNamesBothShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)));
        assertTrue(e.getMessage().contains("matmul") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 5]"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 2, 3).matmul(Tensor.zeros(3, 3, 4)));
        assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(1f).matmul(Tensor.zeros(2)));
    }

    @Test
    void matchesPyTorchFixtures() {
        Fixtures f = Fixtures.load("matmul.safetensors");
        for (int c = 0; c < f.cases(); c++) {
            Tensor a = Tensor.fromArray(f.data(c, "a"), f.shape(c, "a")).requiresGrad(true);
            Tensor b = Tensor.fromArray(f.data(c, "b"), f.shape(c, "b")).requiresGrad(true);
            Tensor y = a.matmul(b);
            assertArrayEquals(f.shape(c, "output"), y.shape(), "case " + c + " shape");
            Fixtures.assertClose(f.data(c, "output"), y.toArray(), 1e-5, 1e-4, "matmul case " + c + " output");
            y.backward(Tensor.fromArray(f.data(c, "grad_output"), f.shape(c, "grad_output")));
            Fixtures.assertClose(f.data(c, "grad_a"), a.grad().toArray(), 1e-5, 1e-4, "matmul case " + c + " grad_a");
            Fixtures.assertClose(f.data(c, "grad_b"), b.grad().toArray(), 1e-5, 1e-4, "matmul case " + c + " grad_b");
        }
    }

    @Test
    void softmaxMatchesPyTorchFixtures() {
        Fixtures f = Fixtures.load("softmax.safetensors");
        for (int c = 0; c < f.cases(); c++) {
            Tensor x = Tensor.fromArray(f.data(c, "input"), f.shape(c, "input")).requiresGrad(true);
            int dim = f.ints(c, "dim")[0];
            Tensor y = f.param(c, "op").equals("softmax") ? x.softmax(dim) : x.logSoftmax(dim);
            Fixtures.assertClose(f.data(c, "output"), y.toArray(), 1e-5, 1e-4, "case " + c + " output");
            y.backward(Tensor.fromArray(f.data(c, "grad_output"), f.shape(c, "grad_output")));
            Fixtures.assertClose(f.data(c, "grad_input"), x.grad().toArray(), 1e-5, 1e-3, "case " + c + " grad_input");
        }
    }

    @Test
    void batchedBroadcastGradients() {
        GradCheck.check(in -> in[0].matmul(in[1]), GradCheck.leaf(1, 2, 1, 3, 4), GradCheck.leaf(2, 5, 4, 2));
        GradCheck.check(in -> in[0].matmul(in[1]), GradCheck.leaf(3, 4), GradCheck.leaf(4, 3, 4, 2));
        GradCheck.check(in -> in[0].transpose(-1, -2).matmul(in[1].transpose(0, 1)),
                GradCheck.leaf(5, 2, 4, 3), GradCheck.leaf(6, 5, 4));
    }

    @Test
    void batchedMatmulAgreesWithPerBatchProducts() {
        Tensor a = Tensor.randn(new Generator(1), 6, 5, 7);
        Tensor b = Tensor.randn(new Generator(2), 6, 7, 3);
        Tensor c = a.matmul(b);
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(a.select(0, i).matmul(b.select(0, i)).toArray(), c.select(0, i).toArray(), 1e-5f);
        }
    }

    @Test
    void linearEqualsMatmulWithTransposedWeightPlusBias() {
        Tensor x = Tensor.randn(new Generator(3), 2, 3, 5);
        Tensor w = Tensor.randn(new Generator(4), 4, 5);
        Tensor b = Tensor.randn(new Generator(5), 4);
        Tensor expected = x.matmul(w.transpose(0, 1)).add(b);
        assertArrayEquals(expected.toArray(), LinearAlgebra.linear(x, w, b).toArray(), 1e-5f);
        assertArrayEquals(new int[] {2, 3, 4}, LinearAlgebra.linear(x, w, null).shape());
        GradCheck.check(in -> LinearAlgebra.linear(in[0], in[1], in[2]),
                GradCheck.leaf(6, 3, 5), GradCheck.leaf(7, 4, 5), GradCheck.leaf(8, 4));
        GradCheck.check(in -> LinearAlgebra.linear(in[0], in[1], null), GradCheck.leaf(9, 2, 2, 5), GradCheck.leaf(10, 4, 5));
        var e = assertThrows(IllegalArgumentException.class, () -> LinearAlgebra.linear(x, Tensor.zeros(4, 6), null));
        assertTrue(e.getMessage().contains("[2, 3, 5]") && e.getMessage().contains("[4, 6]"), e.getMessage());
    }
}
