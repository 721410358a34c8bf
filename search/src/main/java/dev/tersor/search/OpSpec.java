package dev.tersor.search;

import dev.tersor.nn.AvgPool2d;
import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Identity;
import dev.tersor.nn.MaxPool2d;
import dev.tersor.nn.Module;
import dev.tersor.nn.ReLU;
import dev.tersor.nn.Sequential;
import dev.tersor.nn.adder.AdderConv2d;
import dev.tersor.nn.binary.BinaryConv2d;
import dev.tersor.nn.shift.GhostConv2d;
import dev.tersor.nn.zoo.EdsrGhost;
import dev.tersor.tensor.Conv2dOptions;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One candidate operation of a search space, named as in DARTS ({@code "sep_conv_3x3"},
 * {@code "skip_connect"}, {@code "none"}). {@link #build} makes it a module from {@code in}
 * channels at H×W to {@code out} channels at ⌈H/stride⌉×⌈W/stride⌉ (odd kernels, "same" padding):
 * <pre>
 * conv_kxk         Conv k×k (stride s) → BN → ReLU
 * sep_conv_kxk     depthwise Conv k×k (s) → BN → ReLU → Conv 1×1 → BN → ReLU
 * dil_conv_kxk     depthwise Conv k×k, dilation 2 (s) → BN → ReLU → Conv 1×1 → BN → ReLU
 * max_pool_kxk     MaxPool k×k (s)   [→ Conv 1×1 → BN when in ≠ out]
 * avg_pool_kxk     AvgPool k×k (s)   [→ Conv 1×1 → BN when in ≠ out]
 * skip_connect     Identity when s = 1 and in = out, else Conv 1×1 (s) → BN
 * none             zeros [N, out, ⌈H/s⌉, ⌈W/s⌉] (no parameters, no gradient to the input)
 * binary_conv_kxk  BN → BinaryConv2d k×k (s, Bi-Real options) → BN   (the BN first centres the
 *                  input, which is ≥ 0 after the previous ReLU and would binarise to all +1)
 * adder_conv_kxk   AdderConv2d k×k (s) → BN → ReLU
 * shift_conv_kxk   GhostConv2d k×k (s; GhostSR: half the channels convolved, the other half
 *                  one-pixel shifts of them, learned by Gumbel-softmax) → BN → ReLU; out ≥ 2
 * </pre>
 * Convolutions have no bias (a BN follows). The same spec builds the same module tree, key for
 * key, in a supernet and in a stand-alone network, so weights copy between them.
 *
 * @param kind   the operation
 * @param kernel odd kernel size (1 for {@link Kind#SKIP} and {@link Kind#ZERO})
 */
public record OpSpec(Kind kind, int kernel) {
    /** The operation families. */
    public enum Kind {
        CONV("conv"), SEP_CONV("sep_conv"), DIL_CONV("dil_conv"), MAX_POOL("max_pool"), AVG_POOL("avg_pool"),
        SKIP("skip_connect"), ZERO("none"), BINARY_CONV("binary_conv"), ADDER_CONV("adder_conv"), SHIFT_CONV("shift_conv");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }

        boolean hasKernel() {
            return this != SKIP && this != ZERO;
        }
    }

    private static final Pattern KERNELED = Pattern.compile("([a-z_]+)_(\\d+)x(\\d+)");

    public OpSpec {
        if (kind == null) throw new IllegalArgumentException("OpSpec: kind must not be null");
        if (kind.hasKernel() && (kernel < 1 || kernel % 2 == 0 || kernel > 15)) {
            throw new IllegalArgumentException("OpSpec " + kind.prefix + ": kernel must be odd in [1, 15], got " + kernel);
        }
        if (!kind.hasKernel() && kernel != 1) {
            throw new IllegalArgumentException("OpSpec " + kind.prefix + " has no kernel: kernel must be 1, got " + kernel);
        }
    }

    /** {@code kind} with a k×k kernel. */
    public static OpSpec of(Kind kind, int kernel) {
        return new OpSpec(kind, kernel);
    }

    /** {@code skip_connect}. */
    public static OpSpec skip() {
        return new OpSpec(Kind.SKIP, 1);
    }

    /** {@code none} (the zero op). */
    public static OpSpec zero() {
        return new OpSpec(Kind.ZERO, 1);
    }

    /** The DARTS-style name, e.g. {@code sep_conv_3x3}. */
    public String name() {
        return kind.hasKernel() ? kind.prefix + "_" + kernel + "x" + kernel : kind.prefix;
    }

    /** Parses {@link #name()} output; an unknown name lists the known forms. */
    public static OpSpec parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (Kind k : Kind.values()) if (!k.hasKernel() && k.prefix.equals(n)) return new OpSpec(k, 1);
        Matcher m = KERNELED.matcher(n);
        if (m.matches() && m.group(2).equals(m.group(3))) {
            for (Kind k : Kind.values()) {
                if (k.hasKernel() && k.prefix.equals(m.group(1))) return new OpSpec(k, Integer.parseInt(m.group(2)));
            }
        }
        throw new IllegalArgumentException("unknown op '" + name + "': expected none, skip_connect or one of conv, sep_conv, dil_conv,"
                + " max_pool, avg_pool, binary_conv, adder_conv, shift_conv followed by _KxK with an odd square kernel (e.g. sep_conv_3x3)");
    }

    /** The module for {@code in} → {@code out} channels with {@code stride} (1 or 2). */
    public Module build(int in, int out, int stride) {
        if (in < 1 || out < 1) throw new IllegalArgumentException(name() + ": channels must be positive, got in=" + in + ", out=" + out);
        if (stride < 1) throw new IllegalArgumentException(name() + ": stride must be >= 1, got " + stride);
        int pad = kernel / 2;
        return switch (kind) {
            case CONV -> new Sequential(new Conv2d(in, out, kernel, stride, pad, false), new BatchNorm2d(out), new ReLU());
            case SEP_CONV -> depthwiseThenPointwise(in, out, stride, 1);
            case DIL_CONV -> depthwiseThenPointwise(in, out, stride, 2);
            case MAX_POOL -> project(new MaxPool2d(kernel, stride, pad), in, out);
            case AVG_POOL -> project(new AvgPool2d(kernel, stride, pad), in, out);
            case SKIP -> stride == 1 && in == out ? new Identity() : new Sequential(new Conv2d(in, out, 1, stride, 0, false), new BatchNorm2d(out));
            case ZERO -> new Zero(out, stride);
            case BINARY_CONV -> new Sequential(new BatchNorm2d(in), new BinaryConv2d(in, out, kernel, stride, pad), new BatchNorm2d(out));
            case ADDER_CONV -> new Sequential(new AdderConv2d(in, out, kernel, stride, pad), new BatchNorm2d(out), new ReLU());
            case SHIFT_CONV -> {
                if (out < 2) throw new IllegalArgumentException(name() + ": a ghost module needs at least 2 output channels (half of them shifted copies), got " + out);
                yield new Sequential(new GhostConv2d(in, out, kernel, stride, pad, false, EdsrGhost.RATIO), new BatchNorm2d(out), new ReLU());
            }
        };
    }

    private Module depthwiseThenPointwise(int in, int out, int stride, int dilation) {
        Conv2dOptions dw = Conv2dOptions.of(stride, dilation * (kernel / 2)).withDilation(dilation).withGroups(in);
        return new Sequential(new Conv2d(in, in, kernel, kernel, dw, false), new BatchNorm2d(in), new ReLU(),
                new Conv2d(in, out, 1, 1, 0, false), new BatchNorm2d(out), new ReLU());
    }

    private static Module project(Module pool, int in, int out) {
        return in == out ? pool : new Sequential(pool, new Conv2d(in, out, 1, 1, 0, false), new BatchNorm2d(out));
    }

    @Override
    public String toString() {
        return name();
    }
}
