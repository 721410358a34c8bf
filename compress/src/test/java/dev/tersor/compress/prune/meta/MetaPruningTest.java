package dev.tersor.compress.prune.meta;

import static org.junit.jupiter.api.Assertions.*;

import dev.tersor.compress.prune.ChannelGraph;
import dev.tersor.compress.prune.ChannelTrace;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.data.Batch;
import java.util.List;
import org.junit.jupiter.api.Test;

/** MetaPruning end to end on LeNet-5 and the bundled MNIST sample, kept small. */
class MetaPruningTest {
    static final List<Batch> TRAIN = Fixtures.mnist(0, 8, 64), VALIDATION = Fixtures.mnist(6000, 2, 200);

    static MetaPruning.Options small(double flops) {
        return MetaPruning.Options.of(flops, MetaPruning.Training.of(40, 0.005)).with(EvolutionSettings.scaled(8, 3)).withBatches(2, 0);
    }

    /** Measured once: the trained LeNet-5 scores 0.9225 on the 400 validation digits, the best half-FLOPs candidate 0.89. */
    @Test
    void searchMeetsTheLimitAndPrunesToTheFoundWidths() {
        Module model = Fixtures.trainedLenet(1, TRAIN, 80);
        double before = Scoring.accuracy(model, VALIDATION, 0);
        ChannelGraph graph = ChannelTrace.trace(model, TRAIN.get(0).inputs());
        long base = graph.macs();
        MetaPruning.Result r = MetaPruning.search(model, TRAIN.get(0).inputs(), TRAIN, VALIDATION, small(0.5), null);
        assertEquals(base, r.baseMacs());
        assertTrue(r.macs() <= Math.floor(0.5 * base), "MACs " + r.macs() + " of " + base);
        assertTrue(r.macs() >= Math.floor(0.5 * base) - Math.ceil(0.05 * base), "inside the band");
        assertEquals(graph.macs(r.removed()), r.macs());
        assertArrayEquals(new int[] {6, 16, 120, 84}, r.sizes());
        int[] w = r.widths();
        assertEquals(w[0], ((Conv2d) model.get("conv1")).outChannels());
        assertEquals(w[1], ((Conv2d) model.get("conv2")).outChannels());
        assertEquals(25 * w[1], ((Linear) model.get("fc1")).weight().shape()[1]);
        assertEquals(w[2], ((Linear) model.get("fc1")).weight().shape()[0]);
        assertEquals(w[3], ((Linear) model.get("fc2")).weight().shape()[0]);
        assertSame(model, r.model());
        // LeNet-5 has no batch norm: the pruned model holds the generated weights of the best candidate and scores what the search scored
        assertEquals(r.validationAccuracy(), Scoring.accuracy(model, VALIDATION, 0), 1.0 / 400 + 1e-9);
        assertTrue(before > 0.8, "the trained LeNet-5: " + before);
        assertTrue(r.validationAccuracy() > 0.6, "half the FLOPs with generated weights: " + r.validationAccuracy());
        assertEquals(ChannelTrace.trace(model, TRAIN.get(0).inputs()).macs(), r.macs(), "the pruned model runs the predicted MACs");
    }

    @Test
    void pretrainedWeightsAreTheCroppedOriginals() {
        Module model = Fixtures.lenet(2), reference = Fixtures.lenet(2);
        MetaPruning.Result r = MetaPruning.search(model, TRAIN.get(0).inputs(), TRAIN, VALIDATION,
                small(0.4).with(MetaPruning.Weights.PRETRAINED), null);
        float[] got = ((Conv2d) model.get("conv2")).weight().value().toArray(), all = ((Conv2d) reference.get("conv2")).weight().value().toArray();
        int in = r.widths()[0];
        for (int o = 0; o < r.widths()[1]; o++) {
            for (int i = 0; i < in; i++) {
                for (int k = 0; k < 25; k++) assertEquals(all[(o * 6 + i) * 25 + k], got[(o * in + i) * 25 + k], 0f);
            }
        }
    }

    @Test
    void impossibleLimitsFailBeforeTraining() {
        Module model = Fixtures.lenet(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetaPruning.search(model, TRAIN.get(0).inputs(), TRAIN, VALIDATION, small(0.995), null));
        assertTrue(e.getMessage().contains("no width vector meets the MACs limit"), e.getMessage());
        assertEquals(6, ((Conv2d) model.get("conv1")).outChannels(), "the model is untouched");
        assertThrows(IllegalArgumentException.class, () -> MetaPruning.Options.of(1.0, MetaPruning.Training.of(1, 0.1)));
        assertThrows(IllegalArgumentException.class, () -> MetaPruning.Training.of(-1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new MetaPruning.Training(1, 0.1, 1.0, 0, 32, PruningNet.Init.RANDOM));
    }
}
