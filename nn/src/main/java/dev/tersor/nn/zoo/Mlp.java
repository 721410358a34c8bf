package dev.tersor.nn.zoo;

import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;

/**
 * A 784-512-256-10 perceptron for MNIST: [N, 1, 28, 28] (or [N, 784]) → logits [N, 10], with
 * ReLU between {@code fc1}, {@code fc2} and {@code fc3}. Inputs normalised as for {@link LeNet5}.
 */
public class Mlp extends Module {
    /** The three layers. */
    public Mlp() {
        this(10);
    }

    /** The same with {@code classes} outputs. */
    public Mlp(int classes) {
        if (classes < 1) throw new IllegalArgumentException("Mlp: classes must be >= 1, got " + classes);
        register("fc1", new Linear(784, 512));
        register("fc2", new Linear(512, 256));
        register("fc3", new Linear(256, classes));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x.reshape(x.size(0), -1);
        if (y.size(1) != 784) throw new IllegalArgumentException("Mlp: expected 784 features per sample, got " + java.util.Arrays.toString(x.shape()));
        y = child("fc1").call(y).relu();
        y = child("fc2").call(y).relu();
        return child("fc3").call(y);
    }
}
