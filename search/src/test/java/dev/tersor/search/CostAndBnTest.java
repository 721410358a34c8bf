package dev.tersor.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.Summary;
import dev.tersor.nn.data.Batch;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CostAndBnTest {
    private final ChainSpace space = ChainSpace.fashionTiny();

    @Test
    void additiveTablesEqualSummaryOfEveryBuiltNetwork() {
        Rng.manualSeed(1);
        CostTable macs = CostTable.macs(space), params = CostTable.parameters(space);
        for (int code = 0; code < 256; code++) {
            Architecture a = new Architecture(space.name(), List.of(code & 3, (code >> 2) & 3, (code >> 4) & 3, (code >> 6) & 3));
            Module net = space.build(a);
            Summary s = Summary.of(net, space.inputShape());
            assertEquals(s.totalMacs(), macs.of(a), a.toString());
            assertEquals(net.parameterCount(), params.of(a), a.toString());
        }
    }

    @Test
    void handCountedCosts() {
        CostTable macs = CostTable.macs(space), params = CostTable.parameters(space);
        // stem conv 1→8 3×3 at 28×28 + head linear 32→10; BN and pooling count no MACs
        assertEquals(28 * 28 * 8 * 9 + 32 * 10, macs.base());
        // layer 0: 8→16, stride 2 to 14×14. conv_3x3: 14·14·16·(8·9); skip: 1×1 projection 14·14·16·8
        assertEquals(14 * 14 * 16 * 72, macs.cost(0, 0));
        assertEquals(14 * 14 * 16 * 8, macs.cost(0, 3));
        // layer 1: 16→16 at 14×14, skip is the identity (no cost); sep_conv_5x5: depthwise 14·14·16·25 + pointwise 14·14·16·16
        assertEquals(0, macs.cost(1, 3));
        assertEquals(14 * 14 * 16 * 25 + 14 * 14 * 16 * 16, macs.cost(1, 2));
        // parameters: stem conv 72 + BN 16, head 32·10 + 10; layer 0 conv_5x5: 16·8·25 + BN 32
        assertEquals(72 + 16 + 330, params.base());
        assertEquals(16 * 8 * 25 + 32, params.cost(0, 1));
        assertEquals(new Architecture(space.name(), List.of(3, 3, 3, 3)), macs.cheapest());
    }

    @Test
    void aLimitNoArchitectureMeetsNamesTheSmallestPossible() {
        CostTable macs = CostTable.macs(space);
        double min = macs.min();
        assertEquals(28 * 28 * 8 * 9 + 32 * 10 + 14 * 14 * 16 * 8 + 7 * 7 * 32 * 16, min);
        var e = assertThrows(IllegalArgumentException.class, () -> new Constraint(macs, min - 1));
        assertEquals("no architecture of search space 'fashion-chain-4x4' has macs <= " + Json.number(min - 1)
                + ": the smallest possible is " + Json.number(min) + " (architecture 3-3-3-3)", e.getMessage());
        Constraint c = new Constraint(macs, min);
        assertTrue(c.admits(macs.cheapest()));
    }

    @Test
    void bnRecalibrationSetsTheExactMeanOfTheBatchStatistics() {
        Rng.manualSeed(4);
        BatchNorm2d bn = new BatchNorm2d(2);
        Module model = new dev.tersor.nn.Sequential(bn);
        model.eval();
        // three hand-made batches [2, 2, 1, 2]: channel 0 and 1 values per batch
        float[][] batches = {
                {1, 3, 10, 10, 5, 7, 10, 14},      // ch0: 1,3,5,7  ch1: 10,10,10,14
                {0, 0, 2, 2, 0, 4, 2, 2},          // ch0: 0,0,0,4  ch1: 2,2,2,2
                {2, 2, -1, 1, 2, 2, 1, -1}};       // ch0: 2,2,2,2  ch1: -1,1,1,-1
        List<Batch> data = new ArrayList<>();
        for (float[] b : batches) data.add(new Batch(Tensor.fromArray(b, 2, 2, 1, 2), IntTensor.of(new int[] {0, 0}, 2)));
        assertEquals(1, BnRecalibration.run(model, data, 3));
        // means: ch0 4, 1, 2 → 7/3; ch1 11, 2, 0 → 13/3
        // unbiased variances (m = 4): ch0 (9+1+1+9)/3, (1+1+1+9)/3, 0 → (20/3 + 4 + 0)/3; ch1 (1+1+1+9)/3, 0, 4/3 → (4 + 0 + 4/3)/3
        assertArrayEquals(new float[] {(float) (7 / 3.0), (float) (13 / 3.0)}, bn.runningMean().toArray());
        assertArrayEquals(new float[] {(float) ((20 / 3.0 + 4) / 3), (float) ((4 + 4 / 3.0) / 3)}, bn.runningVar().toArray());
        assertEquals(3f, model.namedBuffers().get("0.num_batches_tracked").item());
        assertTrue(!model.isTraining(), "the mode is restored");
        // momentum 0.1 alone (no recalibration) would have given something else
        BatchNorm2d plain = new BatchNorm2d(2);
        try (var g = Tensor.noGrad()) {
            for (Batch b : data) plain.call(b.inputs());
        }
        assertTrue(Math.abs(plain.runningMean().toArray()[0] - 7 / 3.0) > 1);
    }

    @Test
    void recalibrationLeavesUnsampledCandidatesAlone() {
        Rng.manualSeed(8);
        Supernet net = space.supernet();
        Architecture a = new Architecture(space.name(), List.of(0, 1, 2, 0));
        net.fixPath(a);
        List<Batch> data = new ArrayList<>();
        Generator g = new Generator(2);
        for (int i = 0; i < 2; i++) data.add(new Batch(Tensor.randn(g, 4, 1, 12, 12), IntTensor.of(new int[4], 4)));
        var before = net.stateDict();
        List<float[]> old = new ArrayList<>();
        for (Tensor t : before.values()) old.add(t.toArray());
        int set = BnRecalibration.run(net, data, 2);
        assertEquals(1 + 1 + 1 + 2 + 1, set);   // stem, conv_3x3, conv_5x5, sep_conv_5x5 (two), conv_3x3
        int k = 0;
        for (var e : net.stateDict().entrySet()) {
            String key = e.getKey();
            boolean onPath = !key.startsWith("layers.") || key.startsWith("layers.0.0.") || key.startsWith("layers.1.1.")
                    || key.startsWith("layers.2.2.") || key.startsWith("layers.3.0.");
            if (!onPath) assertArrayEquals(old.get(k), e.getValue().toArray(), key);
            k++;
        }
    }
}
