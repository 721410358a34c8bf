package dev.tersor.nn.zoo;

import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.binary.BinaryConv2d;
import dev.tersor.nn.binary.BinaryOptions;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Pool2dOptions;
import dev.tersor.tensor.Tensor;

/**
 * {@code vgg-small-binary}: the 6-conv CIFAR VGG of {@link VggSmall} with conv1…conv5 binary
 * (RBNN's {@code vgg_small_1w1a}); conv0 and the classifier stay full precision. Each block is
 * conv → (pool) → bn → hardtanh, so the next binary layer binarizes a batch-normalised value.
 * [N, 3, 32, 32] → logits [N, classes]; state-dict names as {@link VggSmall}.
 * The binary layers default to {@link BinaryOptions#rbnn()} (see {@link BinaryResNet20}).
 */
public class BinaryVggSmall extends Module {
    private static final int[] WIDTHS = {128, 128, 256, 256, 512, 512};
    private static final Pool2dOptions POOL = Pool2dOptions.of(2);

    /** RBNN binary layers, 10 classes. */
    public BinaryVggSmall() {
        this(10, BinaryOptions.rbnn());
    }

    /** {@code classes} outputs, binary layers with {@code opts}. */
    public BinaryVggSmall(int classes, BinaryOptions opts) {
        int in = 3;
        for (int i = 0; i < WIDTHS.length; i++) {
            register("conv" + i, i == 0 ? new Conv2d(in, WIDTHS[i], 3, 1, 1, false) : new BinaryConv2d(in, WIDTHS[i], 3, 1, 1, opts));
            register("bn" + i, new BatchNorm2d(WIDTHS[i]));
            in = WIDTHS[i];
        }
        register("fc", new Linear(512 * 4 * 4, classes));
    }

    /**
     * The zoo entry: CIFAR-10 normalised per channel, random crop and flip; default recipe SGD lr
     * 0.1, momentum 0.9, weight decay 1e-4, cosine, 400 epochs, batch 256 (RBNN trains 1,000).
     */
    public static ModelInfo info() {
        return new ModelInfo("vgg-small-binary", "VGG-small with binary conv1-conv5 (RBNN), full-precision conv0 and fc",
                new int[] {3, 32, 32}, "cifar10", new float[] {0.4914f, 0.4822f, 0.4465f}, new float[] {0.2470f, 0.2435f, 0.2616f},
                true, new Recipe("sgd", 0.1, 0.9, 1e-4, "cosine", 400, 256), BinaryVggSmall::new);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != 3 || x.size(2) != 32 || x.size(3) != 32) {
            throw new IllegalArgumentException("BinaryVggSmall: expected input [N, 3, 32, 32], got " + java.util.Arrays.toString(x.shape()));
        }
        Tensor y = x;
        for (int i = 0; i < WIDTHS.length; i++) {
            y = child("conv" + i).call(y);
            if (i % 2 == 1) y = Functional.maxPool2d(y, POOL);
            y = child("bn" + i).call(y).hardtanh(-1f, 1f);
        }
        return child("fc").call(y.flatten(1, -1));
    }
}
