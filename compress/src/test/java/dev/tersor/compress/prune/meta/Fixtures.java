package dev.tersor.compress.prune.meta;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.data.DataLoader;
import dev.tersor.nn.data.Mnist;
import dev.tersor.nn.data.Normalize;
import dev.tersor.nn.zoo.CifarResNet;
import dev.tersor.nn.zoo.LeNet5;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small models and bundled-MNIST batches shared by the MetaPruning and CACP tests. */
final class Fixtures {
    static final Normalize NORM = new Normalize(new float[] {0.1307f}, new float[] {0.3081f});

    private Fixtures() {
    }

    /** {@code count} normalised batches of {@code size} images of the bundled sample's training split, from image {@code from}. */
    static List<Batch> mnist(int from, int count, int size) {
        DataLoader l = DataLoader.builder(Mnist.bundledSample(true).subset(from, from + count * size)).setBatchSize(size).optTransform(NORM).build();
        List<Batch> out = new ArrayList<>();
        for (Batch b : l) out.add(b);
        return out;
    }

    static Module lenet(long seed) {
        Rng.manualSeed(seed);
        return new LeNet5(false).eval();
    }

    /** LeNet-5 trained by Adam (lr 2e-3) for {@code steps} passes over {@code batches} in turn. */
    static Module trainedLenet(long seed, List<Batch> batches, int steps) {
        Module m = lenet(seed).train();
        dev.tersor.nn.optim.Adam adam = new dev.tersor.nn.optim.Adam(m.parameters(), dev.tersor.nn.optim.Adam.options().lr(2e-3).build());
        for (int s = 0; s < steps; s++) {
            Batch b = batches.get(s % batches.size());
            adam.zeroGrad();
            dev.tersor.nn.loss.Losses.crossEntropy(m.call(b.inputs()), b.labels()).backward();
            adam.step();
        }
        return m.eval();
    }

    static Module lenetBn(long seed) {
        Rng.manualSeed(seed);
        return randomNorms(new LeNet5(true), seed).eval();
    }

    /** ResNet-20 for one input channel with random batch-norm statistics and affine parameters, so batch norms are not identities. */
    static Module resnet20(long seed) {
        Rng.manualSeed(seed);
        return randomNorms(new CifarResNet(20, 10, 1), seed).eval();
    }

    private static Module randomNorms(Module m, long seed) {
        Generator g = new Generator(seed);
        Map<String, Tensor> state = new LinkedHashMap<>(m.stateDict());
        for (var e : state.entrySet()) {
            String k = e.getKey();
            int n = e.getValue().numel();
            if (k.endsWith("running_var")) e.setValue(Tensor.rand(g, n).add(0.5f));
            else if (k.endsWith("running_mean")) e.setValue(Tensor.randn(g, n).mul(0.1f));
            else if (k.contains("bn") && k.endsWith("bias")) e.setValue(Tensor.randn(g, n).mul(0.1f));
            else if (k.contains("bn") && k.endsWith("weight")) e.setValue(Tensor.rand(g, n).add(0.5f));
        }
        m.loadStateDict(state, true);
        return m;
    }

    static float[] run(Module m, Tensor x) {
        try (var g = Tensor.noGrad()) {
            return m.eval().call(x).toArray();
        }
    }

    static Tensor input(int n) {
        return Tensor.randn(new Generator(5), n, 1, 28, 28);
    }
}
