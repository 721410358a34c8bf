package dev.tersor.tensor;

import dev.tersor.tensor.backend.BinaryOp;
import dev.tersor.tensor.backend.UnaryOp;
import java.util.Arrays;

/**
 * An n-dimensional float32 array with reverse-mode autograd. Storage is a {@code float[]} with a
 * shape, strides and an offset; views (reshape, permute, slice, expand) share it.
 *
 * <pre>{@code
 * Tensor w = Tensor.randn(new Generator(0), 3, 2).requiresGrad(true);   // [3, 2]
 * Tensor x = Tensor.fromArray(new float[] {1, 2, 3}, 1, 3);            // [1, 3]
 * Tensor loss = x.matmul(w).relu().sum();                              // []
 * loss.backward();
 * w.grad();                                                            // [3, 2]
 * }</pre>
 *
 * Methods without a suffix return new tensors; {@code ...InPlace} methods change this tensor's
 * storage (and bump its version, so a value saved for backward cannot change unnoticed).
 */
public final class Tensor {
    final Storage storage;
    final int[] shape;
    final int[] strides;
    final int offset;
    private boolean requiresGrad;
    private Tensor grad;
    Node gradFn;

    Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    /** Wraps {@code data} (not copied) as a contiguous tensor. */
    static Tensor wrap(float[] data, int[] shape) {
        if (data.length != Shape.numel(shape)) {
            throw new IllegalArgumentException(data.length + " values do not fill shape " + Shape.str(shape));
        }
        return new Tensor(new Storage(data), shape.clone(), Shape.contiguousStrides(shape), 0);
    }

    // ---- creation ----

    /** A copy of {@code data} with the given shape: {@code fromArray(new float[]{1,2,3,4}, 2, 2)}. */
    public static Tensor fromArray(float[] data, int... shape) {
        return wrap(data.clone(), shape);
    }

    /** A 0-dimensional tensor holding {@code value}. */
    public static Tensor scalar(float value) {
        return wrap(new float[] {value}, new int[0]);
    }

    /** Zeros of the given shape. */
    public static Tensor zeros(int... shape) {
        return wrap(new float[Shape.numel(shape)], shape);
    }

    /** Ones of the given shape. */
    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    /** {@code value} everywhere. */
    public static Tensor full(float value, int... shape) {
        float[] d = new float[Shape.numel(shape)];
        Arrays.fill(d, value);
        return wrap(d, shape);
    }

    /** Zeros shaped like {@code t}. */
    public static Tensor zerosLike(Tensor t) {
        return zeros(t.shape);
    }

    /** {@code [0, 1, ..., end-1]}. */
    public static Tensor arange(int end) {
        return arange(0, end, 1);
    }

    /** {@code start, start+step, ...} up to but excluding {@code end}: {@code arange(1, 2, 0.25f)} is [1, 1.25, 1.5, 1.75]. */
    public static Tensor arange(float start, float end, float step) {
        if (step == 0f || !Float.isFinite(step)) throw new IllegalArgumentException("arange: step must be finite and non-zero, got " + step);
        int n = (int) Math.max(0, Math.ceil((end - start) / (double) step));
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) (start + (double) i * step);
        return wrap(d, new int[] {n});
    }

    /** {@code steps} evenly spaced values from {@code start} to {@code end} inclusive. */
    public static Tensor linspace(float start, float end, int steps) {
        if (steps < 0) throw new IllegalArgumentException("linspace: steps must be >= 0, got " + steps);
        float[] d = new float[steps];
        for (int i = 0; i < steps; i++) {
            d[i] = steps == 1 ? start : (float) (start + (end - (double) start) * i / (steps - 1));
        }
        return wrap(d, new int[] {steps});
    }

    /** The n×n identity. */
    public static Tensor eye(int n) {
        return eye(n, n);
    }

    /** An n×m matrix with ones on the diagonal. */
    public static Tensor eye(int n, int m) {
        Tensor t = zeros(n, m);
        for (int i = 0; i < Math.min(n, m); i++) t.storage.data[i * m + i] = 1f;
        return t;
    }

    /** Uniform values in [0, 1) from {@code gen}. */
    public static Tensor rand(Generator gen, int... shape) {
        float[] d = new float[Shape.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = gen.nextFloat();
        return wrap(d, shape);
    }

    /** Standard normal values from {@code gen}. */
    public static Tensor randn(Generator gen, int... shape) {
        float[] d = new float[Shape.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = gen.nextGaussian();
        return wrap(d, shape);
    }

    /** Uniform integers in [low, high) from {@code gen}, as an integer tensor. */
    public static IntTensor randint(Generator gen, int low, int high, int... shape) {
        if (high <= low) throw new IllegalArgumentException("randint: high " + high + " must exceed low " + low);
        int[] d = new int[Shape.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = low + gen.nextInt(high - low);
        return IntTensor.wrap(d, shape.clone());
    }

    // ---- shape and data ----

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of axis {@code d} (negative counts from the end). */
    public int size(int d) {
        return shape[Shape.axis("size", d, dim())];
    }

    /** A copy of the strides (elements, not bytes). */
    public int[] strides() {
        return strides.clone();
    }

    /** Number of axes. */
    public int dim() {
        return shape.length;
    }

    /** Number of elements. */
    public int numel() {
        return Shape.numel(shape);
    }

    /** True when elements are laid out row-major without gaps (views may not be). */
    public boolean isContiguous() {
        int expected = 1;
        for (int d = dim() - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (numel() != 1) throw new IllegalStateException("item: tensor of shape " + Shape.str(shape) + " has " + numel() + " elements, not 1");
        return storage.data[offset];
    }

    /** The element at {@code index} (one index per axis). */
    public float get(int... index) {
        return storage.data[offsetOf(index)];
    }

    private int offsetOf(int[] index) {
        if (index.length != dim()) throw new IllegalArgumentException("get: " + index.length + " indices for shape " + Shape.str(shape));
        int o = offset;
        for (int d = 0; d < index.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " is out of bounds for shape " + Shape.str(shape));
            }
            o += index[d] * strides[d];
        }
        return o;
    }

    /** The elements in row-major order, as a new array. */
    public float[] toArray() {
        if (isContiguous()) return Arrays.copyOfRange(storage.data, offset, offset + numel());
        float[] out = new float[numel()];
        Strided.copy(this, out, 0, Shape.contiguousStrides(shape));
        return out;
    }

    /** This tensor if contiguous, else a contiguous copy (differentiable). */
    public Tensor contiguous() {
        if (isContiguous()) return this;
        Tensor out = wrap(toArray(), shape);
        return Autograd.record("contiguous", out, new Tensor[] {this}, g -> new Tensor[] {g});
    }

    /** A differentiable copy with its own storage. */
    public Tensor copy() {
        Tensor out = wrap(toArray(), shape);
        return Autograd.record("copy", out, new Tensor[] {this}, g -> new Tensor[] {g});
    }

    // ---- autograd ----

    /** Whether gradients flow to this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as needing its gradient; returns this. */
    public Tensor requiresGrad(boolean flag) {
        if (gradFn != null && !flag) {
            throw new IllegalStateException("requiresGrad(false) on a tensor computed by " + gradFn.op + "; use detach()");
        }
        requiresGrad = flag;
        return this;
    }

    void setRequiresGradInternal() {
        requiresGrad = true;
    }

    /** The accumulated gradient of a leaf, or null before any backward. */
    public Tensor grad() {
        return grad;
    }

    /** Forgets the accumulated gradient. */
    public void zeroGrad() {
        grad = null;
    }

    /** True for tensors not computed by a recorded op. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Name of the op that computed this tensor, or null for a leaf. */
    public String gradFnName() {
        return gradFn == null ? null : gradFn.op;
    }

    void accumulateGrad(Tensor g) {
        if (grad == null) grad = wrap(g.toArray(), shape);
        else grad.addRaw(g);
    }

    private void addRaw(Tensor g) {
        Tensor sum = Elementwise.zip(BinaryOp.ADD, this, g);
        System.arraycopy(sum.storage.data, 0, storage.data, offset, sum.numel());
    }

    /** Backpropagates from a one-element tensor. */
    public void backward() {
        Autograd.backward(this, null, false);
    }

    /** Backpropagates {@code gradOutput} (shaped like this tensor). */
    public void backward(Tensor gradOutput) {
        Autograd.backward(this, gradOutput, false);
    }

    /** Backpropagates, keeping the graph for another backward when {@code retainGraph}. */
    public void backward(Tensor gradOutput, boolean retainGraph) {
        Autograd.backward(this, gradOutput, retainGraph);
    }

    /** A view of the same data that is cut from the graph. */
    public Tensor detach() {
        return new Tensor(storage, shape, strides, offset);
    }

    Tensor alias() {
        return new Tensor(storage, shape, strides, offset);
    }

    /** Opens a scope in which no op records the graph (close it with try-with-resources). */
    public static GradMode noGrad() {
        return GradMode.set(false);
    }

    // ---- views ----

    /** Same data in a new shape; one size may be -1. Copies only when no view is possible. */
    public Tensor reshape(int... shape) {
        return Views.reshape(this, shape, false);
    }

    /** Like {@link #reshape} but never copies: fails if the layout does not allow a view. */
    public Tensor view(int... shape) {
        return Views.reshape(this, shape, true);
    }

    /** All axes merged into one. */
    public Tensor flatten() {
        return reshape(-1);
    }

    /** Axes {@code start..end} (inclusive) merged into one: [N,C,H,W].flatten(1,-1) is [N, C·H·W]. */
    public Tensor flatten(int start, int end) {
        int s = Shape.axis("flatten", start, dim()), e = Shape.axis("flatten", end, dim());
        if (e < s) throw new IllegalArgumentException("flatten: end axis " + end + " comes before start " + start);
        int[] out = new int[dim() - (e - s)];
        int k = 0;
        for (int d = 0; d < s; d++) out[k++] = shape[d];
        int merged = 1;
        for (int d = s; d <= e; d++) merged *= shape[d];
        out[k++] = merged;
        for (int d = e + 1; d < dim(); d++) out[k++] = shape[d];
        return reshape(out);
    }

    /** Axes reordered: [N,H,W,C].permute(0,3,1,2) is [N,C,H,W]. */
    public Tensor permute(int... dims) {
        return Views.permute(this, dims);
    }

    Tensor permuteInternal(int[] perm) {
        int[] s = new int[perm.length], st = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            s[i] = shape[perm[i]];
            st[i] = strides[perm[i]];
        }
        return new Tensor(storage, s, st, offset);
    }

    /** Two axes swapped. */
    public Tensor transpose(int d0, int d1) {
        int[] perm = new int[dim()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        int a = Shape.axis("transpose", d0, dim()), b = Shape.axis("transpose", d1, dim());
        perm[a] = b;
        perm[b] = a;
        return permute(perm);
    }

    Tensor transposeInternal(int a, int b) {
        int[] perm = new int[dim()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        perm[a] = b;
        perm[b] = a;
        return permuteInternal(perm);
    }

    /** A new axis of size 1 at {@code dim}. */
    public Tensor unsqueeze(int dim) {
        return Views.unsqueeze(this, dim);
    }

    /** Drops the given size-1 axes, or every size-1 axis when none are given. */
    public Tensor squeeze(int... dims) {
        return Views.squeeze(this, dims);
    }

    /** Elements {@code start .. start+length-1} along {@code dim}, as a view. */
    public Tensor narrow(int dim, int start, int length) {
        return Views.narrow(this, dim, start, length);
    }

    /** Elements {@code start, start+step, ...} before {@code end} along {@code dim} (Python slicing, clamped). */
    public Tensor slice(int dim, int start, int end, int step) {
        return Views.slice(this, dim, start, end, step);
    }

    Tensor sliceInternal(int dim, int start, int step, int length) {
        int[] s = shape.clone(), st = strides.clone();
        s[dim] = length;
        st[dim] *= step;
        return new Tensor(storage, s, st, offset + start * strides[dim]);
    }

    /** The sub-tensor at {@code index} along {@code dim}, with that axis removed. */
    public Tensor select(int dim, int index) {
        int d = Shape.axis("select", dim, dim());
        return narrow(d, index, 1).squeeze(d);
    }

    /** A broadcast view with size-1 axes repeated (stride 0); -1 keeps a size. */
    public Tensor expand(int... shape) {
        return Views.expand(this, shape);
    }

    Tensor expandInternal(int[] target) {
        if (Arrays.equals(target, shape)) return this;
        int[][] l = Views.expandLayout(this, target);
        return new Tensor(storage, l[0], l[1], offset);
    }

    /** Concatenation along {@code dim}: shapes must agree elsewhere. */
    public static Tensor cat(int dim, Tensor... tensors) {
        return Views.cat(dim, tensors);
    }

    /** Stacks same-shaped tensors along a new axis {@code dim}. */
    public static Tensor stack(int dim, Tensor... tensors) {
        return Views.stack(dim, tensors);
    }

    /** Views of consecutive pieces of the given sizes along {@code dim}. */
    public Tensor[] split(int[] sizes, int dim) {
        return Views.split(this, sizes, dim);
    }

    /** Views of pieces of {@code size} along {@code dim} (the last may be smaller). */
    public Tensor[] split(int size, int dim) {
        if (size <= 0) throw new IllegalArgumentException("split: size must be positive, got " + size);
        int total = shape[Shape.axis("split", dim, dim())];
        int n = Math.max(1, (total + size - 1) / size);
        int[] sizes = new int[n];
        for (int i = 0; i < n; i++) sizes[i] = Math.min(size, total - i * size);
        return split(sizes, dim);
    }

    /** {@code chunks} pieces of (nearly) equal size along {@code dim}, as torch.chunk. */
    public Tensor[] chunk(int chunks, int dim) {
        if (chunks <= 0) throw new IllegalArgumentException("chunk: chunks must be positive, got " + chunks);
        int total = shape[Shape.axis("chunk", dim, dim())];
        return split(Math.max(1, (total + chunks - 1) / chunks), dim);
    }

    /** Constant padding: {@code pads} = (before, after) pairs starting from the last axis. */
    public Tensor pad(int[] pads, float value) {
        return Views.pad(this, pads, value);
    }

    // ---- elementwise ----

    /** {@code this + other} with broadcasting. */
    public Tensor add(Tensor other) {
        return Elementwise.add(this, other);
    }

    /** {@code this + s}. */
    public Tensor add(float s) {
        return Elementwise.unary("add", UnaryOp.SHIFT, s, this, (g, x, out) -> g);
    }

    /** {@code this - other} with broadcasting. */
    public Tensor sub(Tensor other) {
        return Elementwise.sub(this, other);
    }

    /** {@code this - s}. */
    public Tensor sub(float s) {
        return add(-s);
    }

    /** {@code this · other} with broadcasting. */
    public Tensor mul(Tensor other) {
        return Elementwise.mul(this, other);
    }

    /** {@code this · s}. */
    public Tensor mul(float s) {
        return Elementwise.unary("mul", UnaryOp.SCALE, s, this, (g, x, out) -> g.mul(s));
    }

    /** {@code this / other} with broadcasting. */
    public Tensor div(Tensor other) {
        return Elementwise.div(this, other);
    }

    /** {@code this / s}. */
    public Tensor div(float s) {
        return mul(1f / s);
    }

    /** {@code -this}. */
    public Tensor neg() {
        return Elementwise.unary("neg", UnaryOp.NEG, 0f, this, (g, x, out) -> g.neg());
    }

    /** {@code this^exponent} with broadcasting. */
    public Tensor pow(Tensor exponent) {
        return Elementwise.pow(this, exponent);
    }

    /** {@code this^p}. */
    public Tensor pow(float p) {
        return Elementwise.powScalar(this, p);
    }

    /** {@code e^x}. */
    public Tensor exp() {
        return Elementwise.unary("exp", UnaryOp.EXP, 0f, this, (g, x, out) -> g.mul(out));
    }

    /** Natural logarithm. */
    public Tensor log() {
        return Elementwise.unary("log", UnaryOp.LOG, 0f, this, (g, x, out) -> g.div(x));
    }

    /** Square root. */
    public Tensor sqrt() {
        return Elementwise.unary("sqrt", UnaryOp.SQRT, 0f, this, (g, x, out) -> g.div(out.mul(2f)));
    }

    /** {@code |x|}; the gradient at 0 is 0. */
    public Tensor abs() {
        return Elementwise.unary("abs", UnaryOp.ABS, 0f, this, (g, x, out) -> g.mul(x.sign()));
    }

    /** −1, 0 or 1; its gradient is 0 everywhere. */
    public Tensor sign() {
        return Elementwise.unary("sign", UnaryOp.SIGN, 0f, this, (g, x, out) -> zeros(x.shape));
    }

    /** Values limited to [min, max]; the gradient passes where min ≤ x ≤ max. */
    public Tensor clamp(float min, float max) {
        return Elementwise.clamp(this, min, max);
    }

    /** Elementwise maximum with broadcasting; ties split the gradient. */
    public Tensor maximum(Tensor other) {
        return Elementwise.extremum(true, this, other);
    }

    /** Elementwise minimum with broadcasting; ties split the gradient. */
    public Tensor minimum(Tensor other) {
        return Elementwise.extremum(false, this, other);
    }

    /** {@code max(x, 0)}; the gradient at 0 is 0. */
    public Tensor relu() {
        return Elementwise.unary("relu", UnaryOp.RELU, 0f, this, (g, x, out) -> Elementwise.reluGrad(g, out));
    }

    /** {@code x > 0 ? x : slope·x}. */
    public Tensor leakyRelu(float slope) {
        return Elementwise.leakyRelu(this, slope);
    }

    /** {@code 1 / (1 + e^-x)}. */
    public Tensor sigmoid() {
        return Elementwise.unary("sigmoid", UnaryOp.SIGMOID, 0f, this,
                (g, x, out) -> g.mul(out.mul(out.neg().add(1f))));
    }

    /** Hyperbolic tangent. */
    public Tensor tanh() {
        return Elementwise.unary("tanh", UnaryOp.TANH, 0f, this, (g, x, out) -> g.mul(out.mul(out).neg().add(1f)));
    }

    /** {@code x·Φ(x)} (exact GELU, PyTorch's default). */
    public Tensor gelu() {
        return Elementwise.gelu(this);
    }

    /**
     * GELU, exact ({@link GeluApproximation#NONE}, as {@link #gelu()}) or with the tanh
     * approximation {@code ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}, built from tensor ops.
     */
    public Tensor gelu(GeluApproximation approximation) {
        if (approximation == null) throw new IllegalArgumentException("gelu: approximation must not be null (NONE or TANH)");
        return approximation == GeluApproximation.NONE ? gelu() : Elementwise.geluTanh(this);
    }

    /** {@code x·sigmoid(x)}. */
    public Tensor silu() {
        return mul(sigmoid());
    }

    /** Values limited to [min, max]; the gradient passes where min &lt; x &lt; max. */
    public Tensor hardtanh(float min, float max) {
        return Elementwise.hardtanh(this, min, max);
    }

    /** {@code cond ? a : b} elementwise with broadcasting ({@code cond} non-zero means true). */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Elementwise.where(cond, a, b);
    }

    // ---- comparisons: 1 where true, 0 where false; never differentiable ----

    /** {@code this == other}. */
    public Tensor eq(Tensor other) {
        return Elementwise.zip(BinaryOp.EQ, this, other);
    }

    /** {@code this == s}. */
    public Tensor eq(float s) {
        return eq(scalar(s));
    }

    /** {@code this != other}. */
    public Tensor ne(Tensor other) {
        return Elementwise.zip(BinaryOp.NE, this, other);
    }

    /** {@code this < other}. */
    public Tensor lt(Tensor other) {
        return Elementwise.zip(BinaryOp.LT, this, other);
    }

    /** {@code this < s}. */
    public Tensor lt(float s) {
        return lt(scalar(s));
    }

    /** {@code this <= other}. */
    public Tensor le(Tensor other) {
        return Elementwise.zip(BinaryOp.LE, this, other);
    }

    /** {@code this <= s}. */
    public Tensor le(float s) {
        return le(scalar(s));
    }

    /** {@code this > other}. */
    public Tensor gt(Tensor other) {
        return Elementwise.zip(BinaryOp.GT, this, other);
    }

    /** {@code this > s}. */
    public Tensor gt(float s) {
        return gt(scalar(s));
    }

    /** {@code this >= other}. */
    public Tensor ge(Tensor other) {
        return Elementwise.zip(BinaryOp.GE, this, other);
    }

    /** {@code this >= s}. */
    public Tensor ge(float s) {
        return ge(scalar(s));
    }

    // ---- reductions ----

    /** Sum over the given axes (all when none), dropping them. */
    public Tensor sum(int... axes) {
        return Reductions.sum(this, axes, false);
    }

    /** Sum over axes, keeping them as size 1 when {@code keepDim}. */
    public Tensor sum(int[] axes, boolean keepDim) {
        return Reductions.sum(this, axes, keepDim);
    }

    /** Mean over the given axes (all when none). */
    public Tensor mean(int... axes) {
        return Reductions.mean(this, axes, false);
    }

    /** Mean over axes, optionally keeping them. */
    public Tensor mean(int[] axes, boolean keepDim) {
        return Reductions.mean(this, axes, keepDim);
    }

    /** Maximum over the given axes (all when none); tied maxima share the gradient. */
    public Tensor max(int... axes) {
        return Reductions.extremum(true, this, axes, false);
    }

    /** Maximum over axes, optionally keeping them. */
    public Tensor max(int[] axes, boolean keepDim) {
        return Reductions.extremum(true, this, axes, keepDim);
    }

    /** Minimum over the given axes (all when none). */
    public Tensor min(int... axes) {
        return Reductions.extremum(false, this, axes, false);
    }

    /** Minimum over axes, optionally keeping them. */
    public Tensor min(int[] axes, boolean keepDim) {
        return Reductions.extremum(false, this, axes, keepDim);
    }

    /** Index of the first maximum along {@code dim}. */
    public IntTensor argmax(int dim, boolean keepDim) {
        return Reductions.argExtremum(true, this, dim, keepDim);
    }

    /** Index of the first minimum along {@code dim}. */
    public IntTensor argmin(int dim, boolean keepDim) {
        return Reductions.argExtremum(false, this, dim, keepDim);
    }

    /** Variance over axes (all when empty), with Bessel's correction when {@code unbiased}. */
    public Tensor var(int[] axes, boolean unbiased, boolean keepDim) {
        return Reductions.var(this, axes, unbiased, keepDim);
    }

    /**
     * Standard deviation over axes; its gradient is 0 where it is 0 (a constant row), as
     * PyTorch. With {@code unbiased} over one value it is NaN (0/0), gradient included.
     */
    public Tensor std(int[] axes, boolean unbiased, boolean keepDim) {
        return Reductions.std(this, axes, unbiased, keepDim);
    }

    /** The Euclidean norm of all elements. */
    public Tensor norm() {
        return Reductions.norm(this, 2f, new int[0], false);
    }

    /**
     * The p-norm {@code (Σ|x|^p)^(1/p)} over axes (all when empty), p &gt; 0, or {@code max |x|}
     * for {@code p = Float.POSITIVE_INFINITY}. The gradient is 0 at a zero vector (as PyTorch)
     * and at zero elements; for p = ∞ tied maxima of |x| share it.
     */
    public Tensor norm(float p, int[] axes, boolean keepDim) {
        return Reductions.norm(this, p, axes, keepDim);
    }

    /** {@code log Σ exp(x)} over axes, computed stably. */
    public Tensor logSumExp(int[] axes, boolean keepDim) {
        return Reductions.logSumExp(this, axes, keepDim);
    }

    /** {@code exp(x) / Σ exp(x)} along {@code dim}. */
    public Tensor softmax(int dim) {
        return Reductions.softmax(this, dim);
    }

    /** {@code x - logΣexp(x)} along {@code dim}. */
    public Tensor logSoftmax(int dim) {
        return Reductions.logSoftmax(this, dim);
    }

    /** Sums a broadcast result back down to {@code shape}. */
    public Tensor sumTo(int... shape) {
        return Reductions.sumTo(this, shape);
    }

    // ---- linear algebra ----

    /** Matrix product with torch.matmul's rules: 1-D operands, batching and batch broadcasting. */
    public Tensor matmul(Tensor other) {
        return LinearAlgebra.matmul(this, other);
    }

    // ---- in place (not recorded; not allowed on tensors that require grad while recording) ----

    private void checkInPlace(String op) {
        if (requiresGrad && GradMode.isEnabled()) {
            throw new IllegalStateException(op + " on a tensor that requires grad while the graph is recorded;"
                    + " do it inside Tensor.noGrad() (e.g. an optimizer step) or on a detached copy");
        }
    }

    /** Writes {@code src} (broadcast to this shape) into this tensor. */
    public Tensor copyInPlace(Tensor src) {
        checkInPlace("copyInPlace");
        Tensor e = src.expandInternal(shape);
        Strided plan = new Strided(shape, new int[][] {strides, e.strides}, new int[] {offset, e.offset});
        float[] d = storage.data, s = e.storage.data;
        int ds = plan.innerStride(0), ss = plan.innerStride(1);
        plan.forAll((off, len) -> {
            for (int i = 0, p = off[0], q = off[1]; i < len; i++, p += ds, q += ss) d[p] = s[q];
        });
        storage.bump();
        return this;
    }

    /** Sets every element to {@code value}. */
    public Tensor fillInPlace(float value) {
        return copyInPlace(scalar(value));
    }

    /** Sets every element to 0. */
    public Tensor zeroInPlace() {
        return fillInPlace(0f);
    }

    /** {@code this += alpha · other} (broadcasting {@code other}). */
    public Tensor addInPlace(Tensor other, float alpha) {
        Tensor scaled = alpha == 1f ? other : Elementwise.map(UnaryOp.SCALE, alpha, other);
        return copyInPlace(Elementwise.zip(BinaryOp.ADD, this, scaled));
    }

    /** {@code this += other}. */
    public Tensor addInPlace(Tensor other) {
        return addInPlace(other, 1f);
    }

    /** {@code this *= other}. */
    public Tensor mulInPlace(Tensor other) {
        return copyInPlace(Elementwise.zip(BinaryOp.MUL, this, other));
    }

    /** {@code this *= s}. */
    public Tensor mulInPlace(float s) {
        return copyInPlace(Elementwise.map(UnaryOp.SCALE, s, this));
    }

    /**
     * The backing array of a contiguous tensor, for fused kernels outside this module (optimizer
     * updates): element {@code i} is at {@code data()[dataOffset() + i]}. Writing through it is
     * an in-place change: call {@link #markModified()} afterwards. Fails on a non-contiguous
     * view, and on a tensor that requires grad while the graph is recorded.
     */
    public float[] data() {
        if (!isContiguous()) throw new IllegalStateException("data: tensor of shape " + Shape.str(shape) + " and strides "
                + Shape.str(strides) + " is not contiguous; call contiguous() first");
        checkInPlace("data");
        return storage.data;
    }

    /** Where element 0 of a contiguous tensor sits in {@link #data()}. */
    public int dataOffset() {
        return offset;
    }

    /** Records an in-place write made through {@link #data()} (bumps the version autograd checks). */
    public void markModified() {
        storage.bump();
    }

    /** Sets one element. */
    public Tensor setInPlace(float value, int... index) {
        checkInPlace("setInPlace");
        storage.data[offsetOf(index)] = value;
        storage.bump();
        return this;
    }

    /** PyTorch-style text: values (elided past 1000 elements), shape and grad info. */
    @Override
    public String toString() {
        return TensorFormat.format(this);
    }
}
