package dev.tersor.tensor;

import java.util.Arrays;

/** Views that share storage (reshape, permute, expand, slice, squeeze) and the joins (cat, pad). */
final class Views {
    private Views() {
    }

    /** A differentiable view of {@code x} whose gradient is {@code back(g)}. */
    private static Tensor view(String op, Tensor x, int[] shape, int[] strides, int offset, Node.Backward back) {
        Tensor v = new Tensor(x.storage, shape, strides, offset);
        return Autograd.record(op, v, new Tensor[] {x}, back);
    }

    /** Replaces one {@code -1} in {@code shape} so the element count matches {@code numel}. */
    static int[] resolve(String op, int[] from, int[] shape) {
        int numel = Shape.numel(from);
        int[] out = shape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one dimension can be -1 in " + Shape.str(shape));
                infer = i;
            } else if (out[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid dimension " + out[i] + " in " + Shape.str(shape));
            } else {
                known *= out[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException(op + ": cannot reshape " + Shape.str(from) + " to " + Shape.str(shape));
            }
            out[infer] = (int) (numel / known);
        }
        if (Shape.numel(out) != numel) {
            throw new IllegalArgumentException(op + ": cannot reshape " + Shape.str(from) + " (" + numel
                    + " elements) to " + Shape.str(shape) + " (" + Shape.numel(out) + " elements)");
        }
        return out;
    }

    /** Strides that view {@code oldShape/oldStrides} as {@code newShape} without copying, or null. */
    static int[] viewStrides(int[] oldShape, int[] oldStrides, int[] newShape) {
        if (Shape.numel(oldShape) == 0 || oldShape.length == 0) return Shape.contiguousStrides(newShape);
        int[] newStrides = new int[newShape.length];
        int viewD = newShape.length - 1;
        long chunkBase = oldStrides[oldStrides.length - 1];
        long tensorNumel = 1, viewNumel = 1;
        for (int d = oldShape.length - 1; d >= 0; d--) {
            tensorNumel *= oldShape[d];
            if (d == 0 || oldShape[d - 1] != 1 && oldStrides[d - 1] != tensorNumel * chunkBase) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    newStrides[viewD] = (int) (viewNumel * chunkBase);
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (d > 0) {
                    chunkBase = oldStrides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? newStrides : null;
    }

    static Tensor reshape(Tensor x, int[] shapeIn, boolean mustView) {
        String op = mustView ? "view" : "reshape";
        int[] shape = resolve(op, x.shape, shapeIn);
        int[] strides = viewStrides(x.shape, x.strides, shape);
        if (strides == null) {
            if (mustView) {
                throw new IllegalArgumentException("view: a tensor of shape " + Shape.str(x.shape) + " and strides "
                        + Shape.str(x.strides) + " cannot be viewed as " + Shape.str(shape) + "; use reshape (copies)");
            }
            Tensor c = x.contiguous();
            return view(op, c, shape, Shape.contiguousStrides(shape), c.offset, g -> new Tensor[] {g.reshape(c.shape)});
        }
        return view(op, x, shape, strides, x.offset, g -> new Tensor[] {g.reshape(x.shape)});
    }

    static Tensor permute(Tensor x, int[] dims) {
        int[] perm = checkPermutation(x, dims);
        int[] shape = new int[perm.length], strides = new int[perm.length], inverse = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            shape[i] = x.shape[perm[i]];
            strides[i] = x.strides[perm[i]];
            inverse[perm[i]] = i;
        }
        return view("permute", x, shape, strides, x.offset, g -> new Tensor[] {g.permute(inverse)});
    }

    static int[] checkPermutation(Tensor x, int[] dims) {
        if (dims.length != x.dim()) {
            throw new IllegalArgumentException("permute: " + Shape.str(dims) + " is not a permutation of the "
                    + x.dim() + " axes of shape " + Shape.str(x.shape));
        }
        int[] perm = new int[dims.length];
        boolean[] seen = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            perm[i] = Shape.axis("permute", dims[i], x.dim());
            if (seen[perm[i]]) throw new IllegalArgumentException("permute: axis " + dims[i] + " repeats in " + Shape.str(dims));
            seen[perm[i]] = true;
        }
        return perm;
    }

    /** Shape and strides of {@code x} broadcast to {@code target} ({@code -1} keeps a size). */
    static int[][] expandLayout(Tensor x, int[] target) {
        int n = target.length;
        if (n < x.dim()) {
            throw new IllegalArgumentException("expand: cannot expand shape " + Shape.str(x.shape) + " to fewer dimensions "
                    + Shape.str(target));
        }
        int[] shape = new int[n], strides = new int[n];
        for (int i = 0; i < n; i++) {
            int j = i - (n - x.dim());
            int want = target[i];
            if (j < 0) {
                if (want < 0) throw new IllegalArgumentException("expand: -1 is not allowed for a new leading dimension in " + Shape.str(target));
                shape[i] = want;
                strides[i] = 0;
            } else if (want == -1 || want == x.shape[j]) {
                shape[i] = x.shape[j];
                strides[i] = x.strides[j];
            } else if (x.shape[j] == 1) {
                shape[i] = want;
                strides[i] = 0;
            } else {
                throw new IllegalArgumentException("expand: cannot expand shape " + Shape.str(x.shape) + " to "
                        + Shape.str(target) + " (dimension " + i + ": " + x.shape[j] + " is not 1)");
            }
        }
        return new int[][] {shape, strides};
    }

    static Tensor expand(Tensor x, int[] target) {
        int[][] l = expandLayout(x, target);
        return view("expand", x, l[0], l[1], x.offset, g -> new Tensor[] {g.sumTo(x.shape)});
    }

    static Tensor slice(Tensor x, int dimIn, int start, int end, int step) {
        int dim = Shape.axis("slice", dimIn, x.dim());
        int size = x.shape[dim];
        if (step <= 0) throw new IllegalArgumentException("slice: step must be positive, got " + step);
        int s = start < 0 ? start + size : start;
        int e = end < 0 ? end + size : end;
        s = Math.max(0, Math.min(s, size));
        e = Math.max(s, Math.min(e, size));
        int len = (e - s + step - 1) / step;
        int[] shape = x.shape.clone();
        int[] strides = x.strides.clone();
        shape[dim] = len;
        strides[dim] *= step;
        int sFinal = s;
        return view("slice", x, shape, strides, x.offset + s * x.strides[dim],
                g -> new Tensor[] {sliceBackward(g, x.shape, dim, sFinal, step, len)});
    }

    /** Zeros of {@code shape} with {@code g} written at the slice; its own gradient is that slice. */
    private static Tensor sliceBackward(Tensor g, int[] shape, int dim, int start, int step, int len) {
        Tensor z = Tensor.zeros(shape);
        z.sliceInternal(dim, start, step, len).copyInPlace(g);
        return Autograd.record("sliceBackward", z, new Tensor[] {g},
                gg -> new Tensor[] {slice(gg, dim, start, start + (len - 1) * step + 1, step)});
    }

    static Tensor narrow(Tensor x, int dimIn, int start, int length) {
        int dim = Shape.axis("narrow", dimIn, x.dim());
        int st = start < 0 ? start + x.shape[dim] : start;
        if (st < 0 || length < 0 || st + length > x.shape[dim]) {
            throw new IllegalArgumentException("narrow: start " + start + " and length " + length
                    + " do not fit axis " + dimIn + " of shape " + Shape.str(x.shape));
        }
        return slice(x, dim, st, st + length, 1);
    }

    /** Reshapes to {@code shape} (same numel) as a view with explicit strides; used by squeeze/unsqueeze. */
    static Tensor restride(String op, Tensor x, int[] shape, int[] strides) {
        return view(op, x, shape, strides, x.offset, g -> new Tensor[] {g.reshape(x.shape)});
    }

    static Tensor unsqueeze(Tensor x, int dimIn) {
        int dim = Shape.axis("unsqueeze", dimIn, x.dim() + 1);
        int[] shape = new int[x.dim() + 1], strides = new int[x.dim() + 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == dim) {
                shape[i] = 1;
                strides[i] = j < x.dim() ? x.strides[j] * x.shape[j] : 1;
            } else {
                shape[i] = x.shape[j];
                strides[i] = x.strides[j++];
            }
        }
        return restride("unsqueeze", x, shape, strides);
    }

    static Tensor squeeze(Tensor x, int[] dimsIn) {
        boolean[] drop = new boolean[x.dim()];
        if (dimsIn.length == 0) {
            for (int i = 0; i < x.dim(); i++) drop[i] = x.shape[i] == 1;
        } else {
            for (int d : dimsIn) {
                int a = Shape.axis("squeeze", d, x.dim());
                drop[a] = x.shape[a] == 1;
            }
        }
        int n = 0;
        for (boolean b : drop) if (!b) n++;
        int[] shape = new int[n], strides = new int[n];
        for (int i = 0, j = 0; i < x.dim(); i++) {
            if (drop[i]) continue;
            shape[j] = x.shape[i];
            strides[j++] = x.strides[i];
        }
        return restride("squeeze", x, shape, strides);
    }

    static Tensor cat(int dimIn, Tensor... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("cat: needs at least one tensor");
        Tensor first = xs[0];
        int dim = Shape.axis("cat", dimIn, first.dim());
        int total = 0;
        for (Tensor t : xs) {
            boolean fits = t.dim() == first.dim();
            for (int d = 0; fits && d < t.dim(); d++) fits = d == dim || t.shape[d] == first.shape[d];
            if (!fits) {
                throw new IllegalArgumentException("cat: shapes " + Shape.str(first.shape) + " and " + Shape.str(t.shape)
                        + " differ outside axis " + dimIn);
            }
            total += t.shape[dim];
        }
        int[] shape = first.shape.clone();
        shape[dim] = total;
        Tensor out = Tensor.zeros(shape);
        int[] sizes = new int[xs.length];
        for (int i = 0, at = 0; i < xs.length; i++) {
            sizes[i] = xs[i].shape[dim];
            out.sliceInternal(dim, at, 1, sizes[i]).copyInPlace(xs[i]);
            at += sizes[i];
        }
        return Autograd.record("cat", out, xs.clone(), g -> {
            Tensor[] grads = new Tensor[xs.length];
            for (int i = 0, at = 0; i < xs.length; at += sizes[i], i++) {
                grads[i] = xs[i].requiresGrad() ? g.narrow(dim, at, sizes[i]).contiguous() : null;
            }
            return grads;
        });
    }

    static Tensor stack(int dimIn, Tensor... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("stack: needs at least one tensor");
        int dim = Shape.axis("stack", dimIn, xs[0].dim() + 1);
        Tensor[] u = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) {
            if (!Arrays.equals(xs[i].shape, xs[0].shape)) {
                throw new IllegalArgumentException("stack: shapes " + Shape.str(xs[0].shape) + " and "
                        + Shape.str(xs[i].shape) + " differ");
            }
            u[i] = xs[i].unsqueeze(dim);
        }
        return cat(dim, u);
    }

    static Tensor[] split(Tensor x, int[] sizes, int dimIn) {
        int dim = Shape.axis("split", dimIn, x.dim());
        int sum = 0;
        for (int s : sizes) {
            if (s < 0) throw new IllegalArgumentException("split: negative size in " + Shape.str(sizes));
            sum += s;
        }
        if (sum != x.shape[dim]) {
            throw new IllegalArgumentException("split: sizes " + Shape.str(sizes) + " add up to " + sum + ", not "
                    + x.shape[dim] + " (axis " + dimIn + " of " + Shape.str(x.shape) + ")");
        }
        Tensor[] parts = new Tensor[sizes.length];
        for (int i = 0, at = 0; i < sizes.length; at += sizes[i], i++) parts[i] = x.narrow(dim, at, sizes[i]);
        return parts;
    }

    /** Constant padding; {@code pads} pairs (before, after) from the last axis backwards, as torch.nn.functional.pad. */
    static Tensor pad(Tensor x, int[] pads, float value) {
        if (pads.length % 2 != 0 || pads.length / 2 > x.dim()) {
            throw new IllegalArgumentException("pad: " + Shape.str(pads) + " must hold (before, after) pairs for at most "
                    + x.dim() + " axes");
        }
        int[] shape = x.shape.clone();
        int[] before = new int[x.dim()];
        for (int i = 0; i < pads.length / 2; i++) {
            int d = x.dim() - 1 - i;
            if (pads[2 * i] < 0 || pads[2 * i + 1] < 0) throw new IllegalArgumentException("pad: negative padding " + Shape.str(pads));
            before[d] = pads[2 * i];
            shape[d] += pads[2 * i] + pads[2 * i + 1];
        }
        Tensor out = Tensor.full(value, shape);
        Tensor inner = out;
        for (int d = 0; d < x.dim(); d++) inner = inner.sliceInternal(d, before[d], 1, x.shape[d]);
        inner.copyInPlace(x);
        return Autograd.record("pad", out, new Tensor[] {x}, g -> {
            Tensor gi = g;
            for (int d = 0; d < x.dim(); d++) gi = gi.narrow(d, before[d], x.shape[d]);
            return new Tensor[] {gi.contiguous()};
        });
    }
}
