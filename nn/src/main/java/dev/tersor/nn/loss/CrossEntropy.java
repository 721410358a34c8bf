package dev.tersor.nn.loss;

import dev.tersor.tensor.Function;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;

/**
 * Fused log-softmax + negative log-likelihood over logits [N, C] with labels [N], with label
 * smoothing ε: {@code loss_i = (1−ε)·(−log p_i[y_i]) + ε·mean_c(−log p_i[c])}. Backward is
 * {@code (softmax − target distribution)·g}, computed from the saved probabilities.
 */
final class CrossEntropy extends Function {
    private final IntTensor labels;
    private final float smoothing;
    private final Reduction reduction;
    private float[] probs;
    private int rows, classes;

    CrossEntropy(IntTensor labels, float smoothing, Reduction reduction) {
        this.labels = labels;
        this.smoothing = smoothing;
        this.reduction = reduction;
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        Tensor logits = in[0];
        rows = logits.size(0);
        classes = logits.size(1);
        float[] x = logits.toArray();
        probs = new float[x.length];
        float[] loss = new float[rows];
        for (int i = 0; i < rows; i++) {
            int base = i * classes;
            int y = labels.getFlat(i);
            if (y < 0 || y >= classes) {
                throw new IllegalArgumentException("cross entropy: label " + y + " at row " + i + " is outside [0, " + classes + ")");
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) max = Math.max(max, x[base + c]);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.exp(x[base + c] - max);
            double lse = max + Math.log(sum);
            double sumNegLogP = 0;
            for (int c = 0; c < classes; c++) {
                double logp = x[base + c] - lse;
                probs[base + c] = (float) Math.exp(logp);
                sumNegLogP -= logp;
            }
            double nll = lse - x[base + y];
            loss[i] = (float) ((1 - smoothing) * nll + smoothing * sumNegLogP / classes);
        }
        return Losses.reduce(Tensor.fromArray(loss, rows), reduction, rows);
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor g) {
        float[] grad = new float[probs.length];
        float[] gv = g.toArray();
        float off = smoothing / classes;
        for (int i = 0; i < rows; i++) {
            float scale = reduction == Reduction.NONE ? gv[i] : reduction == Reduction.SUM ? gv[0] : gv[0] / rows;
            int base = i * classes;
            int y = labels.getFlat(i);
            for (int c = 0; c < classes; c++) {
                float target = off + (c == y ? 1f - smoothing : 0f);
                grad[base + c] = (probs[base + c] - target) * scale;
            }
        }
        return new Tensor[] {Tensor.fromArray(grad, rows, classes)};
    }
}
