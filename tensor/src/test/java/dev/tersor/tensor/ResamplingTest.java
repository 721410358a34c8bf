package dev.tersor.tensor;

import static dev.tersor.tensor.ConvolutionTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import dev.tersor.tensor.testing.Fixtures;
import org.junit.jupiter.api.Test;

class ResamplingTest {

    // ---- interpolate ----

    @Test
    void interpolateGradients() {
        for (InterpolationMode mode : InterpolationMode.values()) {
            GradCheck.check(in -> Functional.interpolate(in[0], 7, 5, mode, false), GradCheck.leaf(1, 1, 2, 3, 4));
            GradCheck.check(in -> Functional.interpolate(in[0], 2, 3, mode, false), GradCheck.leaf(2, 2, 1, 5, 7));
            GradCheck.check(in -> Functional.interpolate(in[0].transpose(2, 3), 4, 6, mode, false), GradCheck.leaf(3, 1, 2, 3, 2));
            GradCheck.check(in -> Functional.interpolate(in[0], 2.0, mode, false), GradCheck.leaf(4, 1, 1, 3, 2));
        }
        GradCheck.check(in -> Functional.interpolate(in[0], 6, 1, InterpolationMode.BILINEAR, true), GradCheck.leaf(5, 1, 2, 3, 4));
        GradCheck.check(in -> Functional.interpolate(in[0], 3, 2, InterpolationMode.BILINEAR, true), GradCheck.leaf(6, 1, 1, 1, 5));
    }

    @Test
    void nearestHandComputed() {
        // 3 → 7: src = ⌊dst·3/7⌋ = 0 0 0 1 1 2 2
        Tensor x = Tensor.fromArray(new float[] {10, 20, 30}, 1, 1, 1, 3);
        assertArrayEquals(new float[] {10, 10, 10, 20, 20, 30, 30},
                Functional.interpolate(x, 1, 7, InterpolationMode.NEAREST, false).toArray());
        // 4 → 3: ⌊dst·4/3⌋ = 0 1 2
        Tensor y = Tensor.fromArray(new float[] {1, 2, 3, 4}, 1, 1, 1, 4);
        assertArrayEquals(new float[] {1, 2, 3}, Functional.interpolate(y, 1, 3, InterpolationMode.NEAREST, false).toArray());
    }

    @Test
    void bilinearHandComputed() {
        Tensor x = Tensor.fromArray(new float[] {0, 4}, 1, 1, 1, 2);
        // align corners, 2 → 5: sources 0, 0.25, 0.5, 0.75, 1
        assertArrayEquals(new float[] {0, 1, 2, 3, 4}, Functional.interpolate(x, 1, 5, InterpolationMode.BILINEAR, true).toArray());
        // half-pixel, 2 → 4: sources max(-0.25, 0) = 0, 0.25, 0.75, 1.25 (clamped to the last pixel)
        assertArrayEquals(new float[] {0, 1, 3, 4}, Functional.interpolate(x, 1, 4, InterpolationMode.BILINEAR, false).toArray());
        // the gradient of the half-pixel case: weights (1,0), (.75,.25), (.25,.75), (0,1) per output
        Tensor leaf = x.detach().requiresGrad(true);
        Functional.interpolate(leaf, 1, 4, InterpolationMode.BILINEAR, false).sum().backward();
        Fixtures.assertClose(new float[] {2, 2}, leaf.grad().toArray(), 1e-6, 0, "bilinear gradient");
    }

    @Test
    void interpolateRejectsBadInputs() {
        assertMessage(() -> Functional.interpolate(Tensor.zeros(2, 3, 4), 4, 4, InterpolationMode.NEAREST, false),
                "interpolate", "[2, 3, 4]", "4-D");
        assertMessage(() -> Functional.interpolate(Tensor.zeros(1, 1, 2, 2), 0, 4, InterpolationMode.BILINEAR, false),
                "interpolate", "output size", "[1, 1, 2, 2]");
        assertMessage(() -> Functional.interpolate(Tensor.zeros(1, 1, 2, 2), 4, 4, InterpolationMode.NEAREST, true),
                "interpolate", "alignCorners");
        assertMessage(() -> Functional.interpolate(Tensor.zeros(1, 1, 2, 2), -1.0, InterpolationMode.NEAREST, false),
                "interpolate", "scale");
    }

    // ---- pixel shuffle ----

    @Test
    void pixelShuffleHandComputed() {
        // [1, 4, 1, 1] channels 0..3 → [1, 1, 2, 2] laid out row-major
        Tensor x = Tensor.arange(4).reshape(1, 4, 1, 1);
        Tensor y = Functional.pixelShuffle(x, 2);
        assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3}, y.toArray());
        // y[c, h·r + i, w·r + j] = x[c·r² + i·r + j, h, w] on a 2×2 plane
        Tensor big = Tensor.arange(16).reshape(1, 4, 2, 2);
        assertArrayEquals(new float[] {0, 4, 1, 5, 8, 12, 9, 13, 2, 6, 3, 7, 10, 14, 11, 15},
                Functional.pixelShuffle(big, 2).toArray());
        assertArrayEquals(big.toArray(), Functional.pixelUnshuffle(Functional.pixelShuffle(big, 2), 2).toArray());
        Tensor same = Functional.pixelShuffle(big, 1);
        assertNotSame(big.storage, same.storage);   // always a new tensor, never a view of the input
    }

    @Test
    void pixelShuffleGradients() {
        GradCheck.check(in -> Functional.pixelShuffle(in[0], 2), GradCheck.leaf(7, 2, 8, 2, 3));
        GradCheck.check(in -> Functional.pixelUnshuffle(in[0].transpose(2, 3), 2), GradCheck.leaf(8, 1, 2, 6, 4));
        GradCheck.check(in -> Functional.pixelShuffle(in[0], 3), GradCheck.leaf(9, 9, 1, 2));   // 3-D input
    }

    @Test
    void pixelShuffleRejectsBadInputs() {
        assertMessage(() -> Functional.pixelShuffle(Tensor.zeros(1, 6, 2, 2), 2), "pixelShuffle", "[1, 6, 2, 2]", "divisible");
        assertMessage(() -> Functional.pixelUnshuffle(Tensor.zeros(1, 1, 3, 4), 2), "pixelUnshuffle", "[1, 1, 3, 4]", "divisible");
        assertMessage(() -> Functional.pixelShuffle(Tensor.zeros(4, 4), 2), "pixelShuffle", "[4, 4]");
        assertMessage(() -> Functional.pixelShuffle(Tensor.zeros(1, 4, 1, 1), 0), "pixelShuffle", "positive");
    }
}
