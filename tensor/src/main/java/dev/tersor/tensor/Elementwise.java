package dev.tersor.tensor;

import dev.tersor.tensor.backend.Backend;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.BinaryOp;
import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.backend.UnaryOp;

/**
 * Elementwise ops with NumPy broadcasting: the kernel launch (split over threads in chunks of
 * {@link #GRAIN}) and, beside each forward, its backward written with tensor ops.
 */
final class Elementwise {
    /** Elements per parallel chunk: below this, one thread does the work. */
    static final int GRAIN = 1 << 15;

    private Elementwise() {
    }

    // ---- kernel launches (no autograd) ----

    /** {@code op(x; p)} into a new contiguous tensor. */
    static Tensor map(UnaryOp op, float p, Tensor x) {
        Tensor c = x.contiguous();
        float[] out = new float[c.numel()];
        float[] src = c.storage.data;
        int off = c.offset;
        Backend be = Backends.current();
        Parallel.forRange(out.length, GRAIN, (lo, hi) -> be.unary(op, p, src, off + lo, out, lo, hi - lo));
        return Tensor.wrap(out, x.shape);
    }

    /** {@code op(a, b)} broadcast into a new contiguous tensor. */
    static Tensor zip(BinaryOp op, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(op.name().toLowerCase(), a.shape, b.shape);
        int n = Shape.numel(shape);
        float[] out = new float[n];
        Backend be = Backends.current();
        if (b.numel() == 1 && n == a.numel()) {
            Tensor ac = a.contiguous();
            float s = b.item();
            Parallel.forRange(n, GRAIN, (lo, hi) ->
                    be.binaryScalarRight(op, ac.storage.data, ac.offset + lo, s, out, lo, hi - lo));
            return Tensor.wrap(out, shape);
        }
        if (a.numel() == 1 && n == b.numel()) {
            Tensor bc = b.contiguous();
            float s = a.item();
            Parallel.forRange(n, GRAIN, (lo, hi) ->
                    be.binaryScalarLeft(op, s, bc.storage.data, bc.offset + lo, out, lo, hi - lo));
            return Tensor.wrap(out, shape);
        }
        Tensor ae = innerUnitOrBroadcast(a, shape);
        Tensor bE = innerUnitOrBroadcast(b, shape);
        Strided plan = new Strided(shape, new int[][] {Shape.contiguousStrides(shape), ae.strides, bE.strides},
                new int[] {0, ae.offset, bE.offset});
        float[] ad = ae.storage.data;
        float[] bd = bE.storage.data;
        int sa = plan.innerStride(1);
        int sb = plan.innerStride(2);
        plan.forAll((off, len) -> {
            if (sa == 1 && sb == 1) be.binary(op, ad, off[1], bd, off[2], out, off[0], len);
            else if (sa == 1) be.binaryScalarRight(op, ad, off[1], bd[off[2]], out, off[0], len);
            else if (sb == 1) be.binaryScalarLeft(op, ad[off[1]], bd, off[2], out, off[0], len);
            else java.util.Arrays.fill(out, off[0], off[0] + len, dev.tersor.tensor.backend.ScalarMath.binary(op, ad[off[1]], bd[off[2]]));
        });
        return Tensor.wrap(out, shape);
    }

    /**
     * {@code t} expanded to {@code shape}, copied first if its innermost stride after
     * coalescing would be neither 0 nor 1 (kernels read unit-stride runs or one broadcast value).
     */
    private static Tensor innerUnitOrBroadcast(Tensor t, int[] shape) {
        Tensor e = t.expandInternal(shape);
        Strided probe = new Strided(shape, new int[][] {Shape.contiguousStrides(shape), e.strides}, new int[] {0, 0});
        int s = probe.innerStride(1);
        return s == 0 || s == 1 ? e : t.contiguous().expandInternal(shape);
    }

    /** {@code cond ? a : b} elementwise with broadcasting (cond is non-zero for true). */
    static Tensor select(Tensor cond, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape, a.shape), b.shape);
        float[] out = new float[Shape.numel(shape)];
        Tensor c = cond.expandInternal(shape);
        Tensor x = a.expandInternal(shape);
        Tensor y = b.expandInternal(shape);
        Strided plan = new Strided(shape, new int[][] {Shape.contiguousStrides(shape), c.strides, x.strides, y.strides},
                new int[] {0, c.offset, x.offset, y.offset});
        float[] cd = c.storage.data, xd = x.storage.data, yd = y.storage.data;
        int sc = plan.innerStride(1), sx = plan.innerStride(2), sy = plan.innerStride(3);
        plan.forAll((off, len) -> {
            for (int i = 0, o = off[0], q = off[1], u = off[2], v = off[3]; i < len; i++, o++, q += sc, u += sx, v += sy) {
                out[o] = cd[q] != 0f ? xd[u] : yd[v];
            }
        });
        return Tensor.wrap(out, shape);
    }

    // ---- differentiable ops ----

    static Tensor unary(String name, UnaryOp op, float p, Tensor x, Grad rule) {
        Tensor out = map(op, p, x);
        return Autograd.record(name, out, new Tensor[] {x}, new Tensor[] {x, out},
                g -> new Tensor[] {rule.grad(g, x, out)});
    }

    /** Gradient of a one-input op from the output gradient, its input and its output. */
    @FunctionalInterface
    interface Grad {
        Tensor grad(Tensor g, Tensor x, Tensor out);
    }

    static Tensor add(Tensor a, Tensor b) {
        Tensor out = zip(BinaryOp.ADD, a, b);
        return Autograd.record("add", out, new Tensor[] {a, b}, g -> new Tensor[] {g.sumTo(a.shape), g.sumTo(b.shape)});
    }

    static Tensor sub(Tensor a, Tensor b) {
        Tensor out = zip(BinaryOp.SUB, a, b);
        return Autograd.record("sub", out, new Tensor[] {a, b},
                g -> new Tensor[] {g.sumTo(a.shape), b.requiresGrad() ? g.neg().sumTo(b.shape) : null});
    }

    static Tensor mul(Tensor a, Tensor b) {
        Tensor out = zip(BinaryOp.MUL, a, b);
        return Autograd.record("mul", out, new Tensor[] {a, b}, new Tensor[] {a, b}, g -> new Tensor[] {
            a.requiresGrad() ? g.mul(b).sumTo(a.shape) : null,
            b.requiresGrad() ? g.mul(a).sumTo(b.shape) : null});
    }

    static Tensor div(Tensor a, Tensor b) {
        Tensor out = zip(BinaryOp.DIV, a, b);
        return Autograd.record("div", out, new Tensor[] {a, b}, new Tensor[] {a, b, out}, g -> new Tensor[] {
            a.requiresGrad() ? g.div(b).sumTo(a.shape) : null,
            b.requiresGrad() ? g.mul(out).div(b).neg().sumTo(b.shape) : null});
    }

    static Tensor pow(Tensor a, Tensor b) {
        Tensor out = zip(BinaryOp.POW, a, b);
        return Autograd.record("pow", out, new Tensor[] {a, b}, new Tensor[] {a, b, out}, g -> {
            Tensor ga = null, gb = null;
            if (a.requiresGrad()) {   // PyTorch: 0 where b == 0 (not 0·0^−1 = NaN at a == 0)
                Tensor d = g.mul(b).mul(a.pow(b.sub(Tensor.scalar(1f))));
                ga = Tensor.where(b.eq(0f), Tensor.scalar(0f), d).sumTo(a.shape);
            }
            if (b.requiresGrad()) {
                Tensor d = g.mul(out).mul(a.log());
                Tensor zeroBase = a.eq(0f).mul(b.ge(0f));   // PyTorch: 0 where a == 0 and b >= 0
                gb = Tensor.where(zeroBase, Tensor.scalar(0f), d).sumTo(b.shape);
            }
            return new Tensor[] {ga, gb};
        });
    }

    /**
     * {@code max(a, b)} or {@code min(a, b)}; where the two are equal each gets half the
     * gradient, as in PyTorch.
     */
    static Tensor extremum(boolean max, Tensor a, Tensor b) {
        Tensor out = zip(max ? BinaryOp.MAX : BinaryOp.MIN, a, b);
        return Autograd.record(max ? "maximum" : "minimum", out, new Tensor[] {a, b}, new Tensor[] {a, b}, g -> {
            Tensor wins = max ? a.gt(b) : a.lt(b);
            Tensor ties = a.eq(b).mul(0.5f);
            Tensor share = wins.add(ties);
            Tensor ga = a.requiresGrad() ? g.mul(share).sumTo(a.shape) : null;
            Tensor gb = b.requiresGrad() ? g.mul(Tensor.scalar(1f).sub(share)).sumTo(b.shape) : null;
            return new Tensor[] {ga, gb};
        });
    }

    /**
     * {@code out > 0 ? g : 0}: ReLU's backward in one pass (no mask tensor). Its own gradient
     * flows to {@code g} only (zero almost everywhere for {@code out}).
     */
    static Tensor reluGrad(Tensor g, Tensor out) {
        Tensor y = zip(BinaryOp.RELU_GRAD, g, out);
        return Autograd.record("reluGrad", y, new Tensor[] {g}, new Tensor[] {out}, gg -> new Tensor[] {reluGrad(gg, out).sumTo(g.shape)});
    }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        Tensor out = select(cond, a, b);
        Tensor zero = Tensor.scalar(0f);
        return Autograd.record("where", out, new Tensor[] {a, b}, new Tensor[] {cond}, g -> new Tensor[] {
            a.requiresGrad() ? where(cond, g, zero).sumTo(a.shape) : null,
            b.requiresGrad() ? where(cond, zero, g).sumTo(b.shape) : null});
    }

    /** {@code clamp(x, lo, hi)}: the gradient passes where {@code lo <= x <= hi} (inclusive, as PyTorch). */
    static Tensor clamp(Tensor x, float lo, float hi) {
        if (lo > hi) throw new IllegalArgumentException("clamp: min " + lo + " is greater than max " + hi);
        Tensor out = map(UnaryOp.MIN_SCALAR, hi, map(UnaryOp.MAX_SCALAR, lo, x));
        return Autograd.record("clamp", out, new Tensor[] {x}, new Tensor[] {x},
                g -> new Tensor[] {g.mul(x.ge(lo).mul(x.le(hi)))});
    }

    /** {@code hardtanh(x, lo, hi)}: the gradient passes where {@code lo < x < hi} (exclusive, as PyTorch). */
    static Tensor hardtanh(Tensor x, float lo, float hi) {
        if (lo > hi) throw new IllegalArgumentException("hardtanh: min " + lo + " is greater than max " + hi);
        Tensor out = map(UnaryOp.MIN_SCALAR, hi, map(UnaryOp.MAX_SCALAR, lo, x));
        return Autograd.record("hardtanh", out, new Tensor[] {x}, new Tensor[] {x},
                g -> new Tensor[] {g.mul(x.gt(lo).mul(x.lt(hi)))});
    }

    static Tensor powScalar(Tensor x, float p) {
        return unary("pow", UnaryOp.POW, p, x, (g, in, out) -> p == 0f
                ? Tensor.zeros(in.shape)
                : g.mul(in.pow(p - 1f)).mul(p));
    }

    /** {@code 1/√(2π)}, the normal density's scale. */
    private static final float INV_SQRT_2PI = (float) (1.0 / Math.sqrt(2.0 * Math.PI));

    /** Exact GELU {@code x·Φ(x)}; its derivative {@code Φ(x) + x·φ(x)} is {@link #geluGrad}. */
    static Tensor gelu(Tensor x) {
        return unary("gelu", UnaryOp.GELU, 0f, x, (g, in, out) -> g.mul(geluGrad(in)));
    }

    /** {@code GELU'(x) = Φ(x) + x·φ(x)}, differentiable: {@code GELU''(x) = φ(x)·(2 − x²)}. */
    static Tensor geluGrad(Tensor x) {
        return unary("geluGrad", UnaryOp.GELU_GRAD, 0f, x, (g, in, out) -> {
            Tensor sq = in.mul(in);
            return g.mul(sq.mul(-0.5f).exp().mul(INV_SQRT_2PI)).mul(sq.neg().add(2f));
        });
    }

    /** {@code √(2/π)}, the tanh-GELU's inner scale. */
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);

    /** {@code ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}: a composite, differentiated by its parts. */
    static Tensor geluTanh(Tensor x) {
        Tensor inner = x.mul(x).mul(x).mul(0.044715f).add(x).mul(SQRT_2_OVER_PI);
        return inner.tanh().add(1f).mul(x).mul(0.5f);
    }

    static Tensor leakyRelu(Tensor x, float slope) {
        return unary("leakyRelu", UnaryOp.LEAKY_RELU, slope, x,
                (g, in, out) -> g.mul(in.gt(0f).mul(1f - slope).add(slope)));
    }
}
