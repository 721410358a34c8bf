package dev.tersor.nn.binary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Exact goldens for sign and its backward rules (the kinks included). */
class BinarySignTest {
    private static final float[] X = {-2f, -1f, -0.75f, -0.5f, -0f, 0f, 0.25f, 0.5f, 1f, 2f};

    private static float[] grad(SignGradient rule, float t, float k) {
        Tensor x = Tensor.fromArray(X, X.length).requiresGrad(true);
        BinarySign.apply(x, rule, t, k).sum().backward();
        return x.grad().toArray();
    }

    @Test
    void forwardMapsZeroToPlusOneAndNanToMinusOne() {
        float[] y = BinarySign.apply(Tensor.fromArray(X, X.length), SignGradient.STE).toArray();
        assertArrayEquals(new float[] {-1, -1, -1, -1, 1, 1, 1, 1, 1, 1}, y);
        assertArrayEquals(new float[] {-1, 1}, BinarySign.signs(Tensor.fromArray(new float[] {Float.NaN, Float.MIN_VALUE}, 2)).toArray());
    }

    @Test
    void steIsClippedIdentityIncludingTheEnds() {
        assertArrayEquals(new float[] {0, 1, 1, 1, 1, 1, 1, 1, 1, 0}, grad(SignGradient.STE, 1, 1));
    }

    @Test
    void approxSignIsBiRealsPiecewisePolynomial() {
        // 2 + 2x on [-1, 0), 2 - 2x on [0, 1), 0 elsewhere
        assertArrayEquals(new float[] {0, 0, 0.5f, 1, 2, 2, 1.5f, 1, 0, 0}, grad(SignGradient.APPROX_SIGN, 1, 1));
    }

    @Test
    void rbnnIsTrainingAwareTanhDerivative() {
        for (float[] tk : new float[][] {{1f, 1f}, {0.1f, 10f}, {3f, 1f}}) {
            float t = tk[0], k = tk[1];
            float[] g = grad(SignGradient.RBNN, t, k);
            for (int i = 0; i < X.length; i++) {
                double th = Math.tanh(t * X[i]);
                assertEquals(k * t * (1 - th * th), g[i], 1e-6, "t=" + t + " x=" + X[i]);
            }
        }
        // at x = 0 the gradient is exactly k·t
        assertEquals(3f, grad(SignGradient.RBNN, 3f, 1f)[5], 0f);
    }

    @Test
    void tensorBackwardAgreesWithScalarDerivative() {
        for (SignGradient rule : SignGradient.values()) {
            float[] g = grad(rule, 0.5f, 2f);
            for (int i = 0; i < X.length; i++) assertEquals(rule.derivative(X[i], 0.5f, 2f), g[i], 1e-6, rule + " x=" + X[i]);
        }
    }

    @Test
    void rbnnScheduleFollowsEquation11() {
        assertEquals(1e-2, SignGradient.t(0, 10, 1e-2, 1e1), 1e-15);
        assertEquals(1e-1, SignGradient.t(10, 30, 1e-2, 1e1), 1e-12);     // one third of three decades
        assertEquals(1e1, SignGradient.t(10, 10, 1e-2, 1e1), 1e-12);
        assertEquals(100, SignGradient.k(1e-2), 1e-12);
        assertEquals(1, SignGradient.k(5), 0);
        double prev = 0;
        for (int e = 0; e < 10; e++) {
            double t = SignGradient.t(e, 10, 1e-2, 1e1);
            assertTrue(t > prev);
            prev = t;
        }
        assertThrows(IllegalArgumentException.class, () -> SignGradient.t(0, 0, 1e-2, 1e1));
        assertThrows(IllegalArgumentException.class, () -> SignGradient.t(0, 5, 1, 0.5));
    }

    @Test
    void gradientFlowsOnlyThroughTheRule() {
        Tensor x = Tensor.fromArray(new float[] {0.3f, -3f}, 2).requiresGrad(true);
        BinarySign.apply(x, SignGradient.STE).mul(Tensor.fromArray(new float[] {2f, 5f}, 2)).sum().backward();
        assertArrayEquals(new float[] {2f, 0f}, x.grad().toArray());
    }
}
