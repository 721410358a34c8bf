package dev.tersor.compress.prune;

import static org.junit.jupiter.api.Assertions.*;

import dev.tersor.compress.prune.ChannelGraph.Family;
import dev.tersor.compress.prune.ChannelGraph.Group;
import dev.tersor.compress.prune.ChannelGraph.Site;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.GroupNorm;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.Summary;
import dev.tersor.nn.zoo.CifarResNet;
import dev.tersor.nn.zoo.LeNet5;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The traced channel groups against the sets worked out by hand from the architectures. */
class ChannelTraceTest {

    static Module resnet20() {
        Rng.manualSeed(3);
        return new CifarResNet(20, 10, 1);
    }

    static Tensor sample28() {
        return Tensor.zeros(1, 1, 28, 28);
    }

    private static Set<String> names(Group g) {
        Set<String> s = new HashSet<>();
        for (Site site : g.sites()) s.add(site.toString());
        return s;
    }

    private static void add(Set<String> s, String path, int in, int out) {
        if (in >= 0) s.add(path + ".in[" + in + "]");
        if (out >= 0) s.add(path + ".out[" + out + "]");
    }

    /** A residual channel: where the stem or a stage's own convolutions write channel c of stage {@code from}, and where it goes from there. */
    private static Set<String> residual(int stage, int c, boolean stem) {
        Set<String> s = new HashSet<>();
        if (stem) {
            add(s, "conv1", -1, c);
            add(s, "bn1", c, c);
        }
        for (int st = stage; st <= 3; st++) {
            String layer = "layer" + st;
            if (st > stage || !stem) {
                // channel c of the previous stage arrives through the shortcut at c + planes/4 of this one (or starts at c here)
                if (st > stage || stage > 1) add(s, layer + ".0.shortcut", st > stage ? c - (st == 2 ? 8 : 16) : -1, c);
            }
            for (int b = 0; b < 3; b++) {
                String blk = layer + "." + b;
                add(s, blk + ".conv2", -1, c);
                add(s, blk + ".bn2", c, c);
                if (b > 0) add(s, blk + ".conv1", c, -1);
            }
            if (st < 3) {
                add(s, "layer" + (st + 1) + ".0.conv1", c, -1);
                add(s, "layer" + (st + 1) + ".0.shortcut", c, -1);
                c += st == 1 ? 8 : 16;
            }
        }
        if (stem) add(s, "layer1.0.conv1", c - 24, -1);
        s.add("linear.in[" + c + "]");
        return s;
    }

    @Test
    void resnet20GroupsAreTheHandWorkedSets() {
        ChannelGraph g = ChannelTrace.trace(resnet20(), sample28());
        List<Set<String>> expected = new ArrayList<>();
        for (int c = 0; c < 16; c++) expected.add(residual(1, c, true));
        int[] planes = {16, 32, 64};
        for (int st = 1; st <= 3; st++) {
            for (int b = 0; b < 3; b++) {
                String blk = "layer" + st + "." + b;
                for (int c = 0; c < planes[st - 1]; c++) {
                    Set<String> s = new HashSet<>();
                    add(s, blk + ".conv1", -1, c);
                    add(s, blk + ".bn1", c, c);
                    add(s, blk + ".conv2", c, -1);
                    expected.add(s);
                }
            }
            if (st == 2) for (int c : zeroPadded(32)) expected.add(residual(2, c, false));
            if (st == 3) for (int c : zeroPadded(64)) expected.add(residual(3, c, false));
        }
        Set<Set<String>> want = new HashSet<>(expected), got = new HashSet<>();
        for (Group gr : g.groups()) if (gr.prunable()) got.add(names(gr));
        assertEquals(400, got.size());
        assertEquals(want, got);
        Group pinned = g.groups().stream().filter(x -> !x.prunable()).findFirst().orElseThrow();
        assertEquals("reaches the model output", pinned.pinned());
        assertEquals(10, pinned.sites().size());
        List<String> famSizes = new ArrayList<>();
        for (Family f : g.families()) famSizes.add(f.producers().size() + "x" + f.size());
        assertEquals(List.of("10x16", "1x16", "1x16", "1x16", "1x32", "6x16", "1x32", "1x32", "1x64", "3x32", "1x64", "1x64"), famSizes);
    }

    /** The channels of a stage that the option-A shortcut fills with zeros: the first and last quarter. */
    private static int[] zeroPadded(int planes) {
        int q = planes / 4;
        int[] out = new int[2 * q];
        for (int i = 0; i < q; i++) {
            out[i] = i;
            out[q + i] = planes - q + i;
        }
        return out;
    }

    @Test
    void residual3IsStageThreeOnly() {
        Set<String> s = residual(3, 0, false);
        assertTrue(s.contains("layer3.0.shortcut.out[0]") && s.contains("linear.in[0]") && !s.contains("layer3.0.shortcut.in[0]"));
    }

    @Test
    void lenetFlattenMapsEachChannelToItsTwentyFiveFeatures() {
        Rng.manualSeed(1);
        ChannelGraph g = ChannelTrace.trace(new LeNet5(false), sample28());
        List<String> fam = new ArrayList<>();
        for (Family f : g.families()) fam.add(f.producers() + "x" + f.size());
        assertEquals(List.of("[conv1]x6", "[conv2]x16", "[fc1]x120", "[fc2]x84"), fam);
        Group c2 = g.group(g.groupOf("conv2", 3));
        Set<String> want = new HashSet<>();
        want.add("conv2.out[3]");
        for (int i = 0; i < 25; i++) want.add("fc1.in[" + (75 + i) + "]");
        assertEquals(want, names(c2));
        assertFalse(g.group(g.groupOf("fc3", 0)).prunable());
    }

    @Test
    void macsMatchTheSummary() {
        Module m = resnet20();
        assertEquals(Summary.of(m, 1, 28, 28).totalMacs(), ChannelTrace.trace(m, sample28()).macs());
    }

    /** A convolution whose two halves are added outside any module: its channels c and c + 4 are mixed. */
    static final class Folded extends Module {
        Folded() {
            register("conv", new Conv2d(1, 8, 3, 1, 1));
            register("fc", new Linear(4, 2));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = child("conv").call(x);
            y = y.narrow(1, 0, 4).add(y.narrow(1, 4, 4)).mean(new int[] {2, 3}, false);
            return child("fc").call(y);
        }
    }

    /** A convolution followed by a group norm: a layer with state no surgery knows. */
    static final class Normed extends Module {
        Normed() {
            register("conv", new Conv2d(1, 4, 3, 1, 1));
            register("gn", new GroupNorm(2, 4));
            register("fc", new Linear(4, 2));
        }

        @Override
        public Tensor forward(Tensor x) {
            return child("fc").call(child("gn").call(child("conv").call(x)).mean(new int[] {2, 3}, false));
        }
    }

    @Test
    void channelsAddedOutsideAModuleFormOneGroupAndAForwardThatSplitsByCountFailsClearly() {
        Folded m = new Folded();
        Tensor x = Tensor.zeros(1, 1, 6, 6);
        ChannelGraph g = ChannelTrace.trace(m, x);
        Group gr = g.group(g.groupOf("conv", 1));
        assertTrue(gr.prunable());
        assertEquals(Set.of("conv.out[1]", "conv.out[5]", "fc.in[1]"), names(gr));
        assertEquals(4, g.families().get(0).size());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Pruning.apply(m, g, Set.of(gr.id()), x));
        assertTrue(e.getMessage().startsWith("the pruned model no longer runs"), e.getMessage());
    }

    @Test
    void anUnknownLayerWithStatePinsItsChannels() {
        ChannelGraph g = ChannelTrace.trace(new Normed(), Tensor.zeros(1, 1, 6, 6));
        for (int c = 0; c < 4; c++) {
            Group gr = g.group(g.groupOf("conv", c));
            assertEquals("passes through gn: GroupNorm has state that no pruning surgery knows", gr.pinned());
        }
        assertTrue(g.families().isEmpty());
    }
}
