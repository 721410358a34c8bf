package dev.tersor.nn.binary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BiRotationTest {

    static void assertOrthogonal(Tensor r, double tol) {
        int n = r.size(0);
        float[] p = r.transpose(0, 1).matmul(r).toArray();
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) assertEquals(i == j ? 1 : 0, p[i * n + j], tol, "RᵀR[" + i + "," + j + "]");
    }

    @Test
    void factorsAreCloseToTheSquareRoot() {
        assertArrayEquals(new int[] {10, 15}, BiRotation.factors(150));       // lenet5 conv2: 6·5·5
        assertArrayEquals(new int[] {20, 20}, BiRotation.factors(400));       // fc1
        assertArrayEquals(new int[] {10, 12}, BiRotation.factors(120));       // fc2
        assertArrayEquals(new int[] {12, 12}, BiRotation.factors(144));       // resnet20 16·3·3
        assertArrayEquals(new int[] {64, 72}, BiRotation.factors(4608));      // vgg 512·3·3
        assertArrayEquals(new int[] {1, 7}, BiRotation.factors(7));
        assertArrayEquals(new int[] {1, 1}, BiRotation.factors(1));
    }

    @Test
    void randomRotationsAreOrthogonal() {
        assertOrthogonal(BiRotation.randomOrthogonal(9, new Generator(1)), 1e-5);
        assertOrthogonal(BiRotation.randomOrthogonal(1, new Generator(2)), 1e-6);
    }

    @Test
    void rotationPreservesNorms() {
        Generator g = new Generator(3);
        Tensor x = Tensor.randn(g, 4, 5, 6);
        Tensor r = BiRotation.rotate(x, BiRotation.randomOrthogonal(5, g), BiRotation.randomOrthogonal(6, g));
        float[] a = x.mul(x).sum(new int[] {1, 2}, false).toArray(), b = r.mul(r).sum(new int[] {1, 2}, false).toArray();
        assertArrayEquals(a, b, 1e-3f);
    }

    @Test
    void alternatingUpdateKeepsOrthogonalityAndNeverLowersTheObjective() {
        Generator g = new Generator(4);
        Tensor x = Tensor.randn(g, 32, 8, 9);
        Tensor r1 = BiRotation.randomOrthogonal(8, g), r2 = BiRotation.randomOrthogonal(9, g);
        double before = BiRotation.objective(x, r1, r2);
        for (int round = 0; round < 4; round++) {
            Tensor[] r = BiRotation.update(x, r1, r2, 1);
            assertOrthogonal(r[0], 1e-5);
            assertOrthogonal(r[1], 1e-5);
            double after = BiRotation.objective(x, r[0], r[1]);
            assertTrue(after >= before - 1e-3 * Math.abs(before), "objective fell from " + before + " to " + after);
            before = after;
            r1 = r[0];
            r2 = r[1];
        }
        // aligned with the binary vertices: far above the objective of the identity rotation
        assertTrue(before > BiRotation.objective(x, Tensor.eye(8), Tensor.eye(9)));
    }
}
