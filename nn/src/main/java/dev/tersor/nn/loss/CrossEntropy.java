package dev.tersor.nn.loss;

import dev.tersor.tensor.Function;
import dev.tersor.tensor.GradMode;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;

/**
 * Fused log-softmax + negative log-likelihood over logits [N, C] with labels [N], class
 * weights w [C] (all 1 without), label smoothing ε and an ignored label, as PyTorch 1.13:
 * <pre>
 * loss_i = (1−ε)·w_{y_i}·(−log p_i[y_i]) + (ε/C)·Σ_c w_c·(−log p_i[c])     (0 when y_i is ignored)
 * MEAN   = Σ_i loss_i / Σ_{i not ignored} w_{y_i}
 * </pre>
 * Backward, per sample scale s_i (g_i, g, or g / Σw) and W = Σ_c w_c:
 * {@code ∂/∂x_ic = s_i·(p_ic·((1−ε)·w_{y_i} + ε·W/C) − (1−ε)·w_{y_i}·[c = y_i] − ε·w_c/C)},
 * computed from the saved probabilities; ignored samples get 0. In a create-graph pass
 * ({@code Gradients.withGraph}) the same formula is built from recorded ops,
 * {@code (softmax(x)·pScale − target)·s}, so it can be differentiated again (in the logits and
 * in the output gradient).
 */
final class CrossEntropy extends Function {
    private final IntTensor labels;
    private final CrossEntropyOptions options;
    private float[] probs;
    private Tensor logits;   // the input, for the create-graph backward
    private int rows, classes;
    private double denominator;

    CrossEntropy(IntTensor labels, CrossEntropyOptions options) {
        this.labels = labels;
        this.options = options;
    }

    private float weight(float[] w, int c) {
        return w == null ? 1f : w[c];
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        logits = in[0];
        rows = logits.size(0);
        classes = logits.size(1);
        float[] w = options.classWeights();
        if (w != null && w.length != classes) {
            throw new IllegalArgumentException("crossEntropy: " + w.length + " class weights for " + classes
                    + " classes (logits [" + rows + ", " + classes + "])");
        }
        double eps = options.labelSmoothing();
        double totalWeight = 0;
        for (int c = 0; c < classes; c++) totalWeight += weight(w, c);
        float[] x = logits.toArray();
        probs = new float[x.length];
        float[] loss = new float[rows];
        denominator = 0;
        for (int i = 0; i < rows; i++) {
            int y = labels.getFlat(i);
            if (y == options.ignoreIndex()) continue;
            if (y < 0 || y >= classes) {
                throw new IllegalArgumentException("cross entropy: label " + y + " at row " + i + " is outside [0, " + classes
                        + ") and is not the ignore index " + options.ignoreIndex());
            }
            int base = i * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) max = Math.max(max, x[base + c]);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.exp(x[base + c] - max);
            double lse = max + Math.log(sum);
            double smooth = 0;
            for (int c = 0; c < classes; c++) {
                double logp = x[base + c] - lse;
                probs[base + c] = (float) Math.exp(logp);
                smooth -= weight(w, c) * logp;
            }
            double wy = weight(w, y);
            loss[i] = (float) ((1 - eps) * wy * (lse - x[base + y]) + eps * smooth / classes);
            denominator += wy;
        }
        Tensor perSample = Tensor.fromArray(loss, rows);
        return switch (options.reduction()) {
            case NONE -> perSample;
            case SUM -> perSample.sum();
            case MEAN -> {
                if (denominator == 0) {
                    throw new IllegalArgumentException("crossEntropy: the mean has nothing to divide by: every one of the "
                            + rows + " labels is the ignore index " + options.ignoreIndex() + " or has class weight 0"
                            + " (PyTorch returns NaN); use Reduction.SUM or NONE, or skip the batch");
                }
                yield Tensor.scalar((float) (perSample.sum().item() / denominator));
            }
            case BATCH_MEAN -> throw new IllegalStateException("crossEntropy: BATCH_MEAN is rejected by CrossEntropyOptions");
        };
    }

    @Override
    protected boolean differentiableBackward() {
        return true;
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor g) {
        if (GradMode.isEnabled()) return new Tensor[] {graphBackward(g)};
        float[] w = options.classWeights();
        double eps = options.labelSmoothing();
        double totalWeight = 0;
        for (int c = 0; c < classes; c++) totalWeight += weight(w, c);
        float[] grad = new float[probs.length];
        float[] gv = g.toArray();
        Reduction r = options.reduction();
        for (int i = 0; i < rows; i++) {
            int y = labels.getFlat(i);
            if (y == options.ignoreIndex()) continue;
            double scale = r == Reduction.NONE ? gv[i] : r == Reduction.SUM ? gv[0] : gv[0] / denominator;
            double wy = weight(w, y);
            double pScale = (1 - eps) * wy + eps * totalWeight / classes;
            int base = i * classes;
            for (int c = 0; c < classes; c++) {
                double target = eps * weight(w, c) / classes + (c == y ? (1 - eps) * wy : 0);
                grad[base + c] = (float) ((probs[base + c] * pScale - target) * scale);
            }
        }
        return new Tensor[] {Tensor.fromArray(grad, rows, classes)};
    }

    /**
     * {@code ∂/∂x = (softmax(x)·pScale − target)·s} from recorded ops: pScale [N, 1] and the
     * target distribution [N, C] are constants (0 on ignored rows), s comes from {@code g}.
     */
    private Tensor graphBackward(Tensor g) {
        float[] w = options.classWeights();
        double eps = options.labelSmoothing();
        double totalWeight = 0;
        for (int c = 0; c < classes; c++) totalWeight += weight(w, c);
        float[] pScale = new float[rows];
        float[] target = new float[rows * classes];
        for (int i = 0; i < rows; i++) {
            int y = labels.getFlat(i);
            if (y == options.ignoreIndex()) continue;
            double wy = weight(w, y);
            pScale[i] = (float) ((1 - eps) * wy + eps * totalWeight / classes);
            for (int c = 0; c < classes; c++) {
                target[i * classes + c] = (float) (eps * weight(w, c) / classes + (c == y ? (1 - eps) * wy : 0));
            }
        }
        Tensor perRow = logits.softmax(1).mul(Tensor.fromArray(pScale, rows, 1))
                .sub(Tensor.fromArray(target, rows, classes));
        return switch (options.reduction()) {
            case NONE -> perRow.mul(g.reshape(rows, 1));
            case SUM -> perRow.mul(g);
            default -> perRow.mul(g.mul((float) (1 / denominator)));
        };
    }
}
