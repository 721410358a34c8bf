package dev.tersor.nn.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Parameter;
import dev.tersor.nn.init.Init.FanMode;
import dev.tersor.nn.init.Init.Nonlinearity;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

class InitTest {
    /** A conv weight [out, in, kh, kw]: fanIn = 64·9 = 576, fanOut = 128·9 = 1152; 73 728 values. */
    static final int[] CONV = {128, 64, 3, 3};

    private static double[] stats(Tensor t) {
        float[] v = t.toArray();
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0, sq = 0;
        for (float x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
            sum += x;
        }
        double mean = sum / v.length;
        for (float x : v) sq += (x - mean) * (x - mean);
        return new double[] {min, max, mean, Math.sqrt(sq / v.length)};
    }

    private static void assertUniform(Tensor t, double bound) {
        double[] s = stats(t);
        assertTrue(s[0] >= -bound && s[1] <= bound, () -> "values outside ±" + bound + ": [" + s[0] + ", " + s[1] + "]");
        assertEquals(-bound, s[0], 2e-3 * bound, "min");
        assertEquals(bound, s[1], 2e-3 * bound, "max");
        assertEquals(bound / Math.sqrt(3), s[3], 0.02 * bound / Math.sqrt(3), "std");
    }

    private static void assertNormal(Tensor t, double mean, double std) {
        double[] s = stats(t);
        assertEquals(mean, s[2], 0.02 * std, "mean");
        assertEquals(std, s[3], 0.02 * std, "std");
    }

    @Test
    void fansFollowPyTorch() {
        assertEquals(new Init.Fans(576, 1152), Init.fans(CONV));
        assertEquals(new Init.Fans(784, 10), Init.fans(Tensor.zeros(10, 784)));   // Linear weight [out, in]
        assertEquals(new Init.Fans(3 * 2 * 5 * 7, 4 * 2 * 5 * 7), Init.fans(4, 3, 2, 5, 7));   // conv3d
        assertEquals(45, Init.fanIn(Tensor.zeros(6, 5, 9)));
        assertEquals(54, Init.fanOut(Tensor.zeros(6, 5, 9)));
        var e = assertThrows(IllegalArgumentException.class, () -> Init.fans(Tensor.zeros(5)));
        assertTrue(e.getMessage().contains("[5]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Init.xavierUniform(Tensor.zeros(5), new Generator(0)));
    }

    @Test
    void gainsFollowPyTorch() {
        for (Nonlinearity n : new Nonlinearity[] {Nonlinearity.LINEAR, Nonlinearity.CONV2D, Nonlinearity.CONV_TRANSPOSE3D, Nonlinearity.SIGMOID}) {
            assertEquals(1.0, Init.calculateGain(n));
        }
        assertEquals(5.0 / 3, Init.calculateGain(Nonlinearity.TANH), 1e-15);
        assertEquals(1.4142135623730951, Init.calculateGain(Nonlinearity.RELU), 1e-15);
        assertEquals(1.4141428569978354, Init.calculateGain(Nonlinearity.LEAKY_RELU), 1e-15);      // slope 0.01
        assertEquals(1.3867504905630728, Init.calculateGain(Nonlinearity.LEAKY_RELU, 0.2), 1e-15);
        assertEquals(0.5773502691896258, Init.calculateGain(Nonlinearity.LEAKY_RELU, Math.sqrt(5)), 1e-15);
        assertEquals(0.75, Init.calculateGain(Nonlinearity.SELU));
    }

    @Test
    void uniformStaysInItsRange() {
        Tensor t = Init.uniform(Tensor.zeros(CONV), -0.5, 2.0, new Generator(1));
        double[] s = stats(t);
        assertTrue(s[0] >= -0.5 && s[1] <= 2.0);
        assertEquals(-0.5, s[0], 1e-3);
        assertEquals(2.0, s[1], 1e-3);
        assertEquals(0.75, s[2], 0.02);
        assertThrows(IllegalArgumentException.class, () -> Init.uniform(Tensor.zeros(2), 1, 0, new Generator(1)));
    }

    @Test
    void xavierUniformBound() {
        Generator gen = new Generator(2);
        assertUniform(Init.xavierUniform(Tensor.zeros(CONV), gen), Math.sqrt(6.0 / (576 + 1152)));
        assertUniform(Init.xavierUniform(Tensor.zeros(CONV), 5.0 / 3, gen), 5.0 / 3 * Math.sqrt(6.0 / (576 + 1152)));
    }

    @Test
    void kaimingUniformBound() {
        Generator gen = new Generator(3);
        // defaults: a = 0, fan-in, leaky ReLU → gain √2, bound √(6 / fanIn)
        assertUniform(Init.kaimingUniform(Tensor.zeros(CONV), gen), Math.sqrt(6.0 / 576));
        // PyTorch's Linear/Conv default: a = √5 → bound 1/√fanIn
        assertUniform(Init.kaimingUniform(Tensor.zeros(CONV), Math.sqrt(5), FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, gen),
                1 / Math.sqrt(576));
        assertUniform(Init.kaimingUniform(Tensor.zeros(CONV), 0, FanMode.FAN_OUT, Nonlinearity.RELU, gen),
                Math.sqrt(2) * Math.sqrt(3.0 / 1152));
    }

    @Test
    void normalStatistics() {
        Generator gen = new Generator(4);
        assertNormal(Init.normal(Tensor.zeros(CONV), 0.5, 0.02, gen), 0.5, 0.02);
        assertNormal(Init.xavierNormal(Tensor.zeros(CONV), gen), 0, Math.sqrt(2.0 / (576 + 1152)));
        assertNormal(Init.xavierNormal(Tensor.zeros(CONV), 2.0, gen), 0, 2 * Math.sqrt(2.0 / (576 + 1152)));
        assertNormal(Init.kaimingNormal(Tensor.zeros(CONV), gen), 0, Math.sqrt(2.0 / 576));
        assertNormal(Init.kaimingNormal(Tensor.zeros(CONV), 0, FanMode.FAN_OUT, Nonlinearity.RELU, gen), 0, Math.sqrt(2.0 / 1152));
        assertNormal(Init.kaimingNormal(Tensor.zeros(CONV), 0, FanMode.FAN_IN, Nonlinearity.TANH, gen), 0, 5.0 / 3 / Math.sqrt(576));
        assertThrows(IllegalArgumentException.class, () -> Init.normal(Tensor.zeros(2), 0, -1, gen));
    }

    @Test
    void constantsFill() {
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f}, Init.constant(Tensor.ones(3), 0.25).toArray());
        assertArrayEquals(new float[] {0, 0}, Init.zeros(Tensor.ones(2)).toArray());
        assertArrayEquals(new float[] {1, 1}, Init.ones(Tensor.zeros(2)).toArray());
    }

    @Test
    void worksInPlaceOnParametersThatRequireGrad() {
        Parameter w = new Parameter(Tensor.zeros(8, 4, 3, 3));
        Tensor before = w.value();
        assertSame(w, Init.kaimingUniform(w, Math.sqrt(5), FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, new Generator(5)));
        assertSame(before, w.value());
        assertTrue(w.value().requiresGrad() && w.value().isLeaf());
        double bound = 1 / Math.sqrt(36);
        for (float x : w.value().toArray()) assertTrue(Math.abs(x) <= bound);
        Init.zeros(w);
        assertArrayEquals(new float[8 * 4 * 9], w.value().toArray());
        Init.xavierNormal(w, 1.0, new Generator(5));
        Init.normal(w, 0, 1, new Generator(5));
        Init.uniform(w, 0, 1, new Generator(5));
        Init.ones(w);
        Init.constant(w, 2);
        Init.xavierUniform(w, 1.0, new Generator(5));
        Init.kaimingNormal(w, 0, FanMode.FAN_OUT, Nonlinearity.RELU, new Generator(5));
        assertTrue(w.value().isLeaf());
    }

    @Test
    void sameSeedSameValues() {
        Tensor a = Init.kaimingNormal(Tensor.zeros(16, 8), new Generator(42));
        Tensor b = Init.kaimingNormal(Tensor.zeros(16, 8), new Generator(42));
        assertArrayEquals(a.toArray(), b.toArray());
    }

    @Test
    void emptyTensorsAreLeftAlone() {
        Tensor empty = Tensor.zeros(0, 3);
        assertSame(empty, Init.kaimingUniform(empty, new Generator(0)));
        assertSame(empty, Init.xavierNormal(empty, new Generator(0)));
    }

    @Test
    void worksOnViews() {
        Tensor base = Tensor.zeros(6, 4);
        Tensor view = base.transpose(0, 1);   // [4, 6], not contiguous
        Init.ones(view);
        assertArrayEquals(Tensor.ones(6, 4).toArray(), base.toArray());
        Init.uniform(view, 2, 3, new Generator(0));
        for (float x : base.toArray()) assertTrue(x >= 2 && x <= 3);
    }
}
