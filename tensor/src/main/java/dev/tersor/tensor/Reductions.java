package dev.tersor.tensor;

import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.BinaryOp;
import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.backend.ReduceOp;
import dev.tersor.tensor.backend.UnaryOp;

/** Reductions over any set of axes, their backward rules, and arg-reductions. */
final class Reductions {
    private Reductions() {
    }

    /** Shape after reducing {@code axes} (sorted, normalised), keeping them as size 1 or dropping them. */
    static int[] reducedShape(int[] shape, int[] axes, boolean keepDim) {
        boolean[] r = new boolean[shape.length];
        for (int a : axes) r[a] = true;
        int n = keepDim ? shape.length : shape.length - axes.length;
        int[] out = new int[n];
        for (int d = 0, k = 0; d < shape.length; d++) {
            if (!r[d]) out[k++] = shape[d];
            else if (keepDim) out[k++] = 1;
        }
        return out;
    }

    /** The raw reduction (no autograd) into a new tensor of the reduced shape. */
    static Tensor reduceKernel(ReduceOp op, Tensor x, int[] axes, boolean keepDim) {
        int rank = x.dim();
        int[] outShape = reducedShape(x.shape, axes, keepDim);
        int count = 1;
        for (int a : axes) count *= x.shape[a];
        final int reduceCount = count;
        float[] out = new float[Shape.numel(outShape)];
        Backend be = Backends.current();
        if (isLeadingBlock(axes) && x.isContiguous() && axes.length < rank && op != ReduceOp.SUM_SQUARES) {
            // x is [R, B] with the reduced axes first: fold rows into the output with a vector kernel
            int inner = out.length;
            float[] d = x.storage.data;
            BinaryOp fold = op == ReduceOp.SUM ? BinaryOp.ADD : op == ReduceOp.MAX ? BinaryOp.MAX : BinaryOp.MIN;
            Parallel.forRange(inner, Elementwise.GRAIN / Math.max(1, reduceCount) + 1, (lo, hi) -> {
                if (reduceCount == 0) {
                    java.util.Arrays.fill(out, lo, hi, dev.tersor.tensor.backend.ScalarMath.identity(op));
                    return;
                }
                System.arraycopy(d, x.offset + lo, out, lo, hi - lo);
                for (int r = 1; r < reduceCount; r++) be.binary(fold, out, lo, d, x.offset + r * inner + lo, out, lo, hi - lo);
            });
            return Tensor.wrap(out, outShape);
        }
        // move kept axes first, reduced axes last; reduce each contiguous row
        int[] perm = new int[rank];
        boolean[] reduced = new boolean[rank];
        for (int a : axes) reduced[a] = true;
        int k = 0;
        for (int d = 0; d < rank; d++) if (!reduced[d]) perm[k++] = d;
        for (int a : axes) perm[k++] = a;
        Tensor rows = x.permuteInternal(perm).contiguous();
        float[] d = rows.storage.data;
        int base = rows.offset;
        int len = reduceCount;
        Parallel.forRange(out.length, Math.max(1, Elementwise.GRAIN / Math.max(1, len)), (lo, hi) -> {
            for (int i = lo; i < hi; i++) out[i] = be.reduce(op, d, base + i * len, len);
        });
        return Tensor.wrap(out, outShape);
    }

    private static boolean isLeadingBlock(int[] axes) {
        for (int i = 0; i < axes.length; i++) if (axes[i] != i) return false;
        return axes.length > 0;
    }

    /** {@code g} (reduced shape) reshaped with size-1 reduced axes and expanded to {@code shape}. */
    static Tensor expandBack(Tensor g, int[] shape, int[] axes) {
        return g.reshape(reducedShape(shape, axes, true)).expand(shape);
    }

    static Tensor sum(Tensor x, int[] axesIn, boolean keepDim) {
        int[] axes = Shape.axes("sum", axesIn, x.dim());
        Tensor out = reduceKernel(ReduceOp.SUM, x, axes, keepDim);
        return Autograd.record("sum", out, new Tensor[] {x}, g -> new Tensor[] {expandBack(g, x.shape, axes)});
    }

    static Tensor mean(Tensor x, int[] axesIn, boolean keepDim) {
        int[] axes = Shape.axes("mean", axesIn, x.dim());
        int count = 1;
        for (int a : axes) count *= x.shape[a];
        float inv = 1f / count;
        Tensor out = Elementwise.map(dev.tersor.tensor.backend.UnaryOp.SCALE, inv, reduceKernel(ReduceOp.SUM, x, axes, keepDim));
        return Autograd.record("mean", out, new Tensor[] {x}, g -> new Tensor[] {expandBack(g.mul(inv), x.shape, axes)});
    }

    /** max or min over axes; the gradient is shared evenly among tied extrema (as {@code torch.amax}). */
    static Tensor extremum(boolean max, Tensor x, int[] axesIn, boolean keepDim) {
        String name = max ? "max" : "min";
        int[] axes = Shape.axes(name, axesIn, x.dim());
        for (int a : axes) {
            if (x.shape[a] == 0) throw new IllegalArgumentException(name + ": cannot reduce over empty axis " + a
                    + " of shape " + Shape.str(x.shape));
        }
        Tensor out = reduceKernel(max ? ReduceOp.MAX : ReduceOp.MIN, x, axes, keepDim);
        return Autograd.record(name, out, new Tensor[] {x}, new Tensor[] {x, out}, g -> {
            Tensor hit = x.eq(expandBack(out, x.shape, axes));
            Tensor count = reduceKernel(ReduceOp.SUM, hit, axes, true);
            return new Tensor[] {hit.div(count).mul(expandBack(g, x.shape, axes))};
        });
    }

    /** Index of the first maximum (or minimum) along {@code axis}; NaN counts as the extremum. */
    static IntTensor argExtremum(boolean max, Tensor x, int axisIn, boolean keepDim) {
        String name = max ? "argmax" : "argmin";
        int axis = Shape.axis(name, axisIn, x.dim());
        int len = x.dim() == 0 ? 1 : x.shape[axis];
        if (len == 0) throw new IllegalArgumentException(name + ": axis " + axisIn + " of shape " + Shape.str(x.shape) + " is empty");
        int[] perm = new int[x.dim()];
        for (int d = 0, k = 0; d < x.dim(); d++) if (d != axis) perm[k++] = d;
        if (x.dim() > 0) perm[x.dim() - 1] = axis;
        Tensor rows = x.permuteInternal(perm).contiguous();
        int[] outShape = x.dim() == 0 ? new int[0] : reducedShape(x.shape, new int[] {axis}, keepDim);
        int[] out = new int[Shape.numel(outShape)];
        float[] d = rows.storage.data;
        for (int i = 0; i < out.length; i++) {
            int base = rows.offset + i * len;
            int best = 0;
            float bv = d[base];
            for (int j = 1; j < len && bv == bv; j++) {
                float v = d[base + j];
                if (v != v || (max ? v > bv : v < bv)) {
                    best = j;
                    bv = v;
                }
            }
            out[i] = best;
        }
        return IntTensor.wrap(out, outShape);
    }

    /** Sums {@code g} down to {@code shape}, undoing a broadcast. */
    static Tensor sumTo(Tensor g, int[] shape) {
        if (java.util.Arrays.equals(g.shape, shape)) return g;
        int lead = g.dim() - shape.length;
        if (lead < 0) throw new IllegalArgumentException("sumTo: cannot sum " + Shape.str(g.shape) + " to " + Shape.str(shape));
        int[] axes = new int[g.dim()];
        int n = 0;
        for (int d = 0; d < g.dim(); d++) {
            if (d < lead) axes[n++] = d;
            else if (shape[d - lead] == 1 && g.shape[d] != 1) axes[n++] = d;
            else if (shape[d - lead] != g.shape[d]) {
                throw new IllegalArgumentException("sumTo: cannot sum " + Shape.str(g.shape) + " to " + Shape.str(shape));
            }
        }
        Tensor s = n == 0 ? g : sum(g, java.util.Arrays.copyOf(axes, n), true);
        return s.reshape(shape);
    }

    static Tensor var(Tensor x, int[] axesIn, boolean unbiased, boolean keepDim) {
        int[] axes = Shape.axes("var", axesIn, x.dim());
        int count = 1;
        for (int a : axes) count *= x.shape[a];
        int dof = unbiased ? count - 1 : count;
        Tensor centred = x.sub(mean(x, axes, true));
        return sum(centred.mul(centred), axes, keepDim).div((float) dof);
    }

    /**
     * Standard deviation {@code √var}; where it is 0 (a constant row, or one value without
     * Bessel's correction) the gradient is 0, as PyTorch's {@code std_backward} (not 0/0 = NaN).
     */
    static Tensor std(Tensor x, int[] axesIn, boolean unbiased, boolean keepDim) {
        Tensor v = var(x, axesIn, unbiased, keepDim);
        Tensor out = Elementwise.map(UnaryOp.SQRT, 0f, v);
        return Autograd.record("std", out, new Tensor[] {v}, new Tensor[] {out}, g -> {
            Tensor safe = Tensor.where(out.eq(0f), Tensor.scalar(1f), out);
            return new Tensor[] {g.div(safe.mul(2f)).mul(out.ne(Tensor.scalar(0f)))};
        });
    }

    /**
     * The p-norm {@code (Σ|x|^p)^(1/p)} over axes, or {@code max |x|} for {@code p = +∞}, with
     * PyTorch's gradient {@code sign(x)·|x|^(p−1) / ‖x‖^(p−1)}, taken as 0 where {@code x = 0}
     * and wherever {@code ‖x‖ = 0} (so a zero vector gets gradient 0 for every p, not NaN).
     * For {@code p = +∞} the gradient {@code sign(x)} is shared evenly among the elements tied
     * for the maximum |x| (as PyTorch).
     */
    static Tensor norm(Tensor x, float p, int[] axesIn, boolean keepDim) {
        int[] axes = Shape.axes("norm", axesIn, x.dim());
        if (!(p > 0f)) throw new IllegalArgumentException("norm: p must be positive (or +infinity), got " + p);
        if (Float.isInfinite(p)) return extremum(true, x.abs(), axes, keepDim);
        if (p == 2f) {
            Tensor out = Elementwise.map(UnaryOp.SQRT, 0f, reduceKernel(ReduceOp.SUM_SQUARES, x, axes, keepDim));
            return Autograd.record("norm", out, new Tensor[] {x}, new Tensor[] {x, out}, g -> {
                Tensor n = expandBack(out, x.shape, axes);
                Tensor safe = Tensor.where(n.eq(0f), Tensor.scalar(1f), n);
                return new Tensor[] {x.div(safe).mul(expandBack(g, x.shape, axes))};
            });
        }
        Tensor powered = Elementwise.map(UnaryOp.POW, p, Elementwise.map(UnaryOp.ABS, 0f, x));
        Tensor out = Elementwise.map(UnaryOp.POW, 1f / p, reduceKernel(ReduceOp.SUM, powered, axes, keepDim));
        return Autograd.record("norm", out, new Tensor[] {x}, new Tensor[] {x, out}, g -> {
            Tensor zero = Tensor.scalar(0f);
            Tensor n = expandBack(out, x.shape, axes);
            Tensor scale = Tensor.where(n.eq(0f), zero, expandBack(g, x.shape, axes).div(n.pow(p - 1f)));
            Tensor local = Tensor.where(x.eq(0f), zero, x.sign().mul(x.abs().pow(p - 1f)));
            return new Tensor[] {local.mul(scale)};
        });
    }

    /** {@code log Σ exp(x)} over axes, stable for large |x|. */
    static Tensor logSumExp(Tensor x, int[] axesIn, boolean keepDim) {
        int[] axes = Shape.axes("logSumExp", axesIn, x.dim());
        Tensor m = reduceKernel(ReduceOp.MAX, x, axes, true);
        m = Elementwise.select(Elementwise.map(dev.tersor.tensor.backend.UnaryOp.ABS, 0f, m).eq(Float.POSITIVE_INFINITY),
                Tensor.scalar(0f), m);  // all -inf (or +inf) rows: shift by 0
        Tensor lse = sum(x.sub(m).exp(), axes, true).log().add(m);
        return keepDim ? lse : lse.reshape(reducedShape(x.shape, axes, false));
    }

    static Tensor softmax(Tensor x, int axis) {
        int a = Shape.axis("softmax", axis, x.dim());
        Tensor m = reduceKernel(ReduceOp.MAX, x, new int[] {a}, true);
        Tensor e = x.sub(m).exp();
        return e.div(sum(e, new int[] {a}, true));
    }

    static Tensor logSoftmax(Tensor x, int axis) {
        int a = Shape.axis("logSoftmax", axis, x.dim());
        return x.sub(logSumExp(x, new int[] {a}, true));
    }
}
