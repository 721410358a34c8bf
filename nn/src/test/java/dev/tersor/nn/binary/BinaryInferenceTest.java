package dev.tersor.nn.binary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.Sequential;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Packed inference equals the training-mode layers' eval forward exactly. */
class BinaryInferenceTest {
    private static final BinaryOptions[] OPTIONS = {BinaryOptions.xnor(), BinaryOptions.biReal(), BinaryOptions.rbnn(),
            BinaryOptions.biReal().withScale(WeightScale.NONE)};

    private static void assertSame(Module layer, Module packed, Tensor x, String what) {
        layer.eval();
        Tensor want, got;
        try (var g = Tensor.noGrad()) {
            want = layer.call(x);
            got = packed.call(x);
        }
        assertArrayEquals(want.shape(), got.shape(), what);
        assertArrayEquals(want.toArray(), got.toArray(), 0f, what);
    }

    @Test
    void convOnOddChannelCountsStridesAndPadding() {
        long seed = 0;
        for (int c : new int[] {3, 63, 65, 130}) {
            for (int stride : new int[] {1, 2}) {
                for (int pad : new int[] {0, 1}) {
                    BinaryOptions o = OPTIONS[(int) (seed % OPTIONS.length)];
                    Rng.manualSeed(seed);
                    BinaryConv2d conv = new BinaryConv2d(c, 7, 3, 3, Conv2dOptions.of(stride, pad), seed % 3 == 0, o);
                    if (o.rotation()) conv.startEpoch(1, 4);
                    Tensor x = Tensor.randn(new Generator(100 + seed), 2, c, 6, 7);
                    assertSame(conv, conv.toInference(), x, "C=" + c + " stride " + stride + " pad " + pad + " " + o);
                    seed++;
                }
            }
        }
    }

    @Test
    void linearOnOddWidths() {
        long seed = 50;
        for (int in : new int[] {3, 63, 65, 130}) {
            for (BinaryOptions o : OPTIONS) {
                Rng.manualSeed(seed);
                BinaryLinear fc = new BinaryLinear(in, 11, seed % 2 == 0, o);
                if (o.rotation()) fc.startEpoch(0, 2);
                assertSame(fc, fc.toInference(), Tensor.randn(new Generator(seed), 5, in), "in=" + in + " " + o);
                seed++;
            }
        }
    }

    @Test
    void zeroInputsAndTrainedWeights() {
        Rng.manualSeed(60);
        BinaryConv2d conv = new BinaryConv2d(5, 4, 3, 1, 1);
        // a few optimizer-like steps so alpha and the signs are not the initial ones
        for (int i = 0; i < 3; i++) {
            conv.call(Tensor.randn(new Generator(i), 2, 5, 4, 4)).sum().backward();
            try (var g = Tensor.noGrad()) {
                conv.weight().value().addInPlace(conv.weight().grad(), -0.05f);
            }
            conv.zeroGrad();
        }
        assertSame(conv, conv.toInference(), Tensor.zeros(1, 5, 4, 4), "zeros");
    }

    @Test
    void convertReplacesEveryBinaryLayer() {
        Rng.manualSeed(61);
        Sequential net = new Sequential();
        net.add(new BinaryConv2d(3, 8, 3, 1, 1));
        net.add(new dev.tersor.nn.BatchNorm2d(8));
        net.add(new BinaryConv2d(8, 8, 3, 2, 1, BinaryOptions.rbnn()));
        net.add(new dev.tersor.nn.Flatten());
        net.add(new BinaryLinear(8 * 3 * 3, 5));
        BinaryTraining.startEpoch(net, 0, 3);
        Tensor x = Tensor.randn(new Generator(62), 4, 3, 6, 6);
        // fill the batch-norm running statistics
        net.train();
        net.call(x);
        net.eval();
        Tensor want;
        try (var g = Tensor.noGrad()) {
            want = net.call(x);
        }
        assertEquals(3, BinaryInference.countBinaryLayers(net));
        Module packed = BinaryInference.convert(net);
        assertEquals(0, BinaryInference.countBinaryLayers(packed));
        assertTrue(packed.get("0") instanceof PackedBinaryConv2d);
        assertTrue(packed.get("4") instanceof PackedBinaryLinear);
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(want.toArray(), packed.call(x).toArray(), 0f);
        }
    }
}
