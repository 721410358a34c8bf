package dev.tersor.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Module;
import dev.tersor.nn.ModuleList;
import dev.tersor.nn.Rng;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class MixedCellSupernetTest {
    private static final CellSpace SPACE = CellSpaceTest.small(4);

    private static MixedCellSupernet net(long seed, MixedCellSupernet.Relaxation r) {
        Rng.manualSeed(seed);
        MixedCellSupernet net = new MixedCellSupernet(SPACE, r);
        try (var g = Tensor.noGrad()) {   // well away from uniform, so the weighting matters
            net.alpha().value().copyInPlace(Tensor.randn(new Generator(seed + 1), net.alpha().shape()));
            net.beta().value().copyInPlace(Tensor.randn(new Generator(seed + 2), net.beta().shape()));
        }
        net.eval();
        return net;
    }

    /** The network computed by hand from the same modules: each edge Σ_o w_eo · op_o(x), each node Σ_e b_e · edge_e. */
    private static Tensor byHand(MixedCellSupernet net, Tensor x, float[] w, float[] b) {
        CellGraph g = SPACE.graph();
        int ops = SPACE.candidates().size();
        Tensor h = net.get("stem").call(x);
        for (int k = 0; k < SPACE.stageChannels().size(); k++) {
            if (k > 0) h = net.get("reductions." + (k - 1)).call(h);
            Tensor[] node = new Tensor[g.nodes()];
            node[0] = h;
            for (int j = 1; j < g.nodes(); j++) {
                Tensor sum = Tensor.zeros(h.shape());
                for (int e : g.into(j)) {
                    ModuleList cands = (ModuleList) net.get("cells." + k + ".edges." + e);
                    for (int o = 0; o < ops; o++) {
                        if (cands.get(o) instanceof Zero) continue;
                        sum = sum.add(cands.get(o).call(node[g.from(e)]).mul(w[e * ops + o] * b[e]));
                    }
                }
                node[j] = sum;
            }
            h = node[g.nodes() - 1];
        }
        return net.get("head").call(h);
    }

    @Test
    void mixedOutputIsTheWeightedSumOfTheOps() {
        MixedCellSupernet net = net(1, MixedCellSupernet.Relaxation.darts());
        Tensor x = Tensor.randn(new Generator(7), 2, 1, 8, 8);
        try (var g = Tensor.noGrad()) {
            float[] w = net.opWeights().toArray();
            float[] ones = new float[SPACE.graph().edges()];
            java.util.Arrays.fill(ones, 1f);
            assertArrayEquals(byHand(net, x, w, ones).toArray(), net.call(x).toArray(), 1e-5f);
            // the op weights are the softmax of α row by row
            float[] a = net.alpha().value().toArray();
            double z = 0;
            for (int o = 0; o < 5; o++) z += Math.exp(a[o]);
            assertEquals(Math.exp(a[2]) / z, w[2], 1e-6);
        }
    }

    @Test
    void edgeNormalisationWeightsEachNodesInputsBySoftmaxOfBeta() {
        MixedCellSupernet net = net(2, new MixedCellSupernet.Relaxation(1, true));
        Tensor x = Tensor.randn(new Generator(8), 2, 1, 8, 8);
        try (var g = Tensor.noGrad()) {
            float[] beta = net.beta().value().toArray(), b = net.edgeWeights().toArray();
            assertEquals(1f, b[0], 0f);                          // node 1 has one input
            double z3 = Math.exp(beta[3]) + Math.exp(beta[4]) + Math.exp(beta[5]);
            assertEquals(Math.exp(beta[4]) / z3, b[4], 1e-6);
            assertArrayEquals(byHand(net, x, net.opWeights().toArray(), b).toArray(), net.call(x).toArray(), 1e-5f);
        }
    }

    @Test
    void pcDartsWithOneChannelGroupAndNoEdgeNormalisationIsDarts() {
        Tensor x = Tensor.randn(new Generator(9), 2, 1, 8, 8);
        MixedCellSupernet darts = net(3, MixedCellSupernet.Relaxation.darts()), pc = net(3, new MixedCellSupernet.Relaxation(1, false));
        try (var g = Tensor.noGrad()) {
            assertArrayEquals(darts.call(x).toArray(), pc.call(x).toArray(), 0f);
        }
        // with edge normalisation and uniform β every node's input sum is scaled by 1 / (its number of inputs)
        MixedCellSupernet normalised = net(3, new MixedCellSupernet.Relaxation(1, true));
        try (var g = Tensor.noGrad()) {
            normalised.beta().value().zeroInPlace();
            float[] b = normalised.edgeWeights().toArray();
            assertArrayEquals(new float[] {1, 0.5f, 0.5f, 1 / 3f, 1 / 3f, 1 / 3f}, b, 1e-7f);
            assertArrayEquals(byHand(darts, x, darts.opWeights().toArray(), b).toArray(), normalised.call(x).toArray(), 1e-5f);
        }
    }

    @Test
    void channelShuffleInterleavesTheGroups() {
        // 4 channels in 2 groups: [c0 c1 | c2 c3] → [c0 c2 c1 c3]
        Tensor x = Tensor.fromArray(new float[] {0, 1, 2, 3}, 1, 4, 1, 1);
        assertArrayEquals(new float[] {0, 2, 1, 3}, MixedCellSupernet.channelShuffle(x, 2).toArray());
        Tensor y = Tensor.fromArray(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 1, 8, 1, 1);
        assertArrayEquals(new float[] {0, 2, 4, 6, 1, 3, 5, 7}, MixedCellSupernet.channelShuffle(y, 4).toArray());
    }

    @Test
    void partialChannelsMixTheFirstQuarterAndPassTheRestByShuffled() {
        CellSpace two = new CellSpace("two-ops", 1, 4, 4, 2, 1, List.of(8), new CellGraph(2), List.of(OpSpec.skip(), OpSpec.parse("conv_1x1")));
        Rng.manualSeed(5);
        MixedCellSupernet net = new MixedCellSupernet(two, new MixedCellSupernet.Relaxation(4, false));
        net.eval();
        Tensor h = Tensor.randn(new Generator(3), 2, 8, 4, 4);
        try (var g = Tensor.noGrad()) {
            Tensor w = net.opWeights();
            float[] wv = w.toArray();
            Module conv = ((ModuleList) net.get("cells.0.edges.0")).get(1);
            Tensor part = h.narrow(1, 0, 2);
            Tensor mixed = part.mul(wv[0]).add(conv.call(part).mul(wv[1]));
            Tensor expected = MixedCellSupernet.channelShuffle(Tensor.cat(1, mixed, h.narrow(1, 2, 6)), 4);
            Tensor got = net.mixed(0, 0, h, w);
            assertArrayEquals(expected.toArray(), got.toArray(), 1e-6f);
            // after the shuffle of 4 groups of 2, input channel c = 2g + i sits at 4i + g unchanged: 2..7 at 1, 5, 2, 6, 3, 7
            int[] at = {-1, -1, 1, 5, 2, 6, 3, 7};
            for (int c = 2; c < 8; c++) assertArrayEquals(h.narrow(1, c, 1).contiguous().toArray(), got.narrow(1, at[c], 1).contiguous().toArray(), "channel " + c);
        }
        assertThrows(IllegalArgumentException.class, () -> new MixedCellSupernet(two, new MixedCellSupernet.Relaxation(3, false)));
    }

    @Test
    void weightsAndArchitectureParametersAreDisjoint() {
        MixedCellSupernet net = net(4, MixedCellSupernet.Relaxation.pcDarts());
        assertEquals(List.of(net.alpha(), net.beta()), net.architectureParameters());
        assertTrue(net.weights().stream().noneMatch(p -> p == net.alpha() || p == net.beta()));
        assertEquals(net.parameters().size(), net.weights().size() + 2);
        assertTrue(net.stateDict().containsKey("alpha") && net.stateDict().containsKey("beta"));
        // PC-DARTS ops run on C/K channels: the 3×3 conv of edge 0 in the 8-channel cell maps 2 → 2
        assertArrayEquals(new int[] {2, 2, 3, 3}, net.namedParameters().get("cells.1.edges.0.3.0.weight").shape());
    }
}
