package dev.tersor.compress.prune;

import static org.junit.jupiter.api.Assertions.*;

import dev.tersor.compress.prune.ChannelGraph.Site;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.zoo.LeNet5;
import dev.tersor.nn.zoo.ZeroPadShortcut;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Pruning yields a smaller model whose outputs are what the removed channels allow. */
class PruningTest {

    /** ResNet-20 with random batch-norm statistics and affine parameters, so batch norms are not identities. */
    static Module randomResnet() {
        Module m = ChannelTraceTest.resnet20();
        Generator g = new Generator(11);
        Map<String, Tensor> state = new LinkedHashMap<>(m.stateDict());
        for (var e : state.entrySet()) {
            String k = e.getKey();
            int n = e.getValue().numel();
            if (k.endsWith("running_var")) e.setValue(Tensor.rand(g, n).add(0.5f));
            else if (k.endsWith("running_mean") || k.endsWith("bn1.bias") || k.endsWith("bn2.bias")) e.setValue(Tensor.randn(g, n).mul(0.1f));
            else if (k.endsWith("bn1.weight") || k.endsWith("bn2.weight")) e.setValue(Tensor.rand(g, n).add(0.5f));
        }
        m.loadStateDict(state, true);
        return m.eval();
    }

    static Tensor input(int n) {
        return Tensor.randn(new Generator(5), n, 1, 28, 28);
    }

    static float[] run(Module m, Tensor x) {
        try (var g = Tensor.noGrad()) {
            return m.eval().call(x).toArray();
        }
    }

    @Test
    void rateZeroIsTheSameModelBitForBit() {
        Module m = randomResnet();
        Tensor x = input(2);
        float[] before = run(m, x);
        ChannelGraph g = ChannelTrace.trace(m, x);
        Set<Integer> removed = Allocator.choose(g, Criteria.l1().scores(m, g), PruningTarget.channels(0));
        PruningPlan plan = Pruning.apply(m, g, removed, x);
        assertTrue(plan.isEmpty());
        assertArrayEquals(before, run(m, x));
    }

    /** Zeroes a group everywhere it is written: its filters, and batch-norm shift and mean, so the channel is exactly 0. */
    private static void silence(Module m, ChannelGraph g, int group) {
        try (var ng = Tensor.noGrad()) {
            for (Site s : g.group(group).sites()) {
                Module layer = m.get(s.path());
                Map<String, Tensor> st = layer.stateDict();
                if (!s.out()) continue;
                if (g.node(s.path()).kind() == ChannelGraph.Kind.MIXING) zeroRow(st.get("weight"), s.index());
                if (st.containsKey("running_mean")) {
                    zeroRow(st.get("running_mean"), s.index());
                    zeroRow(st.get("bias"), s.index());
                }
            }
        }
    }

    private static void zeroRow(Tensor t, int row) {
        int per = t.numel() / t.shape()[0];
        float[] d = t.data();
        Arrays.fill(d, t.dataOffset() + row * per, t.dataOffset() + (row + 1) * per, 0f);
    }

    @Test
    void removingSilentChannelsChangesNoOutput() {
        Module m = randomResnet();
        Tensor x = input(3);
        ChannelGraph g = ChannelTrace.trace(m, x);
        // residual channels of each reach (stage 1-3, stage 2-3, stage 3) and inner channels of several blocks
        Set<Integer> removed = new TreeSet<>();
        for (String[] pc : new String[][] {{"conv1", "2"}, {"conv1", "9"}, {"layer2.0.conv2", "0"}, {"layer2.0.conv2", "30"},
                {"layer3.0.conv2", "5"}, {"layer1.0.conv1", "4"}, {"layer2.1.conv1", "17"}, {"layer3.2.conv1", "63"}}) {
            removed.add(g.groupOf(pc[0], Integer.parseInt(pc[1])));
        }
        for (int id : removed) silence(m, g, id);
        float[] before = run(m, x);
        long params = m.parameterCount();
        PruningPlan plan = Pruning.apply(m, g, removed, x);
        float[] after = run(m, x);
        assertEquals(before.length, after.length);
        for (int i = 0; i < before.length; i++) assertEquals(before[i], after[i], 1e-4f * (1 + Math.abs(before[i])), "output " + i);
        assertTrue(m.parameterCount() < params);
        assertEquals(14, ((dev.tersor.nn.Conv2d) m.get("conv1")).outChannels());
        assertArrayEquals(new int[] {0, 1, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15}, plan.keptOutputs().get("conv1"));
        // the second stage's shortcut now places 14 channels among 30 (two of its own zero channels removed too)
        ZeroPadShortcut sc = (ZeroPadShortcut) m.get("layer2.0.shortcut");
        assertEquals(28, sc.outChannels());
        assertArrayEquals(new int[] {7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, sc.target());
    }

    @Test
    void thePrunedGraphCostsWhatThePlanSaid() {
        Module m = randomResnet();
        Tensor x = input(1);
        ChannelGraph g = ChannelTrace.trace(m, x);
        Set<Integer> removed = Allocator.choose(g, Criteria.l1().scores(m, g), PruningTarget.flops(0.5));
        long predicted = g.macs(removed);
        assertTrue(predicted <= g.macs() / 2, predicted + " of " + g.macs());
        Pruning.apply(m, g, removed, x);
        assertEquals(predicted, ChannelTrace.trace(m, x).macs());
        assertEquals(predicted, dev.tersor.nn.Summary.of(m, 1, 28, 28).totalMacs());
    }

    @Test
    void aPlanRebuildsTheSameArchitectureOnAFreshModel() {
        Module m = randomResnet();
        Tensor x = input(2);
        ChannelGraph g = ChannelTrace.trace(m, x);
        PruningPlan plan = Pruning.apply(m, g, Allocator.choose(g, Criteria.l2().scores(m, g), PruningTarget.channels(0.3).roundedTo(4)), x);
        PruningPlan parsed = PruningPlan.parse(plan.encode(), 4096);
        assertEquals(plan.encode(), parsed.encode());
        Module fresh = ChannelTraceTest.resnet20();
        Pruning.apply(fresh, parsed, x);
        fresh.loadStateDict(m.stateDict(), true);
        assertArrayEquals(run(m, x), run(fresh, x));
        for (int[] k : plan.keptOutputs().values()) assertEquals(0, k.length % 4, Arrays.toString(k));
    }

    @Test
    void twoStepsComposeIntoOnePlanOfTheOriginalIndices() {
        Module m = randomResnet();
        Tensor x = input(2);
        ChannelGraph g1 = ChannelTrace.trace(m, x);
        PruningPlan first = Pruning.apply(m, g1, Allocator.choose(g1, Criteria.l1().scores(m, g1), PruningTarget.channels(0.25)), x);
        ChannelGraph g2 = ChannelTrace.trace(m, x);
        PruningPlan second = Pruning.apply(m, g2, Allocator.choose(g2, Criteria.l2().scores(m, g2), PruningTarget.channels(0.25)), x);
        PruningPlan both = first.then(second);
        Module fresh = ChannelTraceTest.resnet20();
        Pruning.apply(fresh, both, x);
        fresh.loadStateDict(m.stateDict(), true);
        assertArrayEquals(run(m, x), run(fresh, x));
        assertEquals(9, both.keptOutputs().get("layer1.0.conv1").length);   // 16 → 12 → 9
        int[] k1 = first.keptOutputs().get("layer1.0.conv1"), k2 = second.keptOutputs().get("layer1.0.conv1");
        assertEquals(k1[k2[0]], both.keptOutputs().get("layer1.0.conv1")[0]);
    }

    @Test
    void badPlansAreRefusedWithTheReason() {
        Module m = ChannelTraceTest.resnet20();
        Tensor x = input(1);
        ChannelGraph g = ChannelTrace.trace(m, x);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PruningPlan(Map.of("layer1.0.conv2", new int[] {0, 1, 2})).removedGroups(g));
        assertTrue(e.getMessage().contains("inconsistent"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PruningPlan(Map.of("linear", new int[] {0})).removedGroups(g));
        assertTrue(e.getMessage().contains("reaches the model output"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PruningPlan(Map.of("bn1", new int[] {0})).removedGroups(g));
        assertTrue(e.getMessage().contains("not a prunable layer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PruningPlan(Map.of("layer1.0.conv1", new int[] {0, 16})).removedGroups(g));
        assertTrue(e.getMessage().contains("which has 16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PruningPlan.parse("layer1.0.conv1=0-3,x", 64));
        assertThrows(IllegalArgumentException.class, () -> PruningPlan.parse("layer1.0.conv1=0-99999999", 64));
        assertThrows(IllegalArgumentException.class, () -> PruningPlan.parse("layer1.0.conv1=5-2", 64));
        assertThrows(IllegalArgumentException.class, () -> PruningPlan.parse("a=1;a=2", 64));
        assertEquals("a=0-5,9", PruningPlan.parse("a=0-3,2-5,9,0-1", 64).encode(), "overlapping and repeated ranges keep each channel once");
        StringBuilder big = new StringBuilder("a=");
        for (int i = 0; i < 20_000; i++) big.append(i == 0 ? "" : ",").append("0-65535");   // a hostile plan: one set call per range
        assertEquals("a=0-65535", PruningPlan.parse(big.toString(), 65_536).encode());
        assertThrows(IllegalArgumentException.class, () -> new PruningPlan(Map.of("a", new int[] {2, 1})));
    }

    @Test
    void lenetPrunesThroughFlatten() {
        Rng.manualSeed(4);
        Module m = new LeNet5(false);
        Tensor x = input(2);
        ChannelGraph g = ChannelTrace.trace(m, x);
        Set<Integer> removed = Set.of(g.groupOf("conv2", 0), g.groupOf("conv2", 7), g.groupOf("fc1", 100));
        for (int id : removed) silenceLinear(m, g, id);
        float[] before = run(m, x);
        Pruning.apply(m, g, removed, x);
        assertArrayEquals(new int[] {14, 6, 5, 5}, ((dev.tersor.nn.Conv2d) m.get("conv2")).weight().shape());
        assertArrayEquals(new int[] {119, 350}, ((dev.tersor.nn.Linear) m.get("fc1")).weight().shape());
        float[] after = run(m, x);
        for (int i = 0; i < before.length; i++) assertEquals(before[i], after[i], 1e-5f);
    }

    private static void silenceLinear(Module m, ChannelGraph g, int group) {
        try (var ng = Tensor.noGrad()) {
            for (Site s : g.group(group).sites()) {
                if (!s.out()) continue;
                Map<String, Tensor> st = m.get(s.path()).stateDict();
                zeroRow(st.get("weight"), s.index());
                zeroRow(st.get("bias"), s.index());
            }
        }
    }

    @Test
    void targetsOutsideTheirRangeOrUnreachableAreClearErrors() {
        assertThrows(IllegalArgumentException.class, () -> PruningTarget.flops(1.0));
        assertThrows(IllegalArgumentException.class, () -> PruningTarget.flops(-0.1));
        assertThrows(IllegalArgumentException.class, () -> PruningTarget.flops(0.5).with(PruningTarget.Allocation.GLOBAL).roundedTo(8));
        Module m = ChannelTraceTest.resnet20();
        ChannelGraph g = ChannelTrace.trace(m, input(1));
        double[] s = Criteria.l1().scores(m, g);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Allocator.choose(g, s, PruningTarget.flops(0.99).with(PruningTarget.Scope.INTERNAL)));
        assertTrue(e.getMessage().startsWith("a FLOPs reduction of 99.0% cannot be met"), e.getMessage());
        Set<Integer> global = Allocator.choose(g, s, PruningTarget.flops(0.4).with(PruningTarget.Allocation.GLOBAL));
        assertTrue(g.macs(global) <= 0.6 * g.macs());
        Set<Integer> internal = Allocator.choose(g, s, PruningTarget.channels(0.5).with(PruningTarget.Scope.INTERNAL));
        for (int id : internal) assertEquals(1, g.group(id).producers().size());
        assertEquals((16 + 32 + 64) * 3 / 2, internal.size());
    }
}
