package dev.tersor.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Rng;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.train.LossFunction;
import dev.tersor.nn.train.Trainer;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupernetTrainingTest {
    private final ChainSpace space = ChainSpace.fashionTiny();

    private static DataLoader data() {
        Generator g = new Generator(17);
        int n = 48;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = g.nextInt(10);
        TensorDataset ds = TensorDataset.of(Tensor.randn(g, n, 1, 12, 12), IntTensor.of(labels, n));
        return DataLoader.builder(ds).setBatchSize(8).optShuffle(true).optSeed(5).build();
    }

    private Map<String, Tensor> train(Path ckpt, Path resume, int epochs, LossFunction loss) {
        return train(space, ckpt, resume, epochs, loss);
    }

    private static Map<String, Tensor> train(ChainSpace space, Path ckpt, Path resume, int epochs, LossFunction loss) {
        Supernet net = space.supernet();
        Sgd sgd = SupernetTraining.sgd(net, Sgd.options(0.05).momentum(0.9).build(), 1e-3);
        Trainer.Options o = Trainer.Options.epochs(epochs).log(null);
        if (ckpt != null) o = o.checkpoint(ckpt).checkpointEvery(2);
        if (resume != null) o = o.resumeFrom(resume);
        new Trainer(net, sgd, null, loss).fit(data(), null, o);
        return net.stateDict();
    }

    @Test
    void weightDecayGoesToConvAndLinearWeightsOnly() {
        Supernet net = space.supernet();
        Sgd sgd = SupernetTraining.sgd(net, Sgd.options(0.1).momentum(0.9).weightDecay(0.5).build(), 4e-5);
        assertEquals(2, sgd.groups().size());
        assertEquals(4e-5, sgd.groups().get(0).options().weightDecay());
        assertEquals(0.0, sgd.groups().get(1).options().weightDecay());
        long convAndLinear = net.namedParameters().entrySet().stream().filter(e -> e.getValue().shape().length > 1).count();
        assertEquals(convAndLinear, sgd.groups().get(0).params().size());
    }

    @Test
    void withShiftCandidatesKilledAndResumedTrainingEqualsAnUninterruptedRunToo(@TempDir Path dir) {
        Map<String, Tensor> whole = killAndResume(SupernetTest.withShift(), dir);
        assertTrue(whole.keySet().stream().anyMatch(k -> k.endsWith(".shift.logits")), "the shift candidates' logits trained: " + whole.keySet());
    }

    /** Trains 2 epochs whole, then killed at step 10 and resumed in a fresh stream; asserts the same weights; returns them. */
    private static Map<String, Tensor> killAndResume(ChainSpace space, Path dir) {
        Rng.manualSeed(21);
        Map<String, Tensor> whole = train(space, null, null, 2, Losses::crossEntropy);
        Rng.manualSeed(21);
        Path ckpt = dir.resolve("supernet.ckpt");
        AtomicInteger steps = new AtomicInteger();
        LossFunction dying = (out, labels) -> {
            if (steps.incrementAndGet() == 10) throw new IllegalStateException("killed");   // step 4 of epoch 2
            return Losses.crossEntropy(out, labels);
        };
        assertThrows(IllegalStateException.class, () -> train(space, ckpt, null, 2, dying));
        Rng.manualSeed(12345);   // another process: other initial weights and another stream until the checkpoint restores it
        Map<String, Tensor> resumed = train(space, ckpt, ckpt, 2, Losses::crossEntropy);
        assertEquals(whole.keySet(), resumed.keySet());
        for (var e : whole.entrySet()) assertArrayEquals(e.getValue().toArray(), resumed.get(e.getKey()).toArray(), e.getKey());
        return whole;
    }

    @Test
    void killedAndResumedSupernetTrainingEqualsAnUninterruptedRun(@TempDir Path dir) {
        Map<String, Tensor> whole = killAndResume(space, dir);
        // the paths were random: more than one candidate of layer 0 moved away from its initial weights
        Rng.manualSeed(21);
        Map<String, Tensor> initial = space.supernet().stateDict();
        int moved = 0;
        for (int j = 0; j < 3; j++) {
            String k = "layers.0." + j + ".0.weight";
            if (!java.util.Arrays.equals(initial.get(k).toArray(), whole.get(k).toArray())) moved++;
        }
        assertTrue(moved >= 2, "candidates trained: " + moved);
    }

    @Test
    void supernetFitnessScoresDoNotDependOnTheWorker() {
        Rng.manualSeed(6);
        Supernet net = space.supernet();
        var batches = SupernetFitness.take(data(), 3);
        var make = SupernetFitness.perWorker(net, batches.subList(0, 2), batches.subList(2, 3));
        Fitness a = make.get(), b = make.get();
        Architecture x = new Architecture(space.name(), java.util.List.of(1, 2, 0, 3));
        Architecture y = new Architecture(space.name(), java.util.List.of(0, 0, 2, 1));
        double ax = a.score(x), ay = a.score(y), by = b.score(y), bx = b.score(x);
        assertEquals(ax, bx);
        assertEquals(ay, by);
        assertEquals(ax, a.score(x), "scoring y in between changes nothing");
    }
}
