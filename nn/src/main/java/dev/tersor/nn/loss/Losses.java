package dev.tersor.nn.loss;

import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * Loss functions with PyTorch's definitions and defaults (mean reduction).
 * <pre>{@code
 * Tensor loss = Losses.crossEntropy(model.call(images), labels);   // logits [N, C], labels [N]
 * loss.backward();
 * }</pre>
 */
public final class Losses {
    private Losses() {
    }

    /** Cross entropy of logits [N, C] against labels [N], mean over samples. */
    public static Tensor crossEntropy(Tensor logits, IntTensor labels) {
        return crossEntropy(logits, labels, CrossEntropyOptions.defaults());
    }

    /** Cross entropy with label smoothing ε ∈ [0, 1] and a reduction. */
    public static Tensor crossEntropy(Tensor logits, IntTensor labels, float labelSmoothing, Reduction reduction) {
        return crossEntropy(logits, labels, new CrossEntropyOptions(labelSmoothing, null,
                CrossEntropyOptions.DEFAULT_IGNORE_INDEX, reduction));
    }

    /**
     * Cross entropy of logits [N, C] against labels [N] with PyTorch's {@code F.cross_entropy}
     * options (class weights, {@code ignore_index}, label smoothing, reduction):
     * {@code loss_i = (1−ε)·w_{y_i}·(−log p_i[y_i]) + (ε/C)·Σ_c w_c·(−log p_i[c])}, 0 for an
     * ignored sample; MEAN is {@code Σ loss_i / Σ w_{y_i}} over the samples not ignored.
     *
     * @throws IllegalArgumentException for a label outside [0, C) that is not the ignore index,
     *     class weights not of length C, and a MEAN with nothing to divide by (every label
     *     ignored or of weight 0, where PyTorch returns NaN)
     */
    public static Tensor crossEntropy(Tensor logits, IntTensor labels, CrossEntropyOptions options) {
        checkClassification("crossEntropy", logits, labels);
        if (options == null) throw new IllegalArgumentException("crossEntropy: options must not be null");
        return new CrossEntropy(labels, options).apply(logits);
    }

    /** Negative log-likelihood of log-probabilities [N, C] at labels [N]. */
    public static Tensor nll(Tensor logProbs, IntTensor labels, Reduction reduction) {
        checkClassification("nll", logProbs, labels);
        noBatchMean("nll", reduction);
        int n = logProbs.size(0), c = logProbs.size(1);
        float[] mask = new float[n * c];
        for (int i = 0; i < n; i++) {
            int y = labels.getFlat(i);
            if (y < 0 || y >= c) throw new IllegalArgumentException("nll: label " + y + " at row " + i + " is outside [0, " + c + ")");
            mask[i * c + y] = -1f;
        }
        Tensor picked = logProbs.mul(Tensor.fromArray(mask, n, c)).sum(1);
        return reduce(picked, reduction, n);
    }

    /** Mean squared error {@code (x − y)²}. */
    public static Tensor mse(Tensor input, Tensor target, Reduction reduction) {
        sameShape("mse", input, target);
        Tensor d = input.sub(target);
        return reduce(d.mul(d), reduction, input.size(0));
    }

    /** Mean absolute error {@code |x − y|}. */
    public static Tensor l1(Tensor input, Tensor target, Reduction reduction) {
        sameShape("l1", input, target);
        return reduce(input.sub(target).abs(), reduction, input.size(0));
    }

    /** Huber-like smooth L1: {@code 0.5·d²/β} where |d| < β, else {@code |d| − 0.5·β}. */
    public static Tensor smoothL1(Tensor input, Tensor target, float beta, Reduction reduction) {
        sameShape("smoothL1", input, target);
        if (beta < 0f) throw new IllegalArgumentException("smoothL1: beta must be >= 0, got " + beta);
        Tensor d = input.sub(target);
        Tensor ad = d.abs();
        if (beta == 0f) return reduce(ad, reduction, input.size(0));
        Tensor quad = d.mul(d).mul(0.5f / beta);
        return reduce(Tensor.where(ad.lt(beta), quad, ad.sub(0.5f * beta)), reduction, input.size(0));
    }

    /**
     * KL divergence {@code target·(log target − input)} with {@code input} as log-probabilities
     * (and {@code target} as log-probabilities too when {@code logTarget}); use
     * {@link Reduction#BATCH_MEAN} for the true KL per sample.
     */
    public static Tensor klDiv(Tensor input, Tensor target, Reduction reduction, boolean logTarget) {
        sameShape("klDiv", input, target);
        Tensor pointwise;
        if (logTarget) {
            pointwise = target.exp().mul(target.sub(input));
        } else {
            Tensor safeLog = Tensor.where(target.gt(0f), target, Tensor.ones(1)).log();
            pointwise = Tensor.where(target.gt(0f), target.mul(safeLog.sub(input)), Tensor.zeros(1));
        }
        return reduce(pointwise, reduction, input.size(0));
    }

    /**
     * Binary cross entropy on logits, {@code max(x, 0) − x·y + log(1 + e^−|x|)} computed stably;
     * its gradient is {@code σ(x) − y} everywhere, {@code ½ − y} at a logit of exactly 0 (as
     * PyTorch).
     */
    public static Tensor bceWithLogits(Tensor logits, Tensor target, Reduction reduction) {
        return bceWithLogits(logits, target, null, reduction);
    }

    /**
     * Binary cross entropy on logits with PyTorch's {@code pos_weight} p, a weight on the
     * positive term broadcast against the logits' trailing axes (one per class for [N, C]):
     * {@code −[p·y·log σ(x) + (1 − y)·log(1 − σ(x))]}. Null p is p = 1.
     *
     * @throws IllegalArgumentException when p does not broadcast to the logits' shape, or holds
     *     a negative or non-finite value (PyTorch accepts negative ones; they reward errors)
     */
    public static Tensor bceWithLogits(Tensor logits, Tensor target, Tensor posWeight, Reduction reduction) {
        sameShape("bceWithLogits", logits, target);
        if (reduction == null) throw new IllegalArgumentException("bceWithLogits: reduction must not be null");
        if (posWeight != null) checkPosWeight(logits, posWeight);
        return new BceWithLogits(posWeight == null ? null : posWeight.detach(), reduction).apply(logits, target);
    }

    private static void checkPosWeight(Tensor logits, Tensor p) {
        int[] ls = logits.shape(), ps = p.shape();
        boolean fits = ps.length <= ls.length;
        for (int i = 1; fits && i <= ps.length; i++) {
            fits = ps[ps.length - i] == 1 || ps[ps.length - i] == ls[ls.length - i];
        }
        if (!fits) {
            throw new IllegalArgumentException("bceWithLogits: pos_weight " + Arrays.toString(ps)
                    + " does not broadcast to logits " + Arrays.toString(ls) + " (give one weight per class, [C])");
        }
        float[] v = p.toArray();
        for (int i = 0; i < v.length; i++) {
            if (!(v[i] >= 0f) || Float.isInfinite(v[i])) {
                throw new IllegalArgumentException("bceWithLogits: pos_weight[" + i + "] is " + v[i]
                        + "; weights must be finite and >= 0");
            }
        }
    }

    static Tensor reduce(Tensor perElement, Reduction reduction, int batch) {
        return switch (reduction) {
            case NONE -> perElement;
            case MEAN -> perElement.mean();
            case SUM -> perElement.sum();
            case BATCH_MEAN -> perElement.sum().div((float) batch);
        };
    }

    private static void noBatchMean(String op, Reduction r) {
        if (r == Reduction.BATCH_MEAN) throw new IllegalArgumentException(op + ": BATCH_MEAN is only for klDiv; use MEAN");
    }

    private static void checkClassification(String op, Tensor x, IntTensor labels) {
        if (x.dim() != 2 || labels.dim() != 1 || labels.size(0) != x.size(0)) {
            throw new IllegalArgumentException(op + ": expected scores [N, C] and labels [N], got "
                    + Arrays.toString(x.shape()) + " and " + Arrays.toString(labels.shape()));
        }
    }

    private static void sameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": input " + Arrays.toString(a.shape()) + " and target "
                    + Arrays.toString(b.shape()) + " differ in shape");
        }
        if (a.dim() == 0) throw new IllegalArgumentException(op + ": inputs need at least one dimension");
    }
}
