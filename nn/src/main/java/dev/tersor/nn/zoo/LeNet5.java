package dev.tersor.nn.zoo;

import dev.tersor.nn.BatchNorm1d;
import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Pool2dOptions;
import dev.tersor.tensor.Tensor;

/**
 * LeNet-5 for 28×28 MNIST digits: [N, 1, 28, 28] → logits [N, 10].
 * <pre>
 * conv1 Conv2d(1, 6, 5, padding=2) → ReLU → MaxPool2d(2)     [N, 6, 14, 14]
 * conv2 Conv2d(6, 16, 5)           → ReLU → MaxPool2d(2)     [N, 16, 5, 5]
 * flatten → fc1 Linear(400, 120) → ReLU → fc2 Linear(120, 84) → ReLU → fc3 Linear(84, 10)
 * </pre>
 * With batch norm ({@code lenet5-bn}), {@code bn1}, {@code bn2} (2-d) follow conv1, conv2 and
 * {@code bn3}, {@code bn4} (1-d) follow fc1, fc2, each before its ReLU. Inputs: pixels scaled to
 * [0, 1], then normalised with mean 0.1307 and std 0.3081 (the data pipeline does this).
 * <p>A width multiplier {@code w} scales every hidden width, rounded ({@code lenet5-half}: w = 0.5,
 * conv1 3, conv2 8 channels, fc1 60, fc2 42 units, fc1's input 8·5·5 = 200); the state-dict keys
 * stay the same.
 */
public class LeNet5 extends Module {
    private static final Pool2dOptions POOL = Pool2dOptions.of(2);
    private final boolean batchNorm;

    /** Plain LeNet-5 ({@code batchNorm} false) or LeNet-5-BN. */
    public LeNet5(boolean batchNorm) {
        this(batchNorm, 1.0);
    }

    /** LeNet-5 with every hidden width multiplied by {@code width} (rounded, at least 1): 0.5 gives {@code lenet5-half}. */
    public LeNet5(boolean batchNorm, double width) {
        this(batchNorm, width, 10);
    }

    /** The same with {@code classes} outputs (a data set of other classes than the ten digits). */
    public LeNet5(boolean batchNorm, double width, int classes) {
        if (!(width > 0 && Double.isFinite(width))) throw new IllegalArgumentException("LeNet5: width must be a finite number > 0, got " + width);
        if (classes < 1) throw new IllegalArgumentException("LeNet5: classes must be >= 1, got " + classes);
        this.batchNorm = batchNorm;
        int c1 = scaled(6, width), c2 = scaled(16, width), f1 = scaled(120, width), f2 = scaled(84, width);
        register("conv1", new Conv2d(1, c1, 5, 1, 2));
        if (batchNorm) register("bn1", new BatchNorm2d(c1));
        register("conv2", new Conv2d(c1, c2, 5));
        if (batchNorm) register("bn2", new BatchNorm2d(c2));
        register("fc1", new Linear(c2 * 25, f1));
        if (batchNorm) register("bn3", new BatchNorm1d(f1));
        register("fc2", new Linear(f1, f2));
        if (batchNorm) register("bn4", new BatchNorm1d(f2));
        register("fc3", new Linear(f2, classes));
    }

    private static int scaled(int channels, double width) {
        return Math.max(1, (int) Math.round(channels * width));
    }

    private Tensor block(Tensor x, String layer, String bn) {
        Tensor y = child(layer).call(x);
        if (batchNorm) y = child(bn).call(y);
        return y.relu();
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != 1 || x.size(2) != 28 || x.size(3) != 28) {
            throw new IllegalArgumentException("LeNet5: expected input [N, 1, 28, 28], got " + java.util.Arrays.toString(x.shape()));
        }
        Tensor y = Functional.maxPool2d(block(x, "conv1", "bn1"), POOL);
        y = Functional.maxPool2d(block(y, "conv2", "bn2"), POOL);
        y = y.flatten(1, -1);
        y = block(y, "fc1", "bn3");
        y = block(y, "fc2", "bn4");
        return child("fc3").call(y);
    }
}
