package dev.tersor.nn.zoo;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.PixelShuffle;
import dev.tersor.nn.ReLU;
import dev.tersor.nn.Sequential;
import dev.tersor.tensor.Tensor;

/**
 * EDSR (Lim et al. 2017) super-resolution, baseline configuration by default (16 residual
 * blocks, 64 features, residual scale 1): RGB [N, 3, H, W] in [0, rgbRange] → [N, 3, s·H, s·W].
 * Keys as the official code: {@code sub_mean}, {@code head.0}, {@code body.i.body.{0,2}},
 * {@code body.n}, {@code tail.0.{0,2,..}} (conv + pixel shuffle per ×2 step, or one ×3),
 * {@code tail.1}, {@code add_mean}. The mean shifts are frozen 1×1 convolutions.
 */
public class Edsr extends Module {
    /** The DIV2K RGB mean the official code subtracts. */
    static final float[] RGB_MEAN = {0.4488f, 0.4371f, 0.4040f};
    private final int scale, blocks, features;

    /** The EDSR baseline for scale 2, 3 or 4. */
    public Edsr(int scale) {
        this(scale, 16, 64, 1f, 255f);
    }

    /** Configurable EDSR. */
    public Edsr(int scale, int blocks, int features, float resScale, float rgbRange) {
        if (scale != 2 && scale != 3 && scale != 4) throw new IllegalArgumentException("Edsr: scale must be 2, 3 or 4, got " + scale);
        if (blocks < 1 || features < 1) throw new IllegalArgumentException("Edsr: blocks and features must be positive");
        this.scale = scale;
        this.blocks = blocks;
        this.features = features;
        register("sub_mean", meanShift(rgbRange, -1f));
        register("head", new Sequential(conv(3, features)));
        Sequential body = new Sequential();
        for (int i = 0; i < blocks; i++) body.add(new ResBlock(features, resScale));
        body.add(conv(features, features));
        register("body", body);
        Sequential up = new Sequential();
        if (scale == 3) {
            up.add(conv(features, 9 * features)).add(new PixelShuffle(3));
        } else {
            for (int s = scale; s > 1; s /= 2) up.add(conv(features, 4 * features)).add(new PixelShuffle(2));
        }
        register("tail", new Sequential(up, conv(features, 3)));
        register("add_mean", meanShift(rgbRange, 1f));
    }

    static Conv2d conv(int in, int out) {
        return new Conv2d(in, out, 3, 1, 1, true);
    }

    static Conv2d meanShift(float rgbRange, float sign) {
        Conv2d c = new Conv2d(3, 3, 1);
        float[] bias = new float[3];
        for (int i = 0; i < 3; i++) bias[i] = sign * rgbRange * RGB_MEAN[i];
        c.weight().set(Tensor.eye(3).reshape(3, 3, 1, 1));
        c.bias().set(Tensor.fromArray(bias, 3));
        c.freeze();
        return c;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != 3) throw new IllegalArgumentException("Edsr: expected RGB input [N, 3, H, W], got " + java.util.Arrays.toString(x.shape()));
        Tensor h = child("head").call(child("sub_mean").call(x));
        Tensor res = child("body").call(h).add(h);
        return child("add_mean").call(child("tail").call(res));
    }

    @Override
    protected String extraRepr() {
        return "scale=" + scale + ", blocks=" + blocks + ", features=" + features;
    }

    /** conv → ReLU → conv, scaled and added to the input. */
    public static class ResBlock extends Module {
        private final float resScale;

        /** A block of {@code features} channels. */
        public ResBlock(int features, float resScale) {
            this.resScale = resScale;
            register("body", new Sequential(conv(features, features), new ReLU(), conv(features, features)));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor r = child("body").call(x);
            return (resScale == 1f ? r : r.mul(resScale)).add(x);
        }
    }
}
