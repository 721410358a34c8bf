package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.backend.Parallel;

/**
 * The integer product behind {@link Int8Linear} and {@link Int8Conv2d}, weights packed once:
 * for each group g, output channel m of the group and position q,
 * <pre>
 * acc = Σ_{k &lt; kr} d[koff[k] + g·groupShift + base[q]] · W[g·mg + m, k]         (d = xq − zp, int32)
 * y[obase[q] + (g·mg + m)·cs] = Int8Reference.output(acc, mult[g·mg + m], bias[g·mg + m], relu)
 * </pre>
 * A linear layer is one group with {@code koff[k] = k}, {@code base[q] = q·in}; a convolution
 * reads a zero-padded image of d through tap offsets ({@code koff}) and window corners
 * ({@code base}), so no im2col matrix is built: each tile of positions gathers its columns into
 * a small buffer ({@link Int8Kernel#gather}) that every panel of channels then reads.
 *
 * <p>Threads ({@link Parallel}) split the tiles of positions; when there are fewer tiles than
 * threads (a batch-1 linear layer) they split the channel panels instead. Buffers live in
 * {@link ThreadLocal}s and only grow.
 */
final class Int8Gemm {
    /** Multiply-adds a task does at least (about 20 µs), so that forking pays. */
    private static final long TASK_WORK = 1L << 21;

    final Int8Kernel kernel;
    final int groups, mg, kr, width, panels, rows;
    /** [groups][panels][kr][width]: channel {@code g·mg + p·width + j} of step k at {@code ((g·panels + p)·kr + k)·width + j}, 0 past mg. */
    private final byte[] w;
    /** [groups·mg + width], the tail 0: per-channel multiplier and bias (0 without a bias). */
    private final float[] mult, bias;
    private final boolean relu;

    private static final ThreadLocal<int[][]> BUFFERS = ThreadLocal.withInitial(() -> new int[][] {new int[0], new int[0]});

    /**
     * @param weight [groups·mg, kr] row-major int8
     * @param mult   [groups·mg] multipliers {@code input.scale·weightScale}
     * @param bias   [groups·mg], or null
     */
    Int8Gemm(Int8Kernel kernel, byte[] weight, int groups, int mg, int kr, float[] mult, float[] bias, boolean relu) {
        this.kernel = kernel;
        this.groups = groups;
        this.mg = mg;
        this.kr = kr;
        this.width = kernel.panelWidth(mg);
        this.rows = kernel.tileRows(width);
        this.panels = (mg + width - 1) / width;
        this.relu = relu;
        int m = groups * mg;
        this.mult = java.util.Arrays.copyOf(mult, m + width);
        this.bias = bias == null ? new float[m + width] : java.util.Arrays.copyOf(bias, m + width);
        this.w = new byte[groups * panels * kr * width];
        for (int g = 0; g < groups; g++) {
            for (int c = 0; c < mg; c++) {
                int p = c / width, j = c % width, src = (g * mg + c) * kr, dst = (g * panels + p) * kr * width + j;
                for (int k = 0; k < kr; k++) w[dst + k * width] = weight[src + k];
            }
        }
    }

    /** The weights as given to the constructor, [groups·mg, kr] row-major (a new array, unpacked from the panels). */
    byte[] weights() {
        byte[] out = new byte[groups * mg * kr];
        for (int i = 0; i < out.length; i++) out[i] = w[packedIndex(i)];
        return out;
    }

    /** {@code out ←} {@link #weights} as floats, [groups·mg, kr] (the exact float product's right-hand side), panel by panel. */
    void widen(float[] out) {
        for (int g = 0; g < groups; g++) {
            for (int p = 0; p < panels; p++) {
                int src = (g * panels + p) * kr * width, channels = Math.min(width, mg - p * width);
                for (int j = 0; j < channels; j++) {
                    int dst = (g * mg + p * width + j) * kr;
                    for (int k = 0; k < kr; k++) out[dst + k] = w[src + k * width + j];
                }
            }
        }
    }

    /** {@code out ←} the weights of a single group transposed, [kr, mg] row-major, as floats: a run of each panel's row at a time. */
    void widenTransposed(float[] out) {
        if (groups != 1) throw new IllegalStateException("Int8Gemm: a transposed copy is for one group, this has " + groups);
        for (int p = 0; p < panels; p++) {
            int channels = Math.min(width, mg - p * width);
            for (int k = 0; k < kr; k++) {
                int src = (p * kr + k) * width, dst = k * mg + p * width;
                for (int j = 0; j < channels; j++) out[dst + j] = w[src + j];
            }
        }
    }

    /** Where weight {@code i} of the row-major [groups·mg, kr] layout sits in the panels. */
    private int packedIndex(int i) {
        int row = i / kr, k = i - row * kr, g = row / mg, c = row - g * mg;
        return ((g * panels + c / width) * kr + k) * width + c % width;
    }

    /** Bytes of packed weights, channel padding included. */
    long packedBytes() {
        return w.length;
    }

    /** Computes every output of the class comment; {@code d} must be readable {@link Int8Kernel#SLACK} ints past its last index. */
    void run(int[] d, int[] koff, int groupShift, int[] base, int positions, int[] obase, int cs, float[] y) {
        int[] off = channelOffsets(cs);
        int tiles = (positions + rows - 1) / rows;
        int splits = groups * tiles >= Parallel.threads() ? 1 : Math.min(panels, Parallel.threads());
        int units = groups * tiles * splits;
        long unitWork = (long) rows * kr * width * panels / splits;
        int grain = (int) Math.max(1, TASK_WORK / Math.max(1, unitWork));
        Parallel.forRange(units, grain, (from, to) -> {
            int[][] buf = BUFFERS.get();
            if (buf[0].length < kr * rows + Int8Kernel.SLACK) buf[0] = new int[kr * rows + Int8Kernel.SLACK];
            if (buf[1].length < rows * width) buf[1] = new int[rows * width];
            int[] b = buf[0], acc = buf[1];
            int gathered = -1;
            for (int u = from; u < to; u++) {
                int s = u % splits, gt = u / splits, g = gt / tiles, t = gt % tiles;
                int q0 = t * rows, np = Math.min(rows, positions - q0);
                if (gt != gathered) {   // a short last tile is gathered densely (stride np): a batch-1 row reads contiguously
                    kernel.gather(d, koff, g * groupShift, kr, base, q0, np, np, b);
                    gathered = gt;
                }
                int p1 = (int) ((long) panels * (s + 1) / splits);
                for (int p = (int) ((long) panels * s / splits); p < p1; p++) {
                    kernel.tile(w, (g * panels + p) * kr * width, width, kr, b, np, np, acc);
                    kernel.store(acc, width, np, Math.min(width, mg - p * width), mult, bias, g * mg + p * width, relu,
                            obase, q0, off, y);
                }
            }
        });
    }

    /**
     * {@code [c·cs]} for every channel, then 0 for the panel tail (a few hundred ints, made per
     * call). The tail must stay inside y: JDK 25's masked scatter checks every lane's index,
     * set or not.
     */
    private int[] channelOffsets(int cs) {
        int[] off = new int[groups * mg + width];
        for (int c = 0; c < groups * mg; c++) off[c] = c * cs;
        return off;
    }
}
