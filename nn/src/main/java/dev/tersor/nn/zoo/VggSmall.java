package dev.tersor.nn.zoo;

import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Functional;
import dev.tersor.tensor.Pool2dOptions;
import dev.tersor.tensor.Tensor;

/**
 * The 6-conv CIFAR VGG of the binary-network papers (LQ-Nets, IR-Net, RBNN): [N, 3, 32, 32] →
 * logits [N, classes]. conv0 (3→128) bn0 · conv1 (128→128) pool bn1 · conv2 (128→256) bn2 ·
 * conv3 (256→256) pool bn3 · conv4 (256→512) bn4 · conv5 (512→512) pool bn5, each 3×3 pad 1
 * without bias and followed by ReLU, then fc (512·4·4→classes).
 */
public class VggSmall extends Module {
    private static final int[] WIDTHS = {128, 128, 256, 256, 512, 512};
    private static final Pool2dOptions POOL = Pool2dOptions.of(2);

    /** The network with {@code classes} outputs. */
    public VggSmall(int classes) {
        int in = 3;
        for (int i = 0; i < WIDTHS.length; i++) {
            register("conv" + i, new Conv2d(in, WIDTHS[i], 3, 1, 1, false));
            register("bn" + i, new BatchNorm2d(WIDTHS[i]));
            in = WIDTHS[i];
        }
        register("fc", new Linear(512 * 4 * 4, classes));
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != 3 || x.size(2) != 32 || x.size(3) != 32) {
            throw new IllegalArgumentException("VggSmall: expected input [N, 3, 32, 32], got " + java.util.Arrays.toString(x.shape()));
        }
        Tensor y = x;
        for (int i = 0; i < WIDTHS.length; i++) {
            y = child("conv" + i).call(y);
            if (i % 2 == 1) y = Functional.maxPool2d(y, POOL);
            y = child("bn" + i).call(y).relu();
        }
        return child("fc").call(y.flatten(1, -1));
    }
}
