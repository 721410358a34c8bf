package dev.tersor.tensor;

import dev.tersor.tensor.backend.Parallel;

/**
 * Walks several strided operands of one shape together, one innermost run at a time. Dimensions
 * of size 1 are dropped and neighbouring dimensions that are contiguous in every operand are
 * merged first, so a broadcast {@code [N,C,H,W] + [1,C,1,1]} becomes runs of length H·W.
 */
final class Strided {

    /** Receives the offset of each operand at the start of a run; {@code length} elements follow. */
    @FunctionalInterface
    interface RunBody {
        void run(int[] offsets, int length);
    }

    final int[] shape;     // coalesced, at least one dimension
    final int[][] strides; // [operand][dim]
    final int[] base;      // [operand]

    Strided(int[] shape, int[][] strides, int[] base) {
        int rank = shape.length;
        int ops = strides.length;
        int[] s = new int[Math.max(rank, 1)];
        int[][] st = new int[ops][Math.max(rank, 1)];
        int n = 0;
        for (int d = 0; d < rank; d++) {
            if (shape[d] == 1) continue;
            boolean merge = n > 0;
            for (int k = 0; k < ops && merge; k++) merge = st[k][n - 1] == strides[k][d] * shape[d];
            if (merge) {
                s[n - 1] *= shape[d];
                for (int k = 0; k < ops; k++) st[k][n - 1] = strides[k][d];
            } else {
                s[n] = shape[d];
                for (int k = 0; k < ops; k++) st[k][n] = strides[k][d];
                n++;
            }
        }
        if (n == 0) {
            s[0] = Shape.numel(shape);
            for (int k = 0; k < ops; k++) st[k][0] = 1;
            n = 1;
        }
        this.shape = java.util.Arrays.copyOf(s, n);
        this.strides = new int[ops][];
        for (int k = 0; k < ops; k++) this.strides[k] = java.util.Arrays.copyOf(st[k], n);
        this.base = base.clone();
    }

    /** Length of each innermost run. */
    int inner() {
        return shape[shape.length - 1];
    }

    /** Stride of operand {@code k} along the innermost run. */
    int innerStride(int k) {
        return strides[k][shape.length - 1];
    }

    /** Number of innermost runs. */
    int rows() {
        int r = 1;
        for (int d = 0; d < shape.length - 1; d++) r *= shape[d];
        return r;
    }

    /** Visits runs {@code [from, to)} in row-major order. */
    void forRows(int from, int to, RunBody body) {
        int outer = shape.length - 1;
        int ops = base.length;
        int[] idx = new int[Math.max(outer, 1)];
        int[] off = base.clone();
        int rem = from;
        for (int d = outer - 1; d >= 0; d--) {
            idx[d] = rem % shape[d];
            rem /= shape[d];
            for (int k = 0; k < ops; k++) off[k] += idx[d] * strides[k][d];
        }
        int len = inner();
        for (int row = from; row < to; row++) {
            body.run(off, len);
            for (int d = outer - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    for (int k = 0; k < ops; k++) off[k] += strides[k][d];
                    break;
                }
                idx[d] = 0;
                for (int k = 0; k < ops; k++) off[k] -= (shape[d] - 1) * strides[k][d];
            }
        }
    }

    /**
     * Visits every run, splitting rows over threads when there is enough work. With fewer rows
     * than threads (contiguous operands coalesce to one run) long runs are cut into pieces of
     * about {@link Elementwise#GRAIN} elements that the threads share.
     */
    void forAll(RunBody body) {
        int rows = rows(), len = inner();
        int pieces = rows >= Parallel.threads() ? 1 : Math.max(1, len / Elementwise.GRAIN);
        if (pieces == 1) {
            int grain = Math.max(1, Elementwise.GRAIN / Math.max(1, len));
            Parallel.forRange(rows, grain, (from, to) -> forRows(from, to, body));
            return;
        }
        int ops = base.length;
        Parallel.forRange(rows * pieces, 1, (from, to) -> {
            int[] shifted = new int[ops];
            for (int v = from; v < to; v++) {
                int start = (int) ((long) len * (v % pieces) / pieces), end = (int) ((long) len * (v % pieces + 1) / pieces);
                forRows(v / pieces, v / pieces + 1, (off, l) -> {
                    for (int k = 0; k < ops; k++) shifted[k] = off[k] + start * innerStride(k);
                    body.run(shifted, end - start);
                });
            }
        });
    }

    /** Copies a strided view into a contiguous array (or any strided destination). */
    static void copy(Tensor src, float[] dst, int dstOff, int[] dstStrides) {
        Strided plan = new Strided(src.shape, new int[][] {dstStrides, src.strides}, new int[] {dstOff, src.offset});
        float[] s = src.storage.data;
        int ds = plan.innerStride(0);
        int ss = plan.innerStride(1);
        plan.forAll((off, len) -> {
            if (ds == 1 && ss == 1) {
                System.arraycopy(s, off[1], dst, off[0], len);
            } else {
                for (int i = 0, d = off[0], q = off[1]; i < len; i++, d += ds, q += ss) dst[d] = s[q];
            }
        });
    }
}
