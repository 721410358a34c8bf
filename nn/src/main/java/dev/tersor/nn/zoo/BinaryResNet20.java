package dev.tersor.nn.zoo;

import dev.tersor.nn.BatchNorm1d;
import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Sequential;
import dev.tersor.nn.binary.BinaryOptions;
import dev.tersor.tensor.Tensor;

/**
 * {@code resnet20-binary}: the CIFAR ResNet-20 of the Bi-Real / RBNN papers (RBNN's
 * {@code resnet20_1w1a}): [N, 3, 32, 32] → logits [N, classes]. Full-precision first
 * convolution and last linear layer; every 3×3 convolution inside the blocks is binary with a
 * real-valued shortcut around it ({@link BinaryBasicBlock}).
 * <pre>
 * conv1 Conv2d(3, 16, 3, pad 1, no bias) → bn1 → hardtanh
 * layer1: 3 blocks, 16 ch · layer2: 3 blocks, 32 ch (first stride 2) · layer3: 3 blocks, 64 ch (first stride 2)
 * global average pool → bn2 BatchNorm1d(64) → linear Linear(64, classes)
 * </pre>
 * The binary layers default to {@link BinaryOptions#rbnn()}: call
 * {@link dev.tersor.nn.binary.BinaryTraining#startEpoch} each epoch (or attach it to the trainer
 * with {@link dev.tersor.nn.binary.BinaryTraining#epochStart}; {@code tersor train} does this). State-dict names follow the RBNN code.
 */
public class BinaryResNet20 extends Module {

    /** RBNN binary layers, 10 classes. */
    public BinaryResNet20() {
        this(10, BinaryOptions.rbnn());
    }

    /** {@code classes} outputs, binary layers with {@code opts}. */
    public BinaryResNet20(int classes, BinaryOptions opts) {
        register("conv1", new Conv2d(3, 16, 3, 1, 1, false));
        register("bn1", new BatchNorm2d(16));
        register("layer1", stage(16, 16, 1, opts));
        register("layer2", stage(16, 32, 2, opts));
        register("layer3", stage(32, 64, 2, opts));
        register("bn2", new BatchNorm1d(64));
        register("linear", new Linear(64, classes));
    }

    private static Sequential stage(int in, int planes, int stride, BinaryOptions opts) {
        Sequential s = new Sequential();
        for (int i = 0; i < 3; i++) s.add(new BinaryBasicBlock(i == 0 ? in : planes, planes, i == 0 ? stride : 1, opts));
        return s;
    }

    /**
     * The zoo entry: CIFAR-10 normalised per channel, random crop and flip; default recipe SGD lr
     * 0.1, momentum 0.9, weight decay 1e-4 (the RBNN code's), cosine, 400 epochs, batch 256 (the
     * RBNN paper trains 1,000). Needs {@code BinaryTraining.epochStart} in the training loop for the
     * RBNN schedule and rotation updates.
     */
    public static ModelInfo info() {
        return new ModelInfo("resnet20-binary", "binary ResNet-20 (Bi-Real shortcuts, RBNN rotation), full-precision first/last layers",
                new int[] {3, 32, 32}, "cifar10", new float[] {0.4914f, 0.4822f, 0.4465f}, new float[] {0.2470f, 0.2435f, 0.2616f},
                true, new Recipe("sgd", 0.1, 0.9, 1e-4, "cosine", 400, 256), BinaryResNet20::new);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != 3) {
            throw new IllegalArgumentException("BinaryResNet20: expected input [N, 3, H, W], got " + java.util.Arrays.toString(x.shape()));
        }
        Tensor y = child("bn1").call(child("conv1").call(x)).hardtanh(-1f, 1f);
        y = child("layer3").call(child("layer2").call(child("layer1").call(y)));
        y = y.mean(new int[] {2, 3}, false);
        return child("linear").call(child("bn2").call(y));
    }
}
