package dev.tersor.nn.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Generator;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory stays flat over a long run: the heap in use after a full collection, measured before
 * each of 20 epochs of LeNet-5 (with evaluation, checkpoints and metrics files every epoch), grows
 * by less than a small bound from the third epoch on (the first ones warm caches and the JIT).
 */
class FlatMemoryTest {
    /** Heap in use after full collections (the least of three readings). */
    private static long usedAfterGc() {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    @Test
    void twentyEpochsLeaveTheHeapWhereTheThirdFoundIt(@TempDir Path dir) {
        Rng.manualSeed(2);
        Module model = Zoo.create("lenet5");
        Generator g = new Generator(3);
        int n = 128;
        float[] x = new float[n * 784];
        int[] y = new int[n];
        for (int i = 0; i < x.length; i++) x[i] = (float) g.nextGaussian();
        for (int i = 0; i < n; i++) y[i] = g.nextInt(10);
        DataLoader train = DataLoader.builder(TensorDataset.of(x, y, 1, 28, 28)).setBatchSize(32).optShuffle(true).optSeed(1).build();
        DataLoader test = DataLoader.builder(TensorDataset.of(x, y, 1, 28, 28)).setBatchSize(64).build();
        Sgd opt = new Sgd(model.parameters(), Sgd.options(0.01).momentum(0.9).build());
        List<Long> used = new ArrayList<>();
        Trainer.Options o = Trainer.Options.epochs(20).checkpoint(dir.resolve("run.ckpt")).metrics(dir.resolve("m.json"), dir.resolve("m.csv"))
                .log(null).onEpochStart((epoch, epochs) -> {
                    used.add(usedAfterGc());
                    return null;
                });
        new Trainer(model, opt, null, Losses::crossEntropy).fit(train, test, o);
        used.add(usedAfterGc());
        long growth = used.get(used.size() - 1) - used.get(2);
        assertTrue(growth < 4L << 20, "heap after GC grew by " + growth + " bytes from epoch 3 to the end: " + used);
    }
}
