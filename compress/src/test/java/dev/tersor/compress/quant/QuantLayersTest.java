package dev.tersor.compress.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tersor.nn.BatchNorm1d;
import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Rng;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuantLayersTest {

    /** Integer conversion by hand: every element through {@code p.dequantize(p.quantize(v, c), c)}, channel = dim 0. */
    static Tensor viaIntegers(Tensor x, QParams p) {
        float[] v = x.contiguous().toArray();
        int inner = v.length / (p.channels() == 1 ? 1 : p.channels());
        for (int i = 0; i < v.length; i++) v[i] = p.dequantize(p.quantize(v[i], i / inner), i / inner);
        return Tensor.fromArray(v, x.shape());
    }

    /** The forward is the float convolution of the integer-converted input and weight, for two methods. */
    @Test
    void convForwardEqualsIntegerConversion() {
        Rng.manualSeed(5);
        Conv2d conv = new Conv2d(3, 4, 3, 3, Conv2dOptions.of(2, 1), true);
        Tensor x = Tensor.randn(new Generator(2), 2, 3, 7, 7).relu();
        for (QuantConv2d q : List.of(new QuantConv2d(conv, LsqQuantizer.weights(4), LsqQuantizer.activations(4)),
                new QuantConv2d(conv, UniformFakeQuantizer.weights(8, 4, true), UniformFakeQuantizer.activations(8)))) {
            Tensor y = q.call(x);
            Tensor expected = Functional.conv2d(viaIntegers(x, q.inputQParams()), viaIntegers(conv.weight().value(), q.weightQParams()),
                    conv.bias().value(), conv.options());
            Fixtures.assertClose(expected.toArray(), y.toArray(), 1e-6, 1e-6, q.weightQuantizer().getClass().getSimpleName());
            assertEquals(conv.options(), q.convOptions());
        }
    }

    @Test
    void linearKeepsTheFloatKeysAndLoadsAFloatCheckpoint() {
        Linear fc = new Linear(5, 3);
        QuantLinear q = new QuantLinear(new Linear(5, 3), UniformFakeQuantizer.maxSymmetric(4), new PactQuantizer(4, 2f));
        assertEquals(List.of("weight", "bias", "weight_quant.min_val", "weight_quant.max_val", "input_quant.alpha"),
                List.copyOf(q.stateDict().keySet()));
        q.loadStateDict(fc.stateDict(), true);                          // quantizer keys are optional
        assertArrayEquals(fc.weight().value().toArray(), q.weight().toArray());
        Tensor x = Tensor.rand(new Generator(3), 4, 5);
        Tensor expected = Functional.linear(viaIntegers(x, q.inputQParams()), viaIntegers(fc.weight().value(), q.weightQParams()), fc.bias().value());
        Fixtures.assertClose(expected.toArray(), q.call(x).toArray(), 1e-6, 1e-6, "QuantLinear");
        assertNull(q.convOptions());
        QuantLinear weightOnly = new QuantLinear(fc, UniformFakeQuantizer.maxSymmetric(8), null);
        assertNull(weightOnly.inputQParams());
        q.call(x).sum().backward();
        assertNotNull(q.weightParameter().grad());
    }

    private static void randomStatistics(Tensor mean, Tensor var, Tensor gamma, Tensor beta, long seed) {
        Generator g = new Generator(seed);
        int c = mean.numel();
        try (var n = Tensor.noGrad()) {
            mean.copyInPlace(Tensor.randn(g, c).mul(0.3f));
            var.copyInPlace(Tensor.rand(g, c).add(0.5f));
            gamma.copyInPlace(Tensor.randn(g, c).mul(0.5f).add(1f));
            beta.copyInPlace(Tensor.randn(g, c).mul(0.2f));
        }
    }

    /** Folded weights and bias give what conv + batch norm give in evaluation mode; a bias is created when absent. */
    @Test
    void batchNormFoldingEqualsConvThenBatchNorm() {
        Rng.manualSeed(9);
        for (boolean withBias : new boolean[] {true, false}) {
            Conv2d conv = new Conv2d(3, 4, 3, 3, Conv2dOptions.of(1, 1), withBias);
            BatchNorm2d bn = new BatchNorm2d(4, 1e-3f, 0.1f, true, true);
            randomStatistics(bn.runningMean(), bn.runningVar(), bn.weight().value(), bn.bias().value(), 4);
            bn.eval();
            Tensor x = Tensor.randn(new Generator(6), 2, 3, 5, 5);
            Tensor reference = bn.call(conv.call(x));
            QuantConv2d q = new QuantConv2d(conv, UniformFakeQuantizer.weights(8, 4, true), null);
            q.call(x);
            q.foldBatchNorm(bn);
            assertEquals(false, q.weightQuantizer().isInitialized());   // its ranges belonged to the unfolded weights
            Tensor folded = Functional.conv2d(x, q.weight(), q.bias(), conv.options());
            Fixtures.assertClose(reference.toArray(), folded.toArray(), 1e-5, 1e-5, "folded conv, bias " + withBias);
        }
        Linear fc = new Linear(6, 3, false);
        BatchNorm1d bn1 = new BatchNorm1d(3);
        randomStatistics(bn1.runningMean(), bn1.runningVar(), bn1.weight().value(), bn1.bias().value(), 8);
        bn1.eval();
        Tensor x = Tensor.randn(new Generator(7), 4, 6);
        Tensor reference = bn1.call(fc.call(x));
        QuantLinear q = new QuantLinear(fc, LsqQuantizer.weights(8), null);
        q.foldBatchNorm(bn1);
        Fixtures.assertClose(reference.toArray(), Functional.linear(x, q.weight(), q.bias()).toArray(), 1e-5, 1e-5, "folded linear");
        assertEquals(List.of("weight", "bias", "weight_quant.step", "weight_quant.initialized", "weight_quant.signed"),
                List.copyOf(q.stateDict().keySet()));
        assertThrows(IllegalArgumentException.class, () -> q.foldBatchNorm(new BatchNorm1d(4)));
        assertThrows(IllegalArgumentException.class, () -> q.foldBatchNorm(new BatchNorm1d(3, 1e-5f, 0.1f, true, false)));
    }
}
