package dev.tersor.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Parameter;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.loss.Losses;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DartsTest {
    private static final CellSpace SPACE = CellSpaceTest.small(4);

    @Test
    void derivedCellKeepsTwoInputsPerNodeAndNeverNone() {
        CellSpace space = CellSpaceTest.small(5);   // 10 edges; node j has j candidate inputs
        Generator g = new Generator(1);
        for (int trial = 0; trial < 50; trial++) {
            Tensor w = Tensor.randn(g, 10, 5).mul(3f).softmax(1);
            Architecture a = CellDerivation.derive(space, w, Tensor.ones(10), 2);
            for (int j = 1; j < 5; j++) {
                int kept = 0;
                for (int e : space.graph().into(j)) if (a.op(e) != 0) kept++;
                assertEquals(Math.min(2, j), kept, "node " + j + " of " + a);
            }
        }
    }

    @Test
    void derivationTakesTheStrongestNonNoneOpsAndEdges() {
        CellSpace space = CellSpaceTest.small(3);   // edges 0->1, 0->2, 1->2; ops none, skip, conv_1x1, conv_3x3, avg_pool
        Tensor w = Tensor.fromArray(new float[] {
            0.9f, 0.05f, 0.02f, 0.02f, 0.01f,    // 0->1: none is strongest, skip is the best real op
            0.1f, 0.1f, 0.6f, 0.1f, 0.1f,         // 0->2: conv_1x1
            0.2f, 0.2f, 0.2f, 0.2f, 0.2f}, 3, 5); // 1->2: a tie: the lowest index that is not none (skip)
        assertEquals(List.of(1, 2, 1), CellDerivation.derive(space, w, Tensor.ones(3), 2).ops());
        // keep 1: node 2 keeps 0->2 (0.6) and drops 1->2 (0.2)
        assertEquals(List.of(1, 2, 0), CellDerivation.derive(space, w, Tensor.ones(3), 1).ops());
        // edge weights rescale the strengths: 1->2 wins at 0.2·0.9 = 0.18 over 0.6·0.1 = 0.06
        assertEquals(List.of(1, 0, 1), CellDerivation.derive(space, w, Tensor.fromArray(new float[] {1, 0.1f, 0.9f}, 3), 1).ops());
        assertThrows(IllegalArgumentException.class, () -> CellDerivation.derive(space, Tensor.ones(3, 4), Tensor.ones(3), 2));
    }

    @Test
    void spaceWithoutNoneKeepsEveryEdge() {
        CellSpace space = new CellSpace("no-none", 1, 8, 8, 3, 1, List.of(4), new CellGraph(4), List.of(OpSpec.skip(), OpSpec.parse("conv_3x3")));
        Tensor w = Tensor.randn(new Generator(2), 6, 2).softmax(1);
        Architecture a = CellDerivation.derive(space, w, Tensor.ones(6), 2);
        float[] v = w.toArray();
        for (int e = 0; e < 6; e++) assertEquals(v[2 * e + 1] > v[2 * e] ? 1 : 0, a.op(e));
    }

    private static TensorDataset dataset(long seed, int n) {
        Generator g = new Generator(seed);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = g.nextInt(3);
        return TensorDataset.of(Tensor.randn(g, n, 1, 8, 8), IntTensor.of(labels, n));
    }

    private static SearchData data() {
        return new SearchData(dataset(1, 64), dataset(2, 16), dataset(3, 16), null);
    }

    private static DartsOptions tiny(boolean pc, boolean second) {
        DartsOptions o = pc ? new DartsOptions(new MixedCellSupernet.Relaxation(2, true), 3, 1, 16, 0.1, 0, 0.9, 3e-4, 5, 6e-4, 0.5, 0.999, 1e-3, false, 2)
                : DartsOptions.darts(3).withBatch(16);
        return o.withSecondOrder(second);
    }

    /** A log that throws at its first line: the search dies right after the first epoch's checkpoint. */
    private static PrintStream dyingLog() {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                throw new IllegalStateException("killed");
            }
        }, true);
    }

    @Test
    void killedSearchResumesToTheSameResultBitForBit(@TempDir Path dir) throws IOException {
        for (boolean pc : new boolean[] {false, true}) {
            DartsOptions o = tiny(pc, !pc);
            Darts.Result whole = new Darts(o).run(SPACE, data(), dir.resolve("whole" + pc), 7, null);
            Path resumed = dir.resolve("resumed" + pc);
            assertThrows(IllegalStateException.class, () -> new Darts(o).run(SPACE, data(), resumed, 7, dyingLog()));
            assertEquals(1, Files.readAllLines(resumed.resolve("epochs.jsonl")).size());
            Rng.manualSeed(999);   // the resumed run must not depend on the stream it finds
            Darts.Result again = new Darts(o).run(SPACE, data(), resumed, 7, null);
            assertArrayEquals(whole.opWeights().toArray(), again.opWeights().toArray(), "pc " + pc);
            assertArrayEquals(whole.edgeWeights().toArray(), again.edgeWeights().toArray());
            assertEquals(whole.arch(), again.arch());
            assertEquals(whole.passes(), again.passes());
            assertEquals(Files.readAllLines(dir.resolve("whole" + pc).resolve("epochs.jsonl")).size(), Files.readAllLines(resumed.resolve("epochs.jsonl")).size());
            // warm-up: PC-DARTS steps α from epoch 2 of 3; second-order DARTS costs 4 passes per α step
            int perEpoch = 2;   // 32 weight samples, batch 16
            assertEquals(3 * perEpoch, whole.weightSteps());
            assertEquals((pc ? 2 : 3) * perEpoch, whole.archSteps());
            assertEquals(3 * perEpoch + (pc ? 1 : 4) * whole.archSteps(), whole.passes());
        }
    }

    @Test
    void aDirectoryOfAnotherSearchIsRefused(@TempDir Path dir) throws IOException {
        DartsOptions o = tiny(false, false);
        new Darts(o).run(SPACE, data(), dir, 1, null);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Darts(o).run(SPACE, data(), dir, 2, null));
        assertTrue(e.getMessage().contains("seed 1, not 2"), e.getMessage());
    }

    @Test
    void architectureStepsMoveAlphaAndLeaveTheWeightsAsTheyWere() {
        Rng.manualSeed(3);
        MixedCellSupernet net = new MixedCellSupernet(SPACE, MixedCellSupernet.Relaxation.darts());
        SearchData d = data();
        Batch train = d.trainLoader(16, 1).iterator().next(), val = d.validationLoader(16).iterator().next();
        List<float[]> before = new ArrayList<>();
        for (Parameter p : net.weights()) before.add(p.value().toArray());
        ArchitectGradient.secondOrder(net, net.weights(), net.architectureParameters(), train, val, Losses::crossEntropy,
                new ArchitectGradient.VirtualStep(0.025, 0.9, 3e-4, null));
        for (int i = 0; i < before.size(); i++) assertArrayEquals(before.get(i), net.weights().get(i).value().toArray());
        float[] second = net.alpha().grad().toArray();
        ArchitectGradient.firstOrder(net, val, Losses::crossEntropy);
        float[] first = net.alpha().grad().toArray();
        assertNotEquals(0f, first[0]);
        // the unrolled term changes the gradient, but only a little at this learning rate
        double diff = 0, norm = 0;
        for (int i = 0; i < first.length; i++) {
            diff += (first[i] - second[i]) * (first[i] - second[i]);
            norm += first[i] * first[i];
        }
        assertTrue(diff > 0 && diff < norm, "diff " + diff + " norm " + norm);
    }
}
