package dev.tersor.compress.prune;

import dev.tersor.compress.prune.LayerSurgery.Role;
import dev.tersor.nn.BatchNorm1d;
import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.PReLU;
import dev.tersor.nn.adder.AdderConv2d;
import dev.tersor.nn.adder.AdderLinear;
import dev.tersor.nn.binary.BinaryConv2d;
import dev.tersor.nn.binary.BinaryLinear;
import dev.tersor.nn.zoo.ZeroPadShortcut;
import dev.tersor.tensor.Conv2dOptions;
import java.util.List;
import java.util.function.Predicate;

/**
 * The built-in {@link LayerSurgery}s. Each names the exact class it accepts (a subclass may add
 * state or behaviour the surgery does not know) and how to construct the smaller layer; the
 * state is sliced by {@link StateTransfer}. Grouped convolutions other than depthwise, and binary
 * layers with RBNN rotations, are not accepted: they stay opaque.
 */
public final class Surgeries {
    private Surgeries() {
    }

    /** Every built-in surgery. */
    public static List<LayerSurgery> builtIn() {
        return List.of(
                mixing(Conv2d.class, c -> c.options().groups() == 1, (c, in, out) -> new Conv2d(in, out, kh(c.weight().shape()),
                        kw(c.weight().shape()), c.options(), c.bias() != null)),
                new Depthwise(),
                mixing(Linear.class, l -> true, (l, in, out) -> new Linear(in, out, l.bias() != null)),
                mixing(AdderConv2d.class, a -> true, (a, in, out) -> new AdderConv2d(in, out, kh(a.weight().shape()),
                        kw(a.weight().shape()), a.options(), a.bias() != null, a.backward())),
                mixing(AdderLinear.class, a -> true, (a, in, out) -> new AdderLinear(in, out, a.bias() != null, a.backward())),
                mixing(BinaryConv2d.class, b -> !b.binaryOptions().rotation(), (b, in, out) -> new BinaryConv2d(in, out,
                        kh(b.weight().shape()), kw(b.weight().shape()), b.options(), b.bias() != null, b.binaryOptions())),
                mixing(BinaryLinear.class, b -> !b.binaryOptions().rotation(), (b, in, out) -> new BinaryLinear(in, out,
                        b.bias() != null, b.binaryOptions())),
                channelwise(BatchNorm2d.class, (b, c) -> new BatchNorm2d(c, b.eps(), b.momentum(), b.weight() != null, b.tracksRunningStats())),
                channelwise(BatchNorm1d.class, (b, c) -> new BatchNorm1d(c, b.eps(), b.momentum(), b.weight() != null, b.tracksRunningStats())),
                channelwise(PReLU.class, (p, c) -> p.stateDict().get("weight").numel() == 1 ? new PReLU(1, 0.25f) : new PReLU(c, 0.25f)),
                new Shortcut(),
                new GhostShiftSurgery());
    }

    private static int kh(int[] w) {
        return w[2];
    }

    private static int kw(int[] w) {
        return w[3];
    }

    @FunctionalInterface
    private interface Factory<M extends Module> {
        Module create(M layer, int in, int out);
    }

    @FunctionalInterface
    private interface ChannelFactory<M extends Module> {
        Module create(M layer, int channels);
    }

    private static <M extends Module> LayerSurgery mixing(Class<M> type, Predicate<M> when, Factory<M> factory) {
        return new ByClass<>(type, when, Role.MIXING, factory);
    }

    private static <M extends Module> LayerSurgery channelwise(Class<M> type, ChannelFactory<M> factory) {
        return new ByClass<>(type, m -> true, Role.CHANNELWISE, (m, in, out) -> factory.create(m, out));
    }

    private record ByClass<M extends Module>(Class<M> type, Predicate<M> when, Role r, Factory<M> factory) implements LayerSurgery {
        @Override
        public boolean accepts(Module layer) {
            return layer.getClass() == type && when.test(type.cast(layer));
        }

        @Override
        public Role role(Module layer) {
            return r;
        }

        @Override
        public Module rebuild(Module layer, int[] keptIn, int[] keptOut) {
            return StateTransfer.copy(layer, factory.create(type.cast(layer), keptIn.length, keptOut.length), keptIn, keptOut);
        }
    }

    /** A depthwise convolution (groups = in = out): channel-wise. */
    private static final class Depthwise implements LayerSurgery {
        @Override
        public boolean accepts(Module layer) {
            if (layer.getClass() != Conv2d.class) return false;
            Conv2d c = (Conv2d) layer;
            int g = c.options().groups();
            return g > 1 && g == c.inChannels() && g == c.outChannels();
        }

        @Override
        public Role role(Module layer) {
            return Role.CHANNELWISE;
        }

        @Override
        public Module rebuild(Module layer, int[] keptIn, int[] keptOut) {
            Conv2d c = (Conv2d) layer;
            int n = keptOut.length;
            Conv2dOptions o = c.options().withGroups(n);
            int[] w = c.weight().shape();
            return StateTransfer.copy(c, new Conv2d(n, n, w[2], w[3], o, c.bias() != null), new int[] {0}, keptOut);
        }
    }

    /** The option-A shortcut: kept input channels go to the kept positions of their old targets. */
    private static final class Shortcut implements LayerSurgery {
        @Override
        public boolean accepts(Module layer) {
            return layer.getClass() == ZeroPadShortcut.class;
        }

        @Override
        public Role role(Module layer) {
            return Role.ROUTING;
        }

        @Override
        public Module rebuild(Module layer, int[] keptIn, int[] keptOut) {
            ZeroPadShortcut s = (ZeroPadShortcut) layer;
            int[] old = s.target(), target = new int[keptIn.length];
            for (int i = 0; i < keptIn.length; i++) {
                int pos = java.util.Arrays.binarySearch(keptOut, old[keptIn[i]]);
                if (pos < 0) {
                    throw new IllegalStateException("ZeroPadShortcut: input channel " + keptIn[i] + " is kept but its output channel "
                            + old[keptIn[i]] + " is not");
                }
                target[i] = pos;
            }
            return new ZeroPadShortcut(s.stride(), target, keptOut.length);
        }
    }
}
