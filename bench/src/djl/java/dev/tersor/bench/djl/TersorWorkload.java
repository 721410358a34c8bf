package dev.tersor.bench.djl;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.optim.CosineLr;
import dev.tersor.nn.optim.Sgd;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;

/** Tersor's side: the zoo's {@code lenet5} and {@code resnet20-fashion} with {@link Sgd} and {@link CosineLr}. */
final class TersorWorkload implements Workload {

    @Override
    public String name() {
        return "tersor";
    }

    @Override
    public double lenetEpochSeconds(MnistData data, long seed) {
        Rng.manualSeed(seed);
        Module net = Zoo.create("lenet5").train();
        Sgd opt = new Sgd(net.parameters(), Sgd.options(0.05).momentum(0.9).weightDecay(5e-4).build());
        CosineLr sched = new CosineLr(opt, data.steps(), 0.0);
        int[] order = data.order(seed);
        float[] x = new float[MnistData.BATCH * MnistData.PIXELS];
        int[] y = new int[MnistData.BATCH];
        float last = 0;
        long t0 = System.nanoTime();
        for (int s = 0; s < data.steps(); s++) {
            data.batch(order, s, x, y);
            opt.zeroGrad();
            Tensor loss = Losses.crossEntropy(net.call(Tensor.fromArray(x, MnistData.BATCH, 1, 28, 28)), IntTensor.of(y, MnistData.BATCH));
            last = loss.item();
            loss.backward();
            opt.step();
            sched.step();
        }
        double seconds = (System.nanoTime() - t0) * 1e-9;
        if (!Float.isFinite(last)) throw new IllegalStateException("Tersor LeNet-5 diverged: loss " + last);
        return seconds;
    }

    @Override
    public Runnable resnetStep(int batch, long seed) {
        Rng.manualSeed(seed);
        Module net = Zoo.create("resnet20-fashion").train();
        Sgd opt = new Sgd(net.parameters(), Sgd.options(0.1).momentum(0.9).weightDecay(1e-4).build());
        Generator g = new Generator(seed);
        float[] x = Tensor.randn(g, batch, 1, 28, 28).toArray();
        int[] labels = Tensor.randint(g, 0, 10, batch).toArray();
        return () -> {                                               // the batch made per step, as DJL's side does
            opt.zeroGrad();
            Tensor loss = Losses.crossEntropy(net.call(Tensor.fromArray(x, batch, 1, 28, 28)), IntTensor.of(labels, batch));
            loss.backward();
            opt.step();
        };
    }

    @Override
    public Runnable inference(String model, long seed) {
        Rng.manualSeed(seed);
        Module net = Zoo.create(model.equals("resnet20") ? "resnet20-fashion" : model).eval();
        float[] x = Tensor.randn(new Generator(seed), 1, 1, 28, 28).toArray();
        return () -> {
            try (var ng = Tensor.noGrad()) {
                net.call(Tensor.fromArray(x, 1, 1, 28, 28)).toArray();   // input made per call, logits read out, as DJL's side does
            }
        };
    }

    @Override
    public long trainableParameters(String model) {
        return Zoo.create(model.equals("resnet20") ? "resnet20-fashion" : model).parameterCount();
    }

    /** LeNet-5 from the zoo, one forward of a blank image; returns the logits (for {@link FirstInference}). */
    static float[] firstInference() {
        Rng.manualSeed(1);
        Module net = Zoo.create("lenet5").eval();
        try (var ng = Tensor.noGrad()) {
            return net.call(Tensor.zeros(1, 1, 28, 28)).toArray();
        }
    }

    @Override
    public void close() {
    }
}
