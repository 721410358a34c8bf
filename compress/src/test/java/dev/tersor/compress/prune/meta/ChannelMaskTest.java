package dev.tersor.compress.prune.meta;

import static org.junit.jupiter.api.Assertions.*;

import dev.tersor.compress.prune.ChannelGraph;
import dev.tersor.compress.prune.ChannelGraph.Family;
import dev.tersor.compress.prune.ChannelTrace;
import dev.tersor.compress.prune.Pruning;
import dev.tersor.compress.prune.PruningTarget.Scope;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/** Masking removed channels at full width computes what the physically pruned model computes. */
class ChannelMaskTest {

    /** Random kept counts per family (first k kept) and, separately, random groups of each family. */
    private static void check(LongFunction<Module> make, float tol) {
        Tensor x = Fixtures.input(3);
        for (int trial = 0; trial < 2; trial++) {
            Module masked = make.apply(7), pruned = make.apply(7);
            ChannelGraph g = ChannelTrace.trace(masked, x);
            Generator rng = new Generator(40 + trial);
            Set<Integer> removed = new TreeSet<>();
            WidthSpace space = new WidthSpace(g, Scope.ALL);
            if (trial == 0) {
                int[] kept = new int[space.families().size()];
                for (int i = 0; i < kept.length; i++) kept[i] = 1 + rng.nextInt(space.families().get(i).size());
                removed.addAll(space.removed(kept));
            } else {
                for (Family f : g.families()) for (int id : f.groups().subList(1, f.size())) if (rng.nextInt(2) == 0) removed.add(id);
            }
            assertFalse(removed.isEmpty());
            new ChannelMask(g, removed).apply(masked, ChannelMask.weights(masked, g));
            Pruning.apply(pruned, g, removed, x);
            float[] a = Fixtures.run(masked, x), b = Fixtures.run(pruned, x);
            assertArrayEquals(b, a, tol, "trial " + trial);
        }
    }

    @Test
    void lenetMaskedEqualsPruned() {
        check(Fixtures::lenet, 1e-5f);
        check(Fixtures::lenetBn, 1e-4f);
    }

    @Test
    void resnetMaskedEqualsPruned() {
        check(Fixtures::resnet20, 1e-4f);
    }

    @Test
    void ratiosAndMaskOfLenet() {
        Module m = Fixtures.lenet(1);
        ChannelGraph g = ChannelTrace.trace(m, Fixtures.input(1));
        WidthSpace space = new WidthSpace(g, Scope.ALL);
        ChannelMask mask = new ChannelMask(g, space.removed(new int[] {3, 4, 120, 84}));   // conv1 keeps 3 of 6, conv2 4 of 16
        assertEquals(0.5f, mask.ratio("conv1", true), 0);
        assertEquals(1f, mask.ratio("conv1", false), 0);
        assertEquals(0.5f, mask.ratio("conv2", false), 0);
        assertEquals(0.25f, mask.ratio("conv2", true), 0);
        assertEquals(0.25f, mask.ratio("fc1", false), 0, "fc1 keeps 25 features of each of 4 channels of 16");
        float[] w = mask.of("conv2", new int[] {16, 6, 5, 5}).toArray();
        assertEquals(1f, w[(3 * 6 + 2) * 25 + 24], 0);    // output 3, input 2 kept
        assertEquals(0f, w[(3 * 6 + 3) * 25], 0);         // input 3 removed
        assertEquals(0f, w[(4 * 6 + 0) * 25], 0);         // output 4 removed
        double ones = 0;
        for (float v : w) ones += v;
        assertEquals(4 * 3 * 25, ones, 0);
        assertThrows(IllegalArgumentException.class, () -> mask.of("conv2", new int[] {16, 5, 5, 5}));
    }
}
