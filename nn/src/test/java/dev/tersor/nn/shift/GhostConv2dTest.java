package dev.tersor.nn.shift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Rng;
import dev.tersor.nn.Sequential;
import dev.tersor.nn.Summary;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.lowbit.Shift;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GhostConv2dTest {

    private static GhostConv2d ghost(int in, int out, long seed) {
        Rng.manualSeed(seed);
        return new GhostConv2d(in, out, 3, 3, dev.tersor.tensor.Conv2dOptions.of(1, 1), true, 0.5, new Generator(seed));
    }

    @Test
    void shapesKeysAndIntrinsicCount() {
        GhostConv2d g = ghost(4, 8, 1);
        assertArrayEquals(new int[] {2, 8, 5, 6}, g.call(Tensor.randn(new Generator(2), 2, 4, 5, 6)).shape());
        Map<String, Tensor> sd = g.stateDict();
        assertEquals(List.of("primary.weight", "primary.bias", "shift.logits", "shift.source", "shift.order"), List.copyOf(sd.keySet()));
        assertArrayEquals(new int[] {4, 4, 3, 3}, sd.get("primary.weight").shape());
        assertArrayEquals(new int[] {4, 9}, sd.get("shift.logits").shape());
        assertEquals(32, GhostConv2d.intrinsicChannels(64, 0.5));
        assertEquals(3, GhostConv2d.intrinsicChannels(5, 0.5));
        assertEquals(1, GhostConv2d.intrinsicChannels(6, 0.1));
        assertThrows(IllegalArgumentException.class, () -> GhostConv2d.intrinsicChannels(4, 1.0));
        assertThrows(IllegalArgumentException.class, () -> GhostConv2d.intrinsicChannels(1, 0.5));
        assertThrows(IllegalArgumentException.class, () -> g.call(Tensor.zeros(1, 3, 4, 4)));
    }

    @Test
    void evalIsTheNarrowConvolutionThenTheArgmaxShift() {
        GhostConv2d g = ghost(3, 7, 3);   // 4 intrinsic, 3 ghosts
        g.eval();
        Tensor x = Tensor.randn(new Generator(4), 2, 3, 5, 5);
        try (var ng = Tensor.noGrad()) {
            Tensor y = g.call(x), intr = g.primary().call(x);
            assertArrayEquals(intr.toArray(), y.narrow(1, 0, 4).toArray());
            int[] src = g.shift().sources(), dir = g.shift().directions();
            for (int j = 0; j < 3; j++) {
                Tensor expected = Shift.shift(intr.narrow(1, src[j], 1), Shift.dy(dir[j]), Shift.dx(dir[j]));
                assertArrayEquals(expected.toArray(), y.narrow(1, 4 + j, 1).toArray(), "ghost " + j);
            }
        }
    }

    @Test
    void trainingForwardIsAHardShiftAndMatchesEvalWithoutNoise() {
        GhostConv2d g = ghost(2, 4, 5);
        Tensor x = Tensor.randn(new Generator(6), 1, 2, 4, 4);
        Tensor intr = g.primary().call(x).detach();
        Tensor y = g.call(x);
        for (int j = 0; j < 2; j++) {
            float[] got = y.narrow(1, 2 + j, 1).toArray();
            boolean someMove = false;
            for (int k = 0; k < 9; k++) {
                someMove |= java.util.Arrays.equals(got, Shift.shift(intr.narrow(1, j, 1), Shift.dy(k), Shift.dx(k)).toArray());
            }
            assertTrue(someMove, "ghost " + j + " is exactly one of the nine moves of its source");
        }
        g.shift().setNoiseScale(0f);
        float[] train = g.call(x).toArray();
        g.eval();
        assertArrayEquals(g.call(x).toArray(), train);
    }

    @Test
    void straightThroughGradientIsTheSoftmaxGradient() {
        GhostConv2d g = ghost(3, 6, 7);
        g.shift().setNoiseScale(0f);
        g.shift().setTemperature(0.5f);
        Tensor x = Tensor.randn(new Generator(8), 2, 3, 4, 5);
        Tensor r = Tensor.randn(new Generator(9), 2, 6, 4, 5);
        g.call(x).mul(r).sum().backward();
        assertNotNull(g.primary().weight().grad());

        Tensor logits = g.shift().logits().value().detach().copy().requiresGrad(true);
        Tensor src = g.primary().call(x).detach();
        Shift.mix(src, logits.div(0.5f).softmax(1)).mul(r.narrow(1, 3, 3)).sum().backward();
        float[] expected = logits.grad().toArray(), got = g.shift().logits().grad().toArray();
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], got[i], 1e-4f, "logit " + i);
    }

    @Test
    void orientationsAreLearnedFromAShiftedTarget() {
        GhostShift s = new GhostShift(4, 8, new Generator(10));
        int[] wanted = {1, 5, 8, 3};
        Tensor intr = Tensor.randn(new Generator(11), 4, 4, 6, 6);
        Tensor target = Tensor.cat(1, intr, Shift.shiftChannels(intr, wanted));
        for (int step = 0; step < 60; step++) {
            s.setNoiseScale((float) Math.pow(0.95, step));
            s.setTemperature(GhostConv2d.exponential(1f, 0.2f, step, 60));
            Tensor d = s.call(intr).sub(target);
            d.mul(d).mean().backward();
            try (var ng = Tensor.noGrad()) {
                s.logits().value().addInPlace(s.logits().grad(), -20f);
            }
            s.logits().zeroGrad();
        }
        assertArrayEquals(wanted, s.directions());
    }

    @Test
    void gumbelNoiseFollowsTheGlobalStreamThatCheckpointsSave() {
        Tensor x = Tensor.randn(new Generator(12), 1, 2, 4, 4);
        GhostConv2d a = ghost(2, 6, 13), b = ghost(2, 6, 13);
        Rng.manualSeed(99);
        float[][] first = new float[3][];
        for (int i = 0; i < 3; i++) first[i] = a.call(x).toArray();
        Rng.manualSeed(99);
        for (int i = 0; i < 3; i++) assertArrayEquals(first[i], b.call(x).toArray(), "call " + i + ": the same stream, the same moves");

        Rng.manualSeed(5);
        a.call(x);
        Generator saved = Generator.restore(Rng.global().state());   // what a checkpoint records
        float[] next = a.call(x).toArray();
        Rng.restore(saved);
        assertArrayEquals(next, a.call(x).toArray(), "restoring the global stream replays the noise (a resumed run)");
        boolean differs = false;
        Rng.manualSeed(6);
        for (int i = 0; i < 5 && !differs; i++) differs = !java.util.Arrays.equals(first[0], a.call(x).toArray());
        assertTrue(differs, "another stream draws other moves");
    }

    /** Filters 3, 4 and 5 repeat 1, 0 and (translated) 2: conversion must reproduce the convolution. */
    @Test
    void fromConvKeepsTheConvolutionWhenFiltersRepeat() {
        Rng.manualSeed(14);
        Conv2d conv = new Conv2d(2, 6, 3, 1, 1, true);
        Generator r = new Generator(15);
        float[] base0 = Tensor.randn(r, 18).mul(3f).toArray(), base1 = Tensor.randn(r, 18).mul(3f).toArray();
        float[] base2 = Tensor.randn(r, 18).mul(0.1f).toArray();
        for (int c = 0; c < 2; c++) for (int a = 0; a < 3; a++) base2[(c * 3 + a) * 3 + 2] = 0f;   // right column empty
        float[] moved = new float[18];   // T(W)[c, a, b] = W[c, a, b − 1]: the output moved left by one pixel (dx = −1)
        for (int c = 0; c < 2; c++) for (int a = 0; a < 3; a++) for (int b = 1; b < 3; b++) moved[(c * 3 + a) * 3 + b] = base2[(c * 3 + a) * 3 + b - 1];
        float[] noisy1 = Tensor.randn(r, 18).mul(1e-4f).add(Tensor.fromArray(base1, 18)).toArray();
        float[] w = new float[6 * 18];
        float[][] filters = {base0, base1, base2, noisy1, base0, moved};
        for (int o = 0; o < 6; o++) System.arraycopy(filters[o], 0, w, o * 18, 18);
        conv.weight().set(Tensor.fromArray(w, 6, 2, 3, 3));
        conv.bias().set(Tensor.fromArray(new float[] {0.1f, -0.2f, 0.3f, -0.2f, 0.1f, 0.3f}, 6));

        GhostConv2d g = GhostConv2d.fromConv(conv, 0.5, new Generator(16));
        assertEquals(3, g.intrinsicChannels());
        g.eval();
        Tensor x = Tensor.randn(new Generator(17), 2, 2, 6, 7);
        try (var ng = Tensor.noGrad()) {
            Tensor want = conv.call(x), got = g.call(x);
            for (int o = 0; o < 5; o++) {
                if (o == 2) continue;
                float[] a = want.narrow(1, o, 1).toArray(), b = got.narrow(1, o, 1).toArray();
                for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 2e-3f, "channel " + o + " element " + i);
            }
            for (int o : new int[] {2, 5}) {   // the translated pair: equal away from the left and right borders
                float[] a = want.narrow(1, o, 1).narrow(3, 1, 5).toArray(), b = got.narrow(1, o, 1).narrow(3, 1, 5).toArray();
                for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5f, "channel " + o + " element " + i);
            }
        }
        int[] order = g.shift().order();
        assertEquals(Set.of(0, 1, 2, 3, 4, 5), Set.of(order[0], order[1], order[2], order[3], order[4], order[5]));
        GhostConv2d again = GhostConv2d.fromConv(conv, 0.5, new Generator(16));
        assertArrayEquals(order, again.shift().order(), "same seed, same clustering");
        assertArrayEquals(g.shift().directions(), again.shift().directions());
    }

    @Test
    void nearestMoveRecognisesEachTranslation() {
        float[] s = Tensor.randn(new Generator(18), 2 * 9).toArray();
        double[] source = new double[18];
        for (int i = 0; i < 18; i++) source[i] = s[i];
        for (int k = 0; k < 9; k++) {
            double[] ghost = new double[18];
            for (int c = 0; c < 2; c++) {
                for (int a = 0; a < 3; a++) {
                    for (int b = 0; b < 3; b++) {
                        int sa = a + Shift.dy(k), sb = b + Shift.dx(k);
                        if (sa >= 0 && sa < 3 && sb >= 0 && sb < 3) ghost[(c * 3 + a) * 3 + b] = source[(c * 3 + sa) * 3 + sb];
                    }
                }
            }
            assertEquals(k, GhostConv2d.nearestMove(ghost, source, 2, 3, 3));
        }
    }

    @Test
    void convertReplacesOnlySelected3x3Convolutions() {
        Rng.manualSeed(19);
        Sequential model = new Sequential(new Conv2d(3, 8, 3, 1, 1), new Conv2d(8, 8, 1), new Conv2d(8, 8, 3, 1, 1), new Conv2d(8, 4, 3, 1, 1));
        List<String> done = GhostConv2d.convert(model, 0.5, new Generator(20), p -> !p.equals("3"));
        assertEquals(List.of("0", "2"), done);
        assertTrue(model.get(0) instanceof GhostConv2d && model.get(2) instanceof GhostConv2d);
        assertTrue(model.get(1) instanceof Conv2d && model.get(3) instanceof Conv2d);
        assertArrayEquals(new int[] {1, 4, 5, 5}, model.call(Tensor.zeros(1, 3, 5, 5)).shape());
    }

    @Test
    void annealAndSchedule() {
        Sequential model = new Sequential(ghost(2, 4, 21), ghost(4, 4, 22));
        assertEquals(2, GhostConv2d.anneal(model, 0.3f, 0.5f));
        GhostConv2d first = (GhostConv2d) model.get(0);
        assertEquals(0.3f, first.shift().temperature());
        assertEquals(0.5f, first.shift().noiseScale());
        assertEquals(1f, GhostConv2d.exponential(1f, 0.01f, 0, 10), 1e-6f);
        assertEquals(0.1f, GhostConv2d.exponential(1f, 0.01f, 5, 10), 1e-6f);
        assertEquals(0.01f, GhostConv2d.exponential(1f, 0.01f, 12, 10), 1e-7f);
        assertThrows(IllegalArgumentException.class, () -> first.shift().setTemperature(0f));
    }

    @Test
    void summaryCountsThePrimaryConvolutionAndAFreeShift() {
        GhostConv2d g = ghost(8, 16, 23);
        Summary s = Summary.of(g, 8, 5, 5);
        assertEquals(2, s.rows().size());
        assertEquals("primary", s.rows().get(0).name());
        assertEquals(25L * 8 * 8 * 9, s.rows().get(0).macs());
        assertEquals(0L, s.rows().get(1).macs());
        assertEquals(g.parameterCount(), s.totalParameters());
    }

    @Test
    void kMeansSeparatesBlobsAndSurvivesDuplicates() {
        double[][] pts = {{0, 0}, {10, 10}, {0.1, 0}, {10, 10.2}, {-5, 7}, {-5.1, 7}};
        FilterClustering.Result r = FilterClustering.cluster(pts, 3, new Generator(24));
        int[] a = r.assignment();
        assertEquals(a[0], a[2]);
        assertEquals(a[1], a[3]);
        assertEquals(a[4], a[5]);
        assertEquals(3, Set.of(a[0], a[1], a[4]).size());
        double[][] same = {{1, 1}, {1, 1}, {1, 1}, {1, 1}};
        FilterClustering.Result d = FilterClustering.cluster(same, 3, new Generator(25));
        assertEquals(3, Set.of(d.representatives()[0], d.representatives()[1], d.representatives()[2]).size());
    }
}
