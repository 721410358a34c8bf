package dev.tersor.nn.adder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Rng;
import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.lowbit.Adder;
import dev.tersor.tensor.lowbit.AdderBackward;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AdderConv2d, AdderLinear and AdderResidual: the math is the tensor op's, the state is the layer's. */
class AdderLayersTest {

    @Test
    void convolutionLayerRunsTheAdderOp() {
        Rng.manualSeed(1);
        AdderConv2d conv = new AdderConv2d(3, 4, 3, 2, 1);
        assertEquals(List.of("weight"), List.copyOf(conv.stateDict().keySet()));
        assertArrayEquals(new int[] {4, 3, 3, 3}, conv.weight().shape());
        Tensor x = Tensor.randn(new Generator(2), 2, 3, 7, 7);
        Tensor y = conv.call(x);
        assertArrayEquals(new int[] {2, 4, 4, 4}, y.shape());
        assertArrayEquals(Adder.conv2d(x, conv.weight().value(), Conv2dOptions.of(2, 1)).toArray(), y.toArray());
        assertTrue(conv.toString().contains("3, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), eta=0.2"), conv.toString());

        AdderConv2d biased = new AdderConv2d(3, 4, 3, 3, Conv2dOptions.DEFAULT, true, AdderBackward.EXACT);
        assertEquals(List.of("weight", "bias"), List.copyOf(biased.stateDict().keySet()));
        biased.bias().value().detach().fillInPlace(2f);
        Tensor plain = Adder.conv2d(x, biased.weight().value(), Conv2dOptions.DEFAULT);
        assertArrayEquals(plain.add(2f).toArray(), biased.call(x).toArray(), 1e-4f);
        assertThrows(IllegalArgumentException.class, () -> new AdderConv2d(4, 4, 3, 3, Conv2dOptions.DEFAULT.withGroups(2), false,
                AdderBackward.ADDERNET));
    }

    @Test
    void linearLayerRunsTheAdderOp() {
        Rng.manualSeed(3);
        AdderLinear fc = new AdderLinear(5, 3);
        Tensor x = Tensor.randn(new Generator(4), 4, 5);
        assertArrayEquals(Adder.linear(x, fc.weight().value()).toArray(), fc.call(x).toArray());
        assertNull(fc.bias());
        assertTrue(fc.toString().contains("in_features=5, out_features=3, bias=false, eta=0.2"), fc.toString());
    }

    /** The adaptive learning rate reaches the optimizer as the gradient's norm: η·√k, whatever the loss scale. */
    @Test
    void weightGradientNormIsEtaRootK() {
        Rng.manualSeed(5);
        AdderConv2d conv = new AdderConv2d(2, 3, 3);
        Tensor x = Tensor.randn(new Generator(6), 2, 2, 6, 6);
        for (float lossScale : new float[] {1e-3f, 1f, 1e3f}) {
            conv.zeroGrad();
            conv.call(x).mul(lossScale).sum().backward();
            double norm = 0;
            for (float v : conv.weight().grad().toArray()) norm += (double) v * v;
            assertEquals(0.2 * Math.sqrt(3 * 2 * 3 * 3), Math.sqrt(norm), 1e-4);
        }
        conv.setBackward(AdderBackward.ADDERNET.withEta(0.5));
        conv.zeroGrad();
        conv.call(x).sum().backward();
        double norm = 0;
        for (float v : conv.weight().grad().toArray()) norm += (double) v * v;
        assertEquals(0.5 * Math.sqrt(54), Math.sqrt(norm), 1e-4);
    }

    @Test
    void modelHelpersFindTheAdderWeights() {
        Rng.manualSeed(11);
        AdderResidual block = new AdderResidual(new dev.tersor.nn.Sequential(new AdderConv2d(2, 2, 3, 1, 1),
                new dev.tersor.nn.BatchNorm2d(2), new AdderResidual(2, 1)));
        List<dev.tersor.nn.Parameter> adder = AdderNets.adderWeights(block), others = AdderNets.otherParameters(block);
        assertEquals(2, adder.size());
        assertEquals(2, others.size());   // the batch norm's weight and bias
        assertEquals(block.parameters().size(), adder.size() + others.size());
        assertEquals(2, AdderNets.setBackward(block, AdderBackward.EXACT));
        assertEquals(AdderBackward.EXACT, ((AdderConv2d) block.get("body.0")).backward());
    }

    @Test
    void residualAddsTheIdentity() {
        Rng.manualSeed(7);
        AdderResidual block = new AdderResidual(3, 3);
        assertEquals(List.of("body.weight"), List.copyOf(block.stateDict().keySet()));
        Tensor x = Tensor.randn(new Generator(8), 1, 3, 5, 5).requiresGrad(true);
        Tensor y = block.call(x);
        assertArrayEquals(x.add(block.body().call(x)).toArray(), y.toArray(), 1e-4f);

        // The shortcut's gradient is the identity: with a frozen body whose input gradient we
        // know (the AdderNet rule), dy/dx = 1 + that.
        AdderConv2d body = (AdderConv2d) block.body();
        Tensor g = Tensor.randn(new Generator(9), 1, 3, 5, 5);
        block.call(x).backward(g);
        Tensor viaBlock = x.grad();
        x.zeroGrad();
        body.call(x).backward(g);
        assertArrayEquals(viaBlock.toArray(), x.grad().add(g).toArray(), 1e-5f);

        assertThrows(IllegalArgumentException.class, () -> new AdderResidual(3, 2));
        var e = assertThrows(IllegalArgumentException.class, () -> new AdderResidual(new AdderConv2d(3, 3, 3)).call(x));
        assertTrue(e.getMessage().contains("same shape"), e.getMessage());
    }
}
