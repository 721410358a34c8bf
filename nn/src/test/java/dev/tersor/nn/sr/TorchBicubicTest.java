package dev.tersor.nn.sr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** PyTorch's bicubic (a = −0.75, align_corners=False, clamped edges), by hand. */
class TorchBicubicTest {

    @Test
    void tapWeightsAreKeysCubicWithAMinusThreeQuarters() {
        assertArrayEquals(new double[] {0, 1, 0, 0}, TorchBicubic.weights(0), 1e-15);
        assertArrayEquals(new double[] {-0.09375, 0.59375, 0.59375, -0.09375}, TorchBicubic.weights(0.5), 1e-15);
        assertArrayEquals(new double[] {-0.10546875, 0.87890625, 0.26171875, -0.03515625}, TorchBicubic.weights(0.25), 1e-15);
    }

    /**
     * [0, 100] ×2: outputs at u = −0.25, 0.25, 0.75, 1.25; e.g. the first has x0 = −1, t = 0.75,
     * taps at pixels (−2, −1, 0, 1) clamped to (0, 0, 0, 1): 100·w(1.25) = 100·(−0.10546875).
     */
    @Test
    void twoPixelsUpsampledByTwoOvershootAtTheEdges() {
        Tensor y = TorchBicubic.upsample(Tensor.fromArray(new float[] {0, 100}, 1, 1, 1, 2), 2);
        assertArrayEquals(new int[] {1, 1, 2, 4}, y.shape());
        float[] row = {-10.546875f, 22.65625f, 77.34375f, 110.546875f};
        float[] v = y.toArray();
        for (int r = 0; r < 2; r++) for (int x = 0; x < 4; x++) assertEquals(row[x], v[r * 4 + x], 1e-4, "row " + r + ", x " + x);
        // the same along the height
        float[] col = TorchBicubic.upsample(Tensor.fromArray(new float[] {0, 100}, 1, 1, 2, 1), 2).toArray();
        assertArrayEquals(new float[] {-10.546875f, -10.546875f, 22.65625f, 22.65625f, 77.34375f, 77.34375f, 110.546875f, 110.546875f},
                col, 1e-4f);
    }

    @Test
    void constantsStayAndFactorOneIsTheIdentity() {
        Tensor c = Tensor.full(42f, 2, 3, 3, 5);
        for (float v : TorchBicubic.upsample(c, 4).toArray()) assertEquals(42f, v, 1e-4f);
        Tensor x = Tensor.rand(new dev.tersor.tensor.Generator(1), 1, 2, 3, 4);
        assertArrayEquals(x.toArray(), TorchBicubic.upsample(x, 1).toArray(), 1e-6f);
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> TorchBicubic.upsample(Tensor.zeros(3, 4, 4), 2));
        assertThrows(IllegalArgumentException.class, () -> TorchBicubic.upsample(Tensor.zeros(1, 3, 4, 4), 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchBicubic.upsample(Tensor.zeros(1, 3, 4, 4).requiresGrad(true), 2));
        assertTrue(e.getMessage().contains("no gradient"), e.getMessage());
    }
}
