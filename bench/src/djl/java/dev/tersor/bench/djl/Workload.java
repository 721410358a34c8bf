package dev.tersor.bench.djl;

/**
 * One framework's side of the comparison: the same networks (LeNet-5 as Tersor's zoo
 * {@code lenet5}; ResNet-20 with one input channel as {@code resnet20-fashion}), the same recipe
 * (SGD, momentum 0.9, weight decay on all parameters; LeNet-5: lr 0.05, weight decay 5e-4,
 * cosine schedule per step; ResNet-20: lr 0.1, weight decay 1e-4), cross entropy.
 */
interface Workload extends AutoCloseable {

    /** {@code tersor} or {@code djl}. */
    String name();

    /** Seconds of one LeNet-5 training pass over {@code data} in batches of 64 (its loss is checked finite). */
    double lenetEpochSeconds(MnistData data, long seed);

    /** One ResNet-20 training step (zero grads, forward, loss, backward, SGD step) on a fixed random batch [batch, 1, 28, 28]. */
    Runnable resnetStep(int batch, long seed);

    /** One eval-mode forward of {@code model} ({@code lenet5} or {@code resnet20}) on one [1, 1, 28, 28] image. */
    Runnable inference(String model, long seed);

    /** Trainable parameters of {@code model} ({@code lenet5} or {@code resnet20}): equal on both sides, or the networks differ. */
    long trainableParameters(String model);

    @Override
    void close();
}
