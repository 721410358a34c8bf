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
        return crossEntropy(logits, labels, 0f, Reduction.MEAN);
    }

    /** Cross entropy with label smoothing ε ∈ [0, 1] and a reduction. */
    public static Tensor crossEntropy(Tensor logits, IntTensor labels, float labelSmoothing, Reduction reduction) {
        checkClassification("crossEntropy", logits, labels);
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("crossEntropy: label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        noBatchMean("crossEntropy", reduction);
        return new CrossEntropy(labels, labelSmoothing, reduction).apply(logits);
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
     * Binary cross entropy on logits, computed stably as
     * {@code max(x, 0) − x·y + log(1 + e^−|x|)}.
     */
    public static Tensor bceWithLogits(Tensor logits, Tensor target, Reduction reduction) {
        sameShape("bceWithLogits", logits, target);
        Tensor softplus = logits.abs().neg().exp().add(1f).log();
        return reduce(logits.relu().sub(logits.mul(target)).add(softplus), reduction, logits.size(0));
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
