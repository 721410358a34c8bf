package dev.tersor.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.Rng;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SupernetTest {
    private final ChainSpace space = ChainSpace.fashionTiny();

    private static Tensor input(long seed, int n, int side) {
        return Tensor.randn(new Generator(seed), n, 1, side, side);
    }

    private static IntTensor labels(int... v) {
        return IntTensor.of(v, v.length);
    }

    /** fashion-tiny's stages with GhostSR's shift op among the candidates. */
    static ChainSpace withShift() {
        return ChainSpace.of("chain-shift", new int[] {1, 28, 28}, 10, 8,
                List.of(OpSpec.parse("conv_3x3"), OpSpec.parse("shift_conv_3x3"), OpSpec.skip()),
                new ChainSpace.Stage(16, 1, 2), new ChainSpace.Stage(16, 1, 1));
    }

    @Test
    void extractedNetworkEqualsTheSupernetPathBitForBit() {
        extractionIsExact(space);
    }

    @Test
    void aShiftCandidateExtractsExactlyToo() {
        extractionIsExact(withShift());
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> OpSpec.parse("shift_conv_3x3").build(4, 1, 1));
        assertTrue(e.getMessage().contains("at least 2 output channels"), e.getMessage());
    }

    private static void extractionIsExact(ChainSpace space) {
        Rng.manualSeed(11);
        Supernet net = space.supernet();
        // a few training steps on random paths, so the running statistics and weights differ from their initial values
        Sgd sgd = new Sgd(net.parameters(), Sgd.options(0.05).momentum(0.9).build());
        for (int s = 0; s < 3; s++) {
            sgd.zeroGrad();
            Losses.crossEntropy(net.call(input(s, 4, 12)), labels(1, 2, 3, 4)).backward();
            sgd.step();
        }
        Generator g = new Generator(5);
        for (int k = 0; k < 6; k++) {
            Architecture a = space.random(g);
            Module alone = net.extract(a);
            net.fixPath(a);
            Tensor x = input(100 + k, 3, 12);
            try (var ng = Tensor.noGrad()) {
                net.eval();
                alone.eval();
                assertArrayEquals(net.call(x).toArray(), alone.call(x).toArray(), "eval, " + a);
            }
            net.train();
            alone.train();
            Rng.manualSeed(50 + k);   // the same training stream for both (dropout, Gumbel noise)
            Tensor ys = net.call(x);
            Rng.manualSeed(50 + k);
            Tensor ya = alone.call(x);
            assertArrayEquals(ys.toArray(), ya.toArray(), "train, " + a);
            // the running statistics moved the same way in both
            Map<String, Tensor> sn = net.stateDict();
            for (var e : alone.stateDict().entrySet()) {
                assertArrayEquals(sn.get(net.supernetKey(e.getKey(), a)).toArray(), e.getValue().toArray(), e.getKey());
            }
        }
    }

    @Test
    void unsampledOpsGetNoStepEvenWithMomentumAndWeightDecay() {
        Rng.manualSeed(3);
        Supernet net = space.supernet();
        List<Parameter> params = net.parameters();
        Sgd sgd = new Sgd(params, Sgd.options(0.1).momentum(0.9).weightDecay(5e-4).build());
        Architecture first = new Architecture(space.name(), List.of(1, 1, 1, 1));
        Architecture second = new Architecture(space.name(), List.of(0, 0, 2, 0));
        net.fixPath(first);
        sgd.zeroGrad();
        Losses.crossEntropy(net.call(input(1, 4, 12)), labels(0, 1, 2, 3)).backward();
        sgd.step();   // candidate 1 of every layer now has a momentum buffer
        // no zeroGrad: candidate 1's gradients of step 1 are still there, and the forward of a path without it must drop them
        List<Parameter> untouched = net.unsampledParameters(second);
        List<float[]> before = new ArrayList<>(), buffers = new ArrayList<>();
        for (Parameter p : untouched) before.add(p.value().toArray());
        for (Parameter p : untouched) {
            Tensor b = sgd.state(params.indexOf(p)).buffer("momentum_buffer");
            buffers.add(b == null ? null : b.toArray());
        }
        assertTrue(buffers.stream().anyMatch(b -> b != null), "some unsampled op had a momentum buffer from step 1");
        net.fixPath(second);
        Losses.crossEntropy(net.call(input(2, 4, 12)), labels(3, 2, 1, 0)).backward();
        for (Parameter p : untouched) assertNull(p.grad(), "the forward dropped the gradient of an op off its path");
        sgd.step();
        for (int i = 0; i < untouched.size(); i++) {
            Parameter p = untouched.get(i);
            assertArrayEquals(before.get(i), p.value().toArray(), "weights of an unsampled op");
            Tensor b = sgd.state(params.indexOf(p)).buffer("momentum_buffer");
            if (buffers.get(i) == null) assertNull(b);
            else assertArrayEquals(buffers.get(i), b.toArray(), "momentum buffer of an unsampled op");
        }
        // and the sampled ones did move
        Parameter sampled = net.candidates(2).get(2).parameters().get(0);
        assertNotNull(sampled.grad());
    }

    @Test
    void aZeroGradientWouldStillMoveTheWeightsThroughMomentumAndDecay() {
        // why the supernet sets gradients to none instead of zeros: SGD with momentum and decay moves a parameter whose gradient is 0
        Parameter p = new Parameter(Tensor.fromArray(new float[] {1f, -2f}, 2));
        Sgd sgd = new Sgd(List.of(p), Sgd.options(0.1).momentum(0.9).weightDecay(0.01).build());
        p.value().backward(Tensor.ones(2));
        sgd.step();
        float[] after1 = p.value().toArray();
        p.zeroGrad();
        sgd.step();   // no gradient: skipped
        assertArrayEquals(after1, p.value().toArray());
        p.value().mul(0f).sum().backward();   // a gradient of zeros
        sgd.step();
        assertFalse(after1[0] == p.value().toArray()[0], "a zero gradient still steps (momentum, decay)");
    }

    @Test
    void uniformPathsPassAChiSquareTest() {
        Rng.manualSeed(2024);
        Supernet net = space.supernet();
        net.eval();
        int n = 5120;
        int[] joint = new int[256];
        int[][] marginal = new int[4][4];
        Tensor x = input(0, 1, 4);
        try (var g = Tensor.noGrad()) {
            for (int s = 0; s < n; s++) {
                net.call(x);
                Architecture a = net.lastPath();
                int code = 0;
                for (int i = 0; i < 4; i++) {
                    marginal[i][a.op(i)]++;
                    code = code * 4 + a.op(i);
                }
                joint[code]++;
            }
        }
        double chi = 0, e = n / 256.0;
        for (int c : joint) chi += (c - e) * (c - e) / e;
        assertTrue(chi < 330.52, "joint χ² " + chi + " (255 degrees of freedom, p = 0.001 bound 330.52)");
        for (int i = 0; i < 4; i++) {
            double m = 0, em = n / 4.0;
            for (int c : marginal[i]) m += (c - em) * (c - em) / em;
            assertTrue(m < 16.27, "layer " + i + " χ² " + m + " (3 degrees of freedom, p = 0.001 bound 16.27)");
        }
        // and a sampler that always drew the same op would fail it: the statistic is not vacuous
        double degenerate = 0;
        for (int c = 0; c < 256; c++) {
            double got = c == 0 ? n : 0;
            degenerate += (got - e) * (got - e) / e;
        }
        assertTrue(degenerate > 330.52);
    }

    @Test
    void samplingDrawsFromTheDefaultStream() {
        Rng.manualSeed(9);
        Supernet net = space.supernet();
        long[] state = Rng.global().state();
        net.eval();
        try (var g = Tensor.noGrad()) {
            net.call(input(0, 1, 4));
        }
        Architecture expected = space.random(Generator.restore(state));
        assertEquals(expected, net.lastPath());
    }
}
