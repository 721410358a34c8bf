package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.Function;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Parallel;
import java.util.Arrays;

/**
 * Spatial shifts: feature maps moved by whole pixels with zero-filled borders. A shift is a pure
 * memory move (zero FLOPs, zero parameters; Wu et al. 2018, "Shift: A Zero FLOP, Zero Parameter
 * Alternative to Spatial Convolutions"); its gradient is the opposite shift, because a
 * zero-filled shift is a partial permutation whose transpose moves the other way.
 * <pre>
 *   shift(x, dy, dx)[..., h, w] = x[..., h − dy, w − dx]   where 0 ≤ h − dy &lt; H and 0 ≤ w − dx &lt; W
 *                               = 0                         elsewhere
 * </pre>
 * so {@code dy = +1} moves content one row down and {@code dx = +1} one column right.
 *
 * <p>The nine one-pixel moves (eight directions and the identity) are numbered
 * {@code k = (dy + 1)·3 + (dx + 1)}: 0 is up-left (−1, −1), {@link #IDENTITY} 4 is (0, 0), 8 is
 * down-right (+1, +1); {@link #direction}, {@link #dy} and {@link #dx} convert.
 * <pre>{@code
 * Tensor y = Shift.shift(x, 0, 1);                              // every channel one pixel right
 * Tensor z = Shift.shiftChannels(x, new int[] {4, 5, 1, 7});    // per channel of x [N, 4, H, W]
 * Tensor s = Shift.mix(x, weights);                             // Σ_k weights[c, k]·shift_k(x[:, c]), weights [C, 9]
 * }</pre>
 * {@link #mix} is the differentiable relaxation GhostSR trains with (Gumbel-softmax weights over
 * the nine moves); with one-hot weights its forward is the same pure move as
 * {@link #shiftChannels}.
 */
public final class Shift {
    /** Number of one-pixel moves: eight directions and the identity. */
    public static final int DIRECTIONS = 9;
    /** The number of the identity move (dy = dx = 0). */
    public static final int IDENTITY = 4;

    private Shift() {
    }

    /** The number {@code (dy + 1)·3 + (dx + 1)} of a one-pixel move; dy, dx ∈ {−1, 0, 1}. */
    public static int direction(int dy, int dx) {
        if (dy < -1 || dy > 1 || dx < -1 || dx > 1) {
            throw new IllegalArgumentException("Shift.direction: dy and dx must be in {-1, 0, 1}, got (" + dy + ", " + dx + ")");
        }
        return (dy + 1) * 3 + (dx + 1);
    }

    /** The vertical offset (−1, 0 or 1) of move {@code k}. */
    public static int dy(int k) {
        checkDirection("Shift.dy", k, -1);
        return k / 3 - 1;
    }

    /** The horizontal offset (−1, 0 or 1) of move {@code k}. */
    public static int dx(int k) {
        checkDirection("Shift.dx", k, -1);
        return k % 3 - 1;
    }

    /** The move in the opposite direction (the gradient's direction). */
    public static int opposite(int k) {
        checkDirection("Shift.opposite", k, -1);
        return DIRECTIONS - 1 - k;
    }

    /**
     * Moves every plane of x [..., H, W] (rank ≥ 2) by {@code dy} rows and {@code dx} columns,
     * filling the uncovered border with zeros. Any integer offsets are accepted; an offset of at
     * least the plane's size gives zeros. Backward: the shift by (−dy, −dx).
     */
    public static Tensor shift(Tensor x, int dy, int dx) {
        if (x.dim() < 2) throw new IllegalArgumentException("Shift.shift: expected input [..., H, W] of rank >= 2, got " + Arrays.toString(x.shape()));
        return new Translate(dy, dx).apply(x);
    }

    /**
     * Moves each channel c of x [N, C, H, W] by its own one-pixel move {@code directions[c]}
     * (C entries, each in 0..8), zero-filled: a pure memory move. Backward: each channel's
     * opposite move.
     */
    public static Tensor shiftChannels(Tensor x, int[] directions) {
        requireNchw("Shift.shiftChannels", x);
        if (directions.length != x.size(1)) {
            throw new IllegalArgumentException("Shift.shiftChannels: " + directions.length + " directions for input "
                    + Arrays.toString(x.shape()) + " with " + x.size(1) + " channels");
        }
        for (int c = 0; c < directions.length; c++) checkDirection("Shift.shiftChannels", directions[c], c);
        return new ChannelShift(directions.clone()).apply(x);
    }

    /**
     * Splits the C channels of x [N, C, H, W] into {@code groupDirections.length} equal
     * consecutive groups and moves group g by {@code groupDirections[g]} (ShiftNet's grouped
     * shift). C must be divisible by the number of groups.
     */
    public static Tensor shiftGroups(Tensor x, int[] groupDirections) {
        requireNchw("Shift.shiftGroups", x);
        int groups = groupDirections.length, channels = x.size(1);
        if (groups == 0 || channels % groups != 0) {
            throw new IllegalArgumentException("Shift.shiftGroups: " + channels + " channels of " + Arrays.toString(x.shape())
                    + " cannot be split into " + groups + " equal groups");
        }
        int[] perChannel = new int[channels];
        for (int c = 0; c < channels; c++) perChannel[c] = groupDirections[c / (channels / groups)];
        return shiftChannels(x, perChannel);
    }

    /**
     * The per-channel weighted sum of the nine one-pixel moves:
     * {@code y[n, c] = Σ_k weights[c, k]·shift_k(x[n, c])} for x [N, C, H, W] and weights
     * [C, 9]. Zero weights are skipped, so one-hot weights cost a pure move. Differentiable in
     * both: {@code ∂x[n, c] = Σ_k weights[c, k]·shift_{opposite(k)}(g[n, c])} and
     * {@code ∂weights[c, k] = Σ_{n,h,w} g[n, c]·shift_k(x[n, c])} (accumulated in double).
     */
    public static Tensor mix(Tensor x, Tensor weights) {
        requireNchw("Shift.mix", x);
        if (weights.dim() != 2 || weights.size(0) != x.size(1) || weights.size(1) != DIRECTIONS) {
            throw new IllegalArgumentException("Shift.mix: weights must be [C, 9] = [" + x.size(1) + ", 9] for input "
                    + Arrays.toString(x.shape()) + ", got " + Arrays.toString(weights.shape()));
        }
        return new Mix().apply(x, weights);
    }

    // ---- differentiable ops ----

    private static final class Translate extends Function {
        private final int dy, dx;

        Translate(int dy, int dx) {
            this.dy = dy;
            this.dx = dx;
        }

        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            return translate(in[0], dy, dx);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {ctx.needsInputGrad(0) ? translate(g, -dy, -dx) : null};
        }

        @Override
        public String name() {
            return "shift";
        }
    }

    private static final class ChannelShift extends Function {
        private final int[] directions;

        ChannelShift(int[] directions) {
            this.directions = directions;
        }

        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            return shiftEachChannel(in[0], directions, false);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            return new Tensor[] {ctx.needsInputGrad(0) ? shiftEachChannel(g, directions, true) : null};
        }

        @Override
        public String name() {
            return "shiftChannels";
        }
    }

    private static final class Mix extends Function {
        @Override
        protected Tensor forward(Context ctx, Tensor... in) {
            ctx.save(in[0], in[1]);
            return mixForward(in[0], in[1].contiguous().toArray(), false);
        }

        @Override
        protected Tensor[] backward(Context ctx, Tensor g) {
            Tensor x = ctx.saved(0), w = ctx.saved(1);
            Tensor gx = ctx.needsInputGrad(0) ? mixForward(g, w.contiguous().toArray(), true) : null;
            Tensor gw = ctx.needsInputGrad(1) ? mixWeightGrad(x, g) : null;
            return new Tensor[] {gx, gw};
        }

        @Override
        public String name() {
            return "shiftMix";
        }
    }

    // ---- kernels (contiguous float planes) ----

    /** Planes per parallel chunk: about 32k elements. */
    private static int grain(int plane) {
        return Math.max(1, (1 << 15) / Math.max(1, plane));
    }

    private static Tensor translate(Tensor x, int dy, int dx) {
        int[] shape = x.shape();
        int h = shape[shape.length - 2], w = shape[shape.length - 1], plane = h * w;
        int planes = plane == 0 ? 0 : x.numel() / plane;
        int sy = Math.max(-h, Math.min(h, dy)), sx = Math.max(-w, Math.min(w, dx));   // farther moves give zeros too
        Tensor xc = x.detach().contiguous();
        float[] src = xc.data();
        int so = xc.dataOffset();
        Tensor y = Tensor.zeros(shape);
        float[] dst = y.data();
        Parallel.forRange(planes, grain(plane), (from, to) -> {
            for (int p = from; p < to; p++) copyShifted(src, so + p * plane, dst, p * plane, h, w, sy, sx);
        });
        y.markModified();
        return y;
    }

    private static Tensor shiftEachChannel(Tensor x, int[] directions, boolean opposite) {
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), plane = h * w;
        Tensor xc = x.detach().contiguous();
        float[] src = xc.data();
        int so = xc.dataOffset();
        Tensor y = Tensor.zeros(x.shape());
        float[] dst = y.data();
        Parallel.forRange(n * c, grain(plane), (from, to) -> {
            for (int p = from; p < to; p++) {
                int k = opposite ? opposite(directions[p % c]) : directions[p % c];
                copyShifted(src, so + p * plane, dst, p * plane, h, w, k / 3 - 1, k % 3 - 1);
            }
        });
        y.markModified();
        return y;
    }

    /**
     * {@code y[n, c] = Σ_k w[c, k]·shift_k(x[n, c])}, or with every move reversed when
     * {@code opposite} (the input gradient). A channel whose only non-zero weight is 1 is copied.
     */
    private static Tensor mixForward(Tensor x, float[] weights, boolean opposite) {
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), plane = h * w;
        Tensor xc = x.detach().contiguous();
        float[] src = xc.data();
        int so = xc.dataOffset();
        Tensor y = Tensor.zeros(x.shape());
        float[] dst = y.data();
        Parallel.forRange(n * c, grain(plane), (from, to) -> {
            for (int p = from; p < to; p++) {
                int ch = p % c, nonZero = 0, only = -1;
                for (int k = 0; k < DIRECTIONS; k++) {
                    if (weights[ch * DIRECTIONS + k] != 0f) {
                        nonZero++;
                        only = k;
                    }
                }
                if (nonZero == 0) continue;
                if (nonZero == 1 && weights[ch * DIRECTIONS + only] == 1f) {
                    int k = opposite ? opposite(only) : only;
                    copyShifted(src, so + p * plane, dst, p * plane, h, w, k / 3 - 1, k % 3 - 1);
                    continue;
                }
                for (int k = 0; k < DIRECTIONS; k++) {
                    float a = weights[ch * DIRECTIONS + k];
                    if (a == 0f) continue;
                    int m = opposite ? opposite(k) : k;
                    addShifted(src, so + p * plane, dst, p * plane, h, w, m / 3 - 1, m % 3 - 1, a);
                }
            }
        });
        y.markModified();
        return y;
    }

    /** {@code ∂w[c, k] = Σ_{n, h, w} g[n, c, h, w]·x[n, c, h − dy_k, w − dx_k]}, per channel in double. */
    private static Tensor mixWeightGrad(Tensor x, Tensor g) {
        int n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), plane = h * w;
        Tensor xc = x.detach().contiguous(), gc = g.detach().contiguous();
        float[] xd = xc.data(), gd = gc.data();
        int xo = xc.dataOffset(), go = gc.dataOffset();
        float[] out = new float[c * DIRECTIONS];
        Parallel.forRange(c, Math.max(1, grain(plane * n)), (from, to) -> {
            double[] acc = new double[DIRECTIONS];
            for (int ch = from; ch < to; ch++) {
                Arrays.fill(acc, 0);
                for (int b = 0; b < n; b++) {
                    int base = (b * c + ch) * plane;
                    for (int k = 0; k < DIRECTIONS; k++) acc[k] += dotShifted(xd, xo + base, gd, go + base, h, w, k / 3 - 1, k % 3 - 1);
                }
                for (int k = 0; k < DIRECTIONS; k++) out[ch * DIRECTIONS + k] = (float) acc[k];
            }
        });
        return Tensor.fromArray(out, c, DIRECTIONS);
    }

    /** dst plane ← shift(src plane, dy, dx); dst is zero outside the copied rectangle. */
    private static void copyShifted(float[] src, int so, float[] dst, int d0, int h, int w, int dy, int dx) {
        int rowFrom = Math.max(0, dy), rowTo = Math.min(h, h + dy);
        int colFrom = Math.max(0, dx), len = w - Math.abs(dx);
        if (len <= 0) return;
        for (int r = rowFrom; r < rowTo; r++) {
            System.arraycopy(src, so + (r - dy) * w + colFrom - dx, dst, d0 + r * w + colFrom, len);
        }
    }

    /** dst plane += a·shift(src plane, dy, dx). */
    private static void addShifted(float[] src, int so, float[] dst, int d0, int h, int w, int dy, int dx, float a) {
        int rowFrom = Math.max(0, dy), rowTo = Math.min(h, h + dy);
        int colFrom = Math.max(0, dx), len = w - Math.abs(dx);
        for (int r = rowFrom; r < rowTo; r++) {
            int s = so + (r - dy) * w + colFrom - dx, d = d0 + r * w + colFrom;
            for (int i = 0; i < len; i++) dst[d + i] += a * src[s + i];
        }
    }

    /** Σ_{h, w} g[h, w]·shift(x, dy, dx)[h, w] over one plane. */
    private static double dotShifted(float[] x, int xo, float[] g, int go, int h, int w, int dy, int dx) {
        int rowFrom = Math.max(0, dy), rowTo = Math.min(h, h + dy);
        int colFrom = Math.max(0, dx), len = w - Math.abs(dx);
        double s = 0;
        for (int r = rowFrom; r < rowTo; r++) {
            int xs = xo + (r - dy) * w + colFrom - dx, gs = go + r * w + colFrom;
            float row = 0f;
            for (int i = 0; i < len; i++) row += g[gs + i] * x[xs + i];
            s += row;
        }
        return s;
    }

    private static void requireNchw(String op, Tensor x) {
        if (x.dim() != 4) throw new IllegalArgumentException(op + ": expected input [N, C, H, W], got " + Arrays.toString(x.shape()));
    }

    private static void checkDirection(String op, int k, int channel) {
        if (k < 0 || k >= DIRECTIONS) {
            throw new IllegalArgumentException(op + ": direction must be in 0..8, got " + k + (channel >= 0 ? " for channel " + channel : ""));
        }
    }
}
