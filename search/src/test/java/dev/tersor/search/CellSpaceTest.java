package dev.tersor.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.Rng;
import dev.tersor.nn.Summary;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CellSpaceTest {
    /** A small cell space for fast tests: 1×8×8 inputs, 4-node cells of 4 and 8 channels. */
    static CellSpace small(int nodes) {
        return new CellSpace("test-cell", 1, 8, 8, 3, 1, List.of(4, 8), new CellGraph(nodes),
                List.of(OpSpec.zero(), OpSpec.skip(), OpSpec.parse("conv_1x1"), OpSpec.parse("conv_3x3"), OpSpec.parse("avg_pool_3x3")));
    }

    @Test
    void edgesAreNumberedNodeByNode() {
        CellGraph g = new CellGraph(4);
        assertEquals(6, g.edges());
        String[] labels = {"0->1", "0->2", "1->2", "0->3", "1->3", "2->3"};
        for (int e = 0; e < 6; e++) assertEquals(labels[e], g.label(e));
        assertEquals(List.of(3, 4, 5), g.into(3));
        assertEquals(List.of(0), g.into(1));
        assertThrows(IllegalArgumentException.class, () -> g.from(6));
        assertThrows(IllegalArgumentException.class, () -> new CellGraph(1));
    }

    @Test
    void cellSumsItsEdgesNodeByNode() {
        CellGraph g = new CellGraph(3);
        Tensor x = Tensor.fromArray(new float[] {1, 2}, 2);
        // edge e multiplies by (e + 2): n1 = 2x, n2 = 3x + 4·n1 = 11x
        Tensor y = g.run(x, (e, in) -> in.mul(e + 2f));
        assertArrayEquals(new float[] {11, 22}, y.toArray());
        // edge 0->2 dropped: n2 = 4·(2x) = 8x; every edge dropped: zeros
        assertArrayEquals(new float[] {8, 16}, g.run(x, (e, in) -> e == 1 ? null : in.mul(e + 2f)).toArray());
        assertArrayEquals(new float[] {0, 0}, g.run(x, (e, in) -> null).toArray());
    }

    @Test
    void benchmarkSpaceHas125NetworksWhoseCostTablesEqualSummary() {
        CellSpace space = CellSpace.fashionCell();
        assertEquals(125, space.size().intValueExact());
        assertEquals(List.of("cells.0.edges.2", "cells.1.edges.2", "cells.2.edges.2"), space.paths(2));
        assertEquals(1, space.choiceOf("cells.2.edges.1.0.weight"));
        assertEquals(-1, space.choiceOf("reductions.0.a.1.weight"));
        Rng.manualSeed(3);
        CostTable macs = CostTable.macs(space), params = CostTable.parameters(space);
        for (Architecture a : Experiment.all(space)) {
            Module net = space.build(a);
            assertEquals(Summary.of(net, space.inputShape()).totalMacs(), macs.of(a), a.toString());
            assertEquals(net.parameterCount(), params.of(a), a.toString());
        }
        // hand count of the all-none network: stem 1→8 3×3 at 14×14, two reductions, the head
        long stem = 14 * 14 * 8 * 9, red1 = 7 * 7 * (16 * 8 * 9 + 16 * 16 * 9 + 16 * 8), red2 = 4 * 4 * (32 * 16 * 9 + 32 * 32 * 9 + 32 * 16), head = 32 * 10;
        assertEquals(stem + red1 + red2 + head, macs.of(new Architecture(space.name(), List.of(0, 0, 0))));
    }

    @Test
    void extractedCellNetworkEqualsTheSupernetPathBitForBit() {
        CellSpace space = small(4);
        Rng.manualSeed(21);
        Supernet net = space.supernet();
        Sgd sgd = new Sgd(net.parameters(), Sgd.options(0.05).momentum(0.9).build());
        for (int s = 0; s < 3; s++) {
            sgd.zeroGrad();
            Losses.crossEntropy(net.call(Tensor.randn(new Generator(s), 4, 1, 8, 8)), IntTensor.of(new int[] {0, 1, 2, 0}, 4)).backward();
            sgd.step();
        }
        Generator g = new Generator(9);
        for (int k = 0; k < 8; k++) {
            Architecture a = space.random(g);
            Module alone = net.extract(a);
            net.fixPath(a);
            Tensor x = Tensor.randn(new Generator(50 + k), 3, 1, 8, 8);
            try (var ng = Tensor.noGrad()) {
                net.eval();
                alone.eval();
                assertArrayEquals(net.call(x).toArray(), alone.call(x).toArray(), "eval " + a);
            }
            net.train();
            alone.train();
            assertArrayEquals(net.call(x).toArray(), alone.call(x).toArray(), "train " + a);
        }
    }

    @Test
    void unsampledCandidatesOfEveryCellGetNoGradient() {
        CellSpace space = small(3);
        Rng.manualSeed(4);
        Supernet net = space.supernet();
        Architecture a = new Architecture(space.name(), List.of(3, 2, 1));
        net.fixPath(a);
        for (Parameter p : net.parameters()) p.value().backward(Tensor.ones(p.shape()));   // every parameter has a gradient now
        Losses.crossEntropy(net.call(Tensor.randn(new Generator(1), 2, 1, 8, 8)), IntTensor.of(new int[] {0, 2}, 2)).backward();
        Map<String, Parameter> named = net.namedParameters();
        int unsampled = 0;
        for (var e : named.entrySet()) {
            String[] part = e.getKey().split("\\.");
            if (part[0].equals("cells")) {
                boolean onPath = Integer.parseInt(part[4]) == a.op(Integer.parseInt(part[3]));
                if (!onPath) unsampled++;
                assertEquals(onPath, e.getValue().grad() != null, e.getKey());
            }
        }
        assertTrue(unsampled > 0);
        assertEquals(net.unsampledParameters(a).size(), unsampled);
    }

    @Test
    void badSpacesAndArchitecturesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CellSpace("x", 1, 8, 8, 3, 3, List.of(4), new CellGraph(3), List.of(OpSpec.skip())));
        assertThrows(IllegalArgumentException.class, () -> new CellSpace("x", 1, 8, 8, 3, 1, List.of(), new CellGraph(3), List.of(OpSpec.skip())));
        assertThrows(IllegalArgumentException.class, () -> new CellSpace("x", 1, 8, 8, 3, 1, List.of(4), new CellGraph(3), List.of()));
        CellSpace space = small(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> space.build(new Architecture(space.name(), List.of(0, 5, 1))));
        assertTrue(e.getMessage().contains("edges.1"), e.getMessage());
    }
}
