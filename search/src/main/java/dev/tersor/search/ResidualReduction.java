package dev.tersor.search;

import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.ReLU;
import dev.tersor.nn.Sequential;
import dev.tersor.tensor.Tensor;

/**
 * The fixed block between the stages of a {@link CellSpace} (NAS-Bench-201's
 * {@code ResNetBasicblock}, stride 2, with a strided 1×1 convolution as the shortcut so odd
 * sizes work): x [N, in, H, W] → [N, out, ⌈H/2⌉, ⌈W/2⌉],
 * <pre>
 * y = b(a(x)) + shortcut(x)
 * a        ReLU → Conv 3×3 (stride 2) → BN
 * b        ReLU → Conv 3×3 → BN
 * shortcut Conv 1×1 (stride 2) → BN
 * </pre>
 */
public final class ResidualReduction extends Module {
    private final Module a, b, shortcut;

    /** A block from {@code in} to {@code out} channels. */
    public ResidualReduction(int in, int out) {
        if (in < 1 || out < 1) throw new IllegalArgumentException("ResidualReduction: channels must be positive, got " + in + ", " + out);
        this.a = register("a", new Sequential(new ReLU(), new Conv2d(in, out, 3, 2, 1, false), new BatchNorm2d(out)));
        this.b = register("b", new Sequential(new ReLU(), new Conv2d(out, out, 3, 1, 1, false), new BatchNorm2d(out)));
        this.shortcut = register("shortcut", new Sequential(new Conv2d(in, out, 1, 2, 0, false), new BatchNorm2d(out)));
    }

    @Override
    public Tensor forward(Tensor x) {
        return b.call(a.call(x)).add(shortcut.call(x));
    }
}
