package dev.tersor.nn.binary;

import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.Rng;
import dev.tersor.tensor.Tensor;

/**
 * What {@link BinaryConv2d} and {@link BinaryLinear} share: the latent weight W [out, ...], its
 * binarization (with RBNN's rotation when enabled), the scale α, the bias and the per-epoch
 * state (RBNN's t and k, the rotation update and its flip fraction).
 * <pre>
 * plain   b = sign(W)
 * RBNN    X = standardise(W_o) per filter,  R = R1ᵀ·X·R2 (no gradient),
 *         W̃ = X + |sin θ_o|·(R − X),  b = sign(W̃)
 * y = (sign(x) ⊛ b)·α + bias       (α: none, mean |W_o|, or learned)
 * </pre>
 * State-dict names follow the RBNN code: {@code weight}, {@code bias}, {@code alpha},
 * {@code rotate} (θ), buffers {@code R1}, {@code R2}.
 */
abstract class BinaryLayer extends Module {
    /** Rounds of the alternating rotation update per epoch (the RBNN code's 3). */
    static final int ROTATION_ITERATIONS = 3;
    final int out, fanIn;
    final BinaryOptions opts;
    final Parameter weight, bias, alpha, rotate;
    final int n1, n2;
    private float t, k;
    private double flipFraction = Double.NaN;

    /** A layer with latent weight {@code initial} [out, ...] and {@code scaleShape} the shape of α against the output. */
    BinaryLayer(Tensor initial, Tensor initialBias, int[] scaleShape, BinaryOptions opts) {
        if (opts == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": options must not be null");
        this.opts = opts;
        this.out = initial.size(0);
        this.fanIn = initial.numel() / out;
        this.weight = registerParameter("weight", initial);
        this.bias = initialBias == null ? null : registerParameter("bias", initialBias);
        if (opts.scale() == WeightScale.LEARNED) {
            Tensor init;
            try (var g = Tensor.noGrad()) {
                init = initial.reshape(out, fanIn).abs().mean(new int[] {1}, false).reshape(scaleShape);
            }
            this.alpha = registerParameter("alpha", init.contiguous());
        } else {
            this.alpha = null;
        }
        if (opts.rotation()) {
            if (fanIn < 2) throw new IllegalArgumentException(getClass().getSimpleName() + ": RBNN rotation needs at least 2 weights per filter");
            int[] f = BiRotation.factors(fanIn);
            n1 = f[0];
            n2 = f[1];
            int[] thetaShape = java.util.Arrays.copyOf(new int[] {out}, Math.max(2, initial.dim()));
            java.util.Arrays.fill(thetaShape, 1, thetaShape.length, 1);
            this.rotate = registerParameter("rotate", Tensor.rand(Rng.global(), thetaShape).mul((float) (Math.PI / 2)));
            registerBuffer("R1", BiRotation.randomOrthogonal(n1, Rng.global()), true);
            registerBuffer("R2", BiRotation.randomOrthogonal(n2, Rng.global()), true);
        } else {
            n1 = n2 = 0;
            this.rotate = null;
        }
        setSchedule(0, 1);
    }

    /** Shape of α and the bias against the output ({@code [out, 1, 1]} for conv, {@code [out]} for linear). */
    abstract int[] channelShape();

    /** The options. */
    public BinaryOptions binaryOptions() {
        return opts;
    }

    /** The latent (real-valued) weight. */
    public Parameter weight() {
        return weight;
    }

    @Override
    public long multiplyAccumulates(Tensor input, Tensor output) {
        return fanInProducts(output, weight);
    }

    /** The bias, or null. */
    public Parameter bias() {
        return bias;
    }

    /** The learned α ({@link WeightScale#LEARNED}), or null. */
    public Parameter alpha() {
        return alpha;
    }

    /** RBNN's θ (the blend {@code |sin θ|} between filter and rotated filter), or null without rotation. */
    public Parameter rotate() {
        return rotate;
    }

    /** RBNN's R1 [n1, n1], or null without rotation. */
    public Tensor rotation1() {
        return opts.rotation() ? buffer("R1") : null;
    }

    /** RBNN's R2 [n2, n2], or null without rotation. */
    public Tensor rotation2() {
        return opts.rotation() ? buffer("R2") : null;
    }

    /** RBNN's current t. */
    public float t() {
        return t;
    }

    /** RBNN's current k. */
    public float k() {
        return k;
    }

    /** Sets RBNN's t and k directly (the gradient of {@link SignGradient#RBNN} uses them). */
    public void setTrainingAware(float t, float k) {
        if (!(t > 0) || !(k > 0)) throw new IllegalArgumentException("t and k must be positive, got t=" + t + ", k=" + k);
        this.t = t;
        this.k = k;
    }

    /** Sets t and k from the RBNN schedule for epoch {@code epoch} (0-based) of {@code epochs}. */
    public void setSchedule(int epoch, int epochs) {
        double tt = SignGradient.t(epoch, epochs, opts.tMin(), opts.tMax());
        setTrainingAware((float) tt, (float) SignGradient.k(tt));
    }

    /**
     * Call at the start of each epoch (0-based): sets RBNN's t and k for it and, with rotation,
     * runs {@value #ROTATION_ITERATIONS} rounds of the bi-rotation update and records the flip
     * fraction.
     */
    public void startEpoch(int epoch, int epochs) {
        setSchedule(epoch, epochs);
        if (opts.rotation()) updateRotation(ROTATION_ITERATIONS);
    }

    /** Runs the alternating R1/R2 update on the current standardised filters; returns the flip fraction. */
    public double updateRotation(int iterations) {
        if (!opts.rotation()) throw new IllegalStateException(getClass().getSimpleName() + ": rotation is off in these options");
        try (var g = Tensor.noGrad()) {
            Tensor x = standardized(weight.value()).reshape(out, n1, n2);
            Tensor[] r = BiRotation.update(x, buffer("R1"), buffer("R2"), iterations);
            setBuffer("R1", r[0]);
            setBuffer("R2", r[1]);
            Tensor before = BinarySign.signs(weight.value()).reshape(out, fanIn);
            Tensor after = BinarySign.signs(preSign()).reshape(out, fanIn);
            flipFraction = before.ne(after).mean().item();
        }
        return flipFraction;
    }

    /**
     * RBNN: the fraction of binary weights whose sign the rotation flipped, {@code sign(W̃) ≠ sign(W)},
     * measured at the last {@link #startEpoch} (NaN before; the paper reports about 50%).
     */
    public double flipFraction() {
        return flipFraction;
    }

    /** Per-filter standardisation {@code (W_o − mean)/std} (unbiased std, as the RBNN code): [out, fanIn]. */
    static Tensor standardized(Tensor w, int out, int fanIn) {
        Tensor flat = w.reshape(out, fanIn);
        Tensor centred = flat.sub(flat.mean(new int[] {1}, true));
        return centred.div(centred.std(new int[] {1}, true, true));
    }

    private Tensor standardized(Tensor w) {
        return standardized(w, out, fanIn);
    }

    /** The real-valued weight that is binarized, with graph: W, or RBNN's W̃. Shape of W. */
    Tensor preSign() {
        Tensor w = weight.value();
        if (!opts.rotation()) return w;
        Tensor x = standardized(w);
        Tensor r;
        try (var g = Tensor.noGrad()) {
            r = BiRotation.rotate(x.detach().reshape(out, n1, n2), buffer("R1"), buffer("R2")).reshape(out, fanIn);
        }
        Tensor blend = AbsSin.of(rotate.value()).reshape(out, 1);
        return x.add(blend.mul(r.sub(x))).reshape(w.shape());
    }

    /** The ±1 weight the forward uses, with graph (gradient by {@link BinaryOptions#weightGradient()}). */
    Tensor binaryWeight() {
        return BinarySign.apply(preSign(), opts.weightGradient(), t, k);
    }

    /** α shaped by {@link #channelShape()}, with graph, or null. */
    Tensor scale() {
        switch (opts.scale()) {
            case MEAN_ABS:
                return weight.value().reshape(out, fanIn).abs().mean(new int[] {1}, false).reshape(channelShape());
            case LEARNED:
                return alpha.value();
            default:
                return null;
        }
    }

    /** sign(x) with the activation backward. */
    Tensor binaryInput(Tensor x) {
        return BinarySign.apply(x, opts.activationGradient(), t, k);
    }

    /** {@code y·α + bias} (each step only when present), the same float steps the packed kernels take. */
    Tensor scaleAndShift(Tensor y) {
        Tensor a = scale();
        if (a != null) y = y.mul(a);
        if (bias != null) y = y.add(bias.value().reshape(channelShape()));
        return y;
    }

    /** The ±1 weights the forward binarizes, computed now without graph. */
    public Tensor binarizedWeight() {
        try (var g = Tensor.noGrad()) {
            return BinarySign.signs(preSign());
        }
    }

    /** The values of α now ([out]), or null. */
    public float[] outputScale() {
        try (var g = Tensor.noGrad()) {
            Tensor a = scale();
            return a == null ? null : a.contiguous().toArray();
        }
    }

    /** The bias values now ([out]), or null. */
    public float[] outputBias() {
        return bias == null ? null : bias.value().contiguous().toArray();
    }

    /** An inference module running the packed XNOR-popcount kernels; its output equals this layer's forward exactly. */
    public abstract Module toInference();

    String optionsRepr() {
        return "act_grad=" + opts.activationGradient() + ", weight_grad=" + opts.weightGradient() + ", scale=" + opts.scale()
                + (opts.rotation() ? ", rotation=" + n1 + "x" + n2 : "");
    }
}
