package dev.tersor.compress.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.compress.quant.QParams;
import dev.tersor.compress.quant.QuantLayer;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConversionTest {

    /** (q − zp)·s of every element, channel = index / per (per = numel for per-tensor parameters). */
    private static Tensor fakeQuant(Tensor t, QParams p) {
        float[] v = t.contiguous().toArray();
        int per = p.isPerChannel() ? v.length / p.channels() : v.length;
        for (int i = 0; i < v.length; i++) v[i] = p.dequantize(p.quantize(v[i], i / per), i / per);
        return Tensor.fromArray(v, t.shape());
    }

    private static void assertClose(Tensor expected, Tensor actual, float step, String what) {
        float[] e = expected.toArray(), a = actual.toArray();
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(e[i] - a[i]) <= step, what + " element " + i + ": " + e[i] + " vs " + a[i]);
        }
    }

    @Test
    void convolutionsOfOddShapesMatchTheFakeQuantizedFloatConvolution() {
        Rng.manualSeed(11);
        Conv2dOptions[] options = {Conv2dOptions.of(1, 1), new Conv2dOptions(2, 2, 1, 0, 1, 1, 1), new Conv2dOptions(1, 1, 2, 2, 2, 2, 3),
            new Conv2dOptions(1, 1, 1, 1, 1, 1, 6)};
        int[][] io = {{3, 5}, {7, 9}, {6, 9}, {6, 6}};
        for (int c = 0; c < options.length; c++) {
            Conv2d conv = new Conv2d(io[c][0], io[c][1], 3, 3, options[c], c % 2 == 0);
            for (int bits : new int[] {8, 4}) {
                QuantLayer q = layer(conv, bits);
                Module int8 = Conversion.layer(q);
                Tensor x = Tensor.randn(new Generator(c), 2, io[c][0], 11, 13);
                Tensor expected = Functional.conv2d(fakeQuant(x, q.inputQParams()), fakeQuant(q.weight(), q.weightQParams()),
                        q.bias(), options[c]);
                Tensor actual;
                try (var g = Tensor.noGrad()) {
                    actual = int8.call(x);
                }
                assertClose(expected, actual, 1e-4f, "conv case " + c + " w" + bits);
            }
        }
    }

    @Test
    void linearLayersMatchTheFakeQuantizedFloatProduct() {
        Rng.manualSeed(12);
        for (int[] s : new int[][] {{1, 1}, {7, 3}, {64, 65}, {400, 120}}) {
            Linear l = new Linear(s[0], s[1]);
            QuantLayer q = layer(l, 8);
            Tensor x = Tensor.randn(new Generator(s[0]), 5, s[0]);
            Tensor expected = Functional.linear(fakeQuant(x, q.inputQParams()), fakeQuant(q.weight(), q.weightQParams()), q.bias());
            Tensor actual;
            try (var g = Tensor.noGrad()) {
                actual = Conversion.layer(q).call(x);
            }
            assertClose(expected, actual, 1e-4f, "linear " + s[0] + "→" + s[1]);
        }
    }

    /** Weight-only integer linear layers keep a byte per weight and multiply the float input by the dequantized weights. */
    @Test
    void weightOnlyLinearLayersRunOnTheirBytes() {
        Rng.manualSeed(13);
        for (int[] s : new int[][] {{7, 3}, {400, 120}}) {
            for (int rows : new int[] {1, 40}) {
                Linear l = new Linear(s[0], s[1]);
                QuantLayer q8 = layer(l, 8);
                QuantLayer q = new TestLayers.Layer(q8.weight(), q8.bias(), q8.weightQParams(), null, null);
                CompressedLinear converted = (CompressedLinear) Conversion.layer(q);
                Tensor x = Tensor.randn(new Generator(s[0] + rows), rows, s[0]);
                Tensor expected = Functional.linear(x, fakeQuant(q.weight(), q.weightQParams()), q.bias());
                Tensor actual;
                try (var g = Tensor.noGrad()) {
                    actual = converted.call(x);
                }
                assertClose(expected, actual, 1e-4f, "weight-only linear " + s[0] + "→" + s[1] + ", " + rows + " rows");
                assertEquals((long) s[0] * s[1] + 8L * s[1], converted.residentBytes(), "a byte per weight, scale and bias per channel");
                assertTrue(converted.toString().contains("weight-only kernel="), converted.toString());
                assertEquals(q.weight().numel(), converted.integerWeights().length);
            }
        }
    }

    private static QuantLayer layer(Module m, int bits) {
        return TestLayers.all(new Holder(m), bits).get("m");
    }

    private static final class Holder extends Module {
        Holder(Module m) {
            register("m", m);
        }

        @Override
        public Tensor forward(Tensor x) {
            return child("m").call(x);
        }
    }

    @Test
    void convertReplacesExactlyTheGivenPaths() {
        Module model = CompressedFixtures.lenet5(8);
        for (String p : new String[] {"conv1", "conv2"}) assertInstanceOf(CompressedConv2d.class, model.get(p));
        for (String p : new String[] {"fc1", "fc2", "fc3"}) assertInstanceOf(CompressedLinear.class, model.get(p));
        assertEquals(0, model.parameters().size(), "integer layers hold no trainable parameters");
        Module fresh = dev.tersor.nn.zoo.Zoo.create("lenet5");
        Map<String, QuantLayer> layers = TestLayers.all(fresh, 8);
        layers.put("conv7", layers.get("conv1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Conversion.convert(fresh, layers));
        assertTrue(e.getMessage().contains("conv7"), e.getMessage());
    }
}
