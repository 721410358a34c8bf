package dev.tersor.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradClipTest {

    private static Parameter withGrad(float... g) {
        Parameter p = new Parameter(Tensor.zeros(g.length));
        Golden.setGrad(p, Tensor.fromArray(g, g.length));
        return p;
    }

    @Test
    void twoNormScalesEveryGradientByTheSameFactor() {
        Parameter a = withGrad(3, -4), b = withGrad(12), none = new Parameter(Tensor.ones(5));
        double norm = GradClip.clipGradNorm(List.of(a, none, b), 1.3);
        assertEquals(13.0, norm, 1e-6);
        double coef = 1.3 / (13 + 1e-6);
        assertArrayEquals(new float[] {(float) (3 * coef), (float) (-4 * coef)}, a.grad().toArray(), 1e-6f);
        assertArrayEquals(new float[] {(float) (12 * coef)}, b.grad().toArray(), 1e-6f);
        assertNull(none.grad());
        // after clipping the total norm is (just under) maxNorm
        assertEquals(1.3, GradClip.clipGradNorm(List.of(a, b), 100), 1e-6);
    }

    @Test
    void gradientsBelowTheLimitAreUnchanged() {
        Parameter a = withGrad(0.3f, -0.4f);
        assertEquals(0.5, GradClip.clipGradNorm(List.of(a), 0.5 + 1e-3), 1e-7);
        assertArrayEquals(new float[] {0.3f, -0.4f}, a.grad().toArray());
    }

    @Test
    void otherNorms() {
        Parameter a = withGrad(1, -2), b = withGrad(-7, 3);
        assertEquals(7.0, GradClip.clipGradNorm(List.of(a, b), 100, Double.POSITIVE_INFINITY), 0);
        assertEquals(13.0, GradClip.clipGradNorm(List.of(a, b), 100, 1), 1e-5);
        double p3 = Math.pow(1 + 8 + 343 + 27, 1 / 3.0);
        assertEquals(p3, GradClip.clipGradNorm(List.of(a, b), 100, 3), 1e-5);
        assertEquals(13.0, GradClip.clipGradNorm(List.of(a, b), 6.5, 1), 1e-5);
        assertArrayEquals(new float[] {0.5f, -1f}, a.grad().toArray(), 1e-6f);   // halved
        assertArrayEquals(new float[] {-3.5f, 1.5f}, b.grad().toArray(), 1e-6f);
    }

    @Test
    void noGradientsGiveZero() {
        assertEquals(0.0, GradClip.clipGradNorm(List.of(new Parameter(Tensor.ones(2))), 1.0));
    }

    @Test
    void nonFiniteNormIsAnErrorOnRequestNamingTheParameter() {
        Parameter a = withGrad(1, 2), b = withGrad(Float.NaN, 1), c = withGrad(Float.POSITIVE_INFINITY);
        var e = assertThrows(IllegalStateException.class, () -> GradClip.clipGradNorm(List.of(a, b, c), 1.0, 2.0, true));
        assertTrue(e.getMessage().contains("#1 (NaN)") && e.getMessage().contains("#2 (Infinity)"), e.getMessage());
        assertArrayEquals(new float[] {1, 2}, a.grad().toArray());   // nothing changed

        var inf = assertThrows(IllegalStateException.class, () -> GradClip.clipGradNorm(List.of(a, c), 1.0, 2.0, true));
        assertTrue(inf.getMessage().contains("Infinity"), inf.getMessage());
    }

    @Test
    void nonFiniteNormIsReturnedAndPropagatedAsPyTorchOtherwise() {
        Parameter a = withGrad(1, 2), b = withGrad(Float.NaN, 1);
        assertTrue(Double.isNaN(GradClip.clipGradNorm(List.of(a, b), 1.0)));
        assertTrue(Float.isNaN(a.grad().toArray()[0]));   // torch multiplies by the NaN coefficient too

        Parameter c = withGrad(1, 2), d = withGrad(Float.POSITIVE_INFINITY);
        assertEquals(Double.POSITIVE_INFINITY, GradClip.clipGradNorm(List.of(c, d), 1.0));
        assertArrayEquals(new float[] {0, 0}, c.grad().toArray());   // scaled by max / inf = 0
    }

    @Test
    void argumentsAreValidated() {
        Parameter a = withGrad(1);
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(List.of(a), -1));
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(List.of(a), Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(List.of(a), 1, 0));
    }
}
