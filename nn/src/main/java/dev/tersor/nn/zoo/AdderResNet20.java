package dev.tersor.nn.zoo;

import dev.tersor.nn.BatchNorm1d;
import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Sequential;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.lowbit.AdderBackward;

/**
 * {@code resnet20-adder}: the AdderNet ResNet-20 for CIFAR (the paper's Table 2, 91.84% on
 * CIFAR-10 against 92.25% for the CNN), as the official {@code resnet20.py}: [N, 3, 32, 32] →
 * logits [N, classes].
 * <pre>
 * conv1 Conv2d(3, 16, 3, padding=1, no bias) → bn1 → ReLU            ordinary first layer
 * layer1: 3 × {@link AdderBasicBlock}(16)                              adder 3×3 convs, BN after each
 * layer2: 3 × AdderBasicBlock(32), first with stride 2 and an adder 1×1 + BN shortcut
 * layer3: 3 × AdderBasicBlock(64), likewise
 * global average pooling → fc Linear(64, classes, no bias) → bn2 BatchNorm1d(classes)
 * </pre>
 * The last layer is an ordinary linear map followed by batch norm, which is the official code's
 * 1×1 convolution + BatchNorm2d on the pooled features with the spatial axes dropped (its
 * weight [classes, 64, 1, 1] loads as [classes, 64]). Batch norms start at weight 1, bias 0.
 */
public class AdderResNet20 extends Module {

    /** Ten classes, the AdderNet rules with η = 0.2. */
    public AdderResNet20() {
        this(10, AdderBackward.ADDERNET);
    }

    /** {@code classes} outputs; {@code backward} for every adder layer. */
    public AdderResNet20(int classes, AdderBackward backward) {
        if (classes < 1) throw new IllegalArgumentException("AdderResNet20: classes must be positive, got " + classes);
        register("conv1", new Conv2d(3, 16, 3, 1, 1, false));
        register("bn1", new BatchNorm2d(16));
        register("layer1", stage(16, 16, 1, backward));
        register("layer2", stage(16, 32, 2, backward));
        register("layer3", stage(32, 64, 2, backward));
        register("fc", new Linear(64, classes, false));
        register("bn2", new BatchNorm1d(classes));
    }

    private static Sequential stage(int in, int planes, int stride, AdderBackward backward) {
        Sequential s = new Sequential();
        for (int i = 0; i < 3; i++) s.add(new AdderBasicBlock(i == 0 ? in : planes, planes, i == 0 ? stride : 1, backward));
        return s;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != 3) {
            throw new IllegalArgumentException("AdderResNet20: expected input [N, 3, H, W], got " + java.util.Arrays.toString(x.shape()));
        }
        Tensor y = child("bn1").call(child("conv1").call(x)).relu();
        y = child("layer3").call(child("layer2").call(child("layer1").call(y)));
        y = y.mean(new int[] {2, 3}, false);
        return child("bn2").call(child("fc").call(y));
    }

    /**
     * The zoo entry {@code resnet20-adder}. Its default recipe is the official {@code main.py}:
     * SGD, lr 0.1, momentum 0.9, weight decay 5e-4, cosine to 0 (stepped every iteration here,
     * every epoch there), 400 epochs, batch 256, random crop and flip; the adder weights get the
     * adaptive learning rate inside their backward.
     */
    public static ModelInfo info() {
        return new ModelInfo("resnet20-adder", "CIFAR ResNet-20 with adder 3x3 convolutions (AdderNet)", new int[] {3, 32, 32},
                "cifar10", new float[] {0.4914f, 0.4822f, 0.4465f}, new float[] {0.2470f, 0.2435f, 0.2616f}, true,
                new Recipe("sgd", 0.1, 0.9, 5e-4, "cosine", 400, 256), AdderResNet20::new);
    }
}
