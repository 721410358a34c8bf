package dev.tersor.nn.zoo;

import dev.tersor.nn.AdaptiveAvgPool2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.ReLU;
import dev.tersor.nn.Sequential;
import dev.tersor.nn.Sigmoid;
import dev.tersor.tensor.Tensor;

/**
 * RCAN's residual channel attention block (Zhang et al. 2018), as DRN's {@code common.RCAB}:
 * {@code y = x + CA(conv(ReLU(conv(x))))}, where channel attention scales each channel by
 * {@code sigmoid(conv1×1(ReLU(conv1×1(avgpool(·)))))} with {@code C/reduction} hidden channels.
 * Keys: {@code body.0}, {@code body.2} (3×3 convs with bias), {@code body.3.conv_du.0},
 * {@code body.3.conv_du.2} (1×1 convs with bias).
 */
public class Rcab extends Module {
    /** A block of {@code channels} (at least {@code reduction}) with channel reduction {@code reduction} (DRN: 16). */
    public Rcab(int channels, int reduction) {
        if (reduction < 1 || channels < reduction) {
            throw new IllegalArgumentException("Rcab: channels (" + channels + ") must be >= reduction (" + reduction + ") >= 1");
        }
        register("body", new Sequential(Edsr.conv(channels, channels), new ReLU(), Edsr.conv(channels, channels),
                new ChannelAttention(channels, reduction)));
    }

    @Override
    public Tensor forward(Tensor x) {
        return child("body").call(x).add(x);
    }

    /** {@code x · sigmoid(W2 ReLU(W1 mean_{H,W}(x)))}, per channel. Keys {@code conv_du.0}, {@code conv_du.2}. */
    public static class ChannelAttention extends Module {
        /** {@code channels → channels/reduction → channels}. */
        public ChannelAttention(int channels, int reduction) {
            register("avg_pool", new AdaptiveAvgPool2d(1));
            register("conv_du", new Sequential(new Conv2d(channels, channels / reduction, 1, 1, 0, true), new ReLU(),
                    new Conv2d(channels / reduction, channels, 1, 1, 0, true), new Sigmoid()));
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.mul(child("conv_du").call(child("avg_pool").call(x)));
        }
    }
}
