package dev.tersor.nn.zoo;

import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The option-A shortcut of the CIFAR ResNets (He et al. 2016, §4.2), parameter-free: subsample
 * {@code x[:, :, ::s, ::s]} and place input channel {@code i} at output channel {@code target[i]},
 * the other output channels zero:
 * <pre>
 * y[n, target[i], h, w] = x[n, i, s·h, s·w]        y[n, j, h, w] = 0 for j not in target
 * </pre>
 * [N, in, H, W] → [N, out, ⌈H/s⌉, ⌈W/s⌉]. The standard shortcut pads half the new channels on each
 * side ({@link #centred}); a pruned network keeps an arbitrary increasing placement.
 */
public class ZeroPadShortcut extends Module {
    private final int stride, outChannels;
    private final int[] target;   // [in], strictly increasing, each in [0, outChannels)

    /** Channel {@code i} of the input goes to channel {@code target[i]} of {@code outChannels}; stride {@code stride}. */
    public ZeroPadShortcut(int stride, int[] target, int outChannels) {
        if (stride < 1) throw new IllegalArgumentException("ZeroPadShortcut: stride must be >= 1, got " + stride);
        if (target.length == 0 || target.length > outChannels) {
            throw new IllegalArgumentException("ZeroPadShortcut: " + target.length + " input channels cannot be placed in "
                    + outChannels + " output channels");
        }
        for (int i = 0; i < target.length; i++) {
            if (target[i] < 0 || target[i] >= outChannels || (i > 0 && target[i] <= target[i - 1])) {
                throw new IllegalArgumentException("ZeroPadShortcut: target channels must increase within [0, " + outChannels
                        + "), got " + Arrays.toString(target));
            }
        }
        this.stride = stride;
        this.target = target.clone();
        this.outChannels = outChannels;
    }

    /** The standard option-A shortcut from {@code in} to {@code out} channels: {@code (out − in)/2} zero channels before the input's. */
    public static ZeroPadShortcut centred(int stride, int in, int out) {
        int[] t = new int[in];
        int before = (out - in) / 2;
        for (int i = 0; i < in; i++) t[i] = before + i;
        return new ZeroPadShortcut(stride, t, out);
    }

    /** The subsampling stride. */
    public int stride() {
        return stride;
    }

    /** The output channel of each input channel (a copy). */
    public int[] target() {
        return target.clone();
    }

    /** Output channels. */
    public int outChannels() {
        return outChannels;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != target.length) {
            throw new IllegalArgumentException("ZeroPadShortcut: expected input [N, " + target.length + ", H, W], got "
                    + Arrays.toString(x.shape()));
        }
        Tensor s = stride == 1 ? x : x.slice(2, 0, x.size(2), stride).slice(3, 0, x.size(3), stride);
        List<Tensor> parts = new ArrayList<>();
        int next = 0;   // next output channel to fill
        for (int i = 0; i < target.length; ) {
            int run = 1;
            while (i + run < target.length && target[i + run] == target[i] + run) run++;
            if (target[i] > next) parts.add(zeros(s, target[i] - next));
            parts.add(run == target.length ? s : s.narrow(1, i, run));
            next = target[i] + run;
            i += run;
        }
        if (next < outChannels) parts.add(zeros(s, outChannels - next));
        return parts.size() == 1 ? parts.get(0) : Tensor.cat(1, parts.toArray(new Tensor[0]));
    }

    private static Tensor zeros(Tensor like, int channels) {
        return Tensor.zeros(like.size(0), channels, like.size(2), like.size(3));
    }

    @Override
    protected String extraRepr() {
        return "stride=" + stride + ", " + target.length + "->" + outChannels;
    }
}
