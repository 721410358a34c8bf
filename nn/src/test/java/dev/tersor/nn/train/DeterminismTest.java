package dev.tersor.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.RandomCrop;
import dev.tersor.nn.data.RandomHorizontalFlip;
import dev.tersor.nn.data.TensorDataset;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.CosineLr;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.backend.Parallel;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Training is a function of the seed and the thread count: the same seed, data and thread count
 * give the same weights bit for bit (the kernels' chunks do not depend on which thread runs
 * them), for LeNet-5 and a ResNet-20 with augmentation and batch norm. Another thread count splits
 * the weight-gradient sums differently, so the weights then agree only to rounding (asserted to
 * a relative 1e-5 here).
 */
class DeterminismTest {
    private static Map<String, float[]> train(String model, int[] sample, int threads, int steps) {
        int saved = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            Rng.manualSeed(21);
            Module m = Zoo.create(model);
            Generator g = new Generator(4);
            int n = 16 * steps, size = sample[0] * sample[1] * sample[2];
            float[] x = new float[n * size];
            int[] y = new int[n];
            for (int i = 0; i < x.length; i++) x[i] = (float) g.nextGaussian();
            for (int i = 0; i < n; i++) y[i] = g.nextInt(10);
            DataLoader train = DataLoader.builder(TensorDataset.of(x, y, sample)).setBatchSize(16).optShuffle(true).optSeed(5)
                    .optTransform(new RandomCrop(sample[1], 2), new RandomHorizontalFlip(0.5f)).build();
            Sgd opt = new Sgd(m.parameters(), Sgd.options(0.05).momentum(0.9).weightDecay(5e-4).build());
            new Trainer(m, opt, new CosineLr(opt, steps, 0), Losses::crossEntropy).fit(train, null, Trainer.Options.epochs(1).log(null));
            Map<String, float[]> state = new LinkedHashMap<>();
            m.stateDict().forEach((k, v) -> state.put(k, v.toArray()));
            return state;
        } finally {
            Parallel.setThreads(saved);
        }
    }

    private static void assertSame(Map<String, float[]> a, Map<String, float[]> b, String what) {
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v, b.get(k), what + ": " + k));
    }

    @ParameterizedTest
    @CsvSource({"lenet5, 1, 28, 4", "resnet20, 3, 32, 2"})
    void theSameSeedAndThreadCountGiveTheSameWeights(String model, int channels, int side, int steps) {
        int[] sample = {channels, side, side};
        Map<String, float[]> one = train(model, sample, 1, steps);
        assertSame(one, train(model, sample, 1, steps), model + ", one thread, twice");
        Map<String, float[]> three = train(model, sample, 3, steps);
        assertSame(three, train(model, sample, 3, steps), model + ", three threads, twice");
        one.forEach((k, v) -> {
            float[] w = three.get(k);
            for (int i = 0; i < v.length; i++) {
                assertEquals(v[i], w[i], 1e-5 * Math.max(1, Math.abs(v[i])) + 1e-7, model + ", one thread against three: " + k + "[" + i + "]");
            }
        });
    }
}
