package dev.tersor.compress.prune.meta;

import static org.junit.jupiter.api.Assertions.*;

import dev.tersor.compress.prune.ChannelGraph;
import dev.tersor.compress.prune.ChannelTrace;
import dev.tersor.compress.prune.PruningTarget.Scope;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.tensor.GradCheck;
import dev.tersor.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The PruningNet's generated weights: shapes, the pretrained start, the crop mask and gradients. */
class PruningNetTest {

    /** conv(1→3, 3×3) → ReLU → mean over H, W → linear(3→2). */
    static final class Tiny extends Module {
        Tiny() {
            register("conv", new Conv2d(1, 3, 3, 1, 1));
            register("fc", new Linear(3, 2));
        }

        @Override
        public Tensor forward(Tensor x) {
            return child("fc").call(child("conv").call(x).relu().mean(new int[] {2, 3}, false));
        }
    }

    @Test
    void generatedWeightsHaveEachLayersShapeAndStartFromTheTrainedOnes() {
        Module m = Fixtures.lenet(3);
        ChannelGraph g = ChannelTrace.trace(m, Fixtures.input(1));
        PruningNet net = new PruningNet(m, g, 32, PruningNet.Init.PRETRAINED, 1);
        assertEquals(List.of("conv1", "conv2", "fc1", "fc2", "fc3"), net.layers());
        for (String path : net.layers()) {
            Tensor w = m.get(path).stateDict().get("weight");
            Tensor gen = net.generate(path, 0.3f, 0.7f);
            assertArrayEquals(w.shape(), gen.shape(), path);
            assertArrayEquals(w.toArray(), gen.toArray(), 1e-6f, path + ": fc2's weight starts at 0 and its bias at the trained weight");
        }
        PruningNet random = new PruningNet(m, g, 32, PruningNet.Init.RANDOM, 1);
        Tensor a = random.generate("conv2", 0.3f, 0.7f), b = random.generate("conv2", 0.9f, 0.7f);
        assertArrayEquals(new int[] {16, 6, 5, 5}, a.shape());
        assertNotEquals(a.toArray()[0], b.toArray()[0], "the encoding changes the weights");
        assertThrows(IllegalArgumentException.class, () -> net.generate("nope", 1, 1));
    }

    @Test
    void maskedWeightIsTheCropPlacedInZeros() {
        Module m = Fixtures.lenet(3);
        ChannelGraph g = ChannelTrace.trace(m, Fixtures.input(1));
        PruningNet net = new PruningNet(m, g, 8, PruningNet.Init.RANDOM, 2);
        ChannelMask mask = new ChannelMask(g, new WidthSpace(g, Scope.ALL).removed(new int[] {2, 5, 120, 84}));
        Tensor full = net.generate("conv2", 2 / 6f, 5 / 16f), w = net.weight("conv2", mask);
        float[] f = full.toArray(), v = w.toArray();
        for (int o = 0; o < 16; o++) {
            for (int i = 0; i < 6; i++) {
                for (int k = 0; k < 25; k++) {
                    int at = (o * 6 + i) * 25 + k;
                    assertEquals(o < 5 && i < 2 ? f[at] : 0f, v[at], 0f, "o " + o + " i " + i);
                }
            }
        }
    }

    @Test
    void gradientsOfTheGeneratorMatchFiniteDifferences() {
        Module m = new Tiny();
        ChannelGraph g = ChannelTrace.trace(m, Tensor.zeros(1, 1, 4, 4));
        PruningNet net = new PruningNet(m, g, 4, PruningNet.Init.RANDOM, 3);
        ChannelMask mask = new ChannelMask(g, new WidthSpace(g, Scope.ALL).removed(new int[] {2}));
        for (int i = 0; i < net.layers().size(); i++) {
            String path = net.layers().get(i), prefix = "g" + i + ".";
            Tensor[] leaves = net.namedParameters().entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(e -> e.getValue().value())
                    .toArray(Tensor[]::new);
            assertEquals(4, leaves.length, "fc1 and fc2, weight and bias");
            GradCheck.check(in -> net.weight(path, mask), 1e-3, 1e-3, 1e-2, leaves);
        }
    }

    @Test
    void onlyConvAndLinearWeightsAreGenerated() {
        Module m = new Module() {
            {
                register("adder", new dev.tersor.nn.adder.AdderLinear(4, 3));
                register("fc", new Linear(3, 2));
            }

            @Override
            public Tensor forward(Tensor x) {
                return child("fc").call(child("adder").call(x).relu());
            }
        };
        ChannelGraph g = ChannelTrace.trace(m, Tensor.zeros(1, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PruningNet(m, g, 4, PruningNet.Init.RANDOM, 1));
        assertTrue(e.getMessage().contains("adder is a AdderLinear"), e.getMessage());
    }
}
