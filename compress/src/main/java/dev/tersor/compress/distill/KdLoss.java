package dev.tersor.compress.distill;

import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.loss.Reduction;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * Hinton et al.'s knowledge-distillation loss ("Distilling the Knowledge in a Neural Network",
 * 2015, §2): with p^T = softmax(z/T),
 * <pre>
 * L = α·T²·KL(p_t^T ‖ p_s^T) + (1 − α)·CE(z_s, y),    KL = (1/N)·Σ_n Σ_c p_t[n,c]·(log p_t[n,c] − log p_s[n,c])
 * </pre>
 * The KL is summed over classes and samples and divided by the batch N (PyTorch's
 * {@code F.kl_div(..., reduction='batchmean')}, PAMS's {@code kl_div(reduction='sum')/N}), not
 * averaged over the N·C elements, which would shrink it C times (the pitfall of
 * {@code reduction='mean'}). The T² keeps the soft gradients' size independent of T.
 */
public final class KdLoss {
    private KdLoss() {
    }

    /** T²·KL(softmax(teacher/T) ‖ softmax(student/T)), batch-mean; logits [N, C], teacher's without gradient. */
    public static Tensor kl(Tensor student, Tensor teacher, double temperature) {
        checkTemperature(temperature);
        if (student.dim() != 2 || !Arrays.equals(student.shape(), teacher.shape())) {
            throw new IllegalArgumentException("KdLoss: student logits " + Arrays.toString(student.shape()) + " and teacher logits "
                    + Arrays.toString(teacher.shape()) + " must both be [N, C] with the same N and C");
        }
        float invT = (float) (1 / temperature);
        Tensor logP = student.mul(invT).logSoftmax(1);
        Tensor q = teacher.detach().mul(invT).softmax(1);
        return Losses.klDiv(logP, q, Reduction.BATCH_MEAN, false).mul((float) (temperature * temperature));
    }

    /** α·{@link #kl} + (1 − α)·cross entropy (mean over samples); α ∈ [0, 1]. */
    public static Tensor loss(Tensor student, Tensor teacher, IntTensor labels, double alpha, double temperature) {
        checkAlpha(alpha);
        return kl(student, teacher, temperature).mul((float) alpha).add(Losses.crossEntropy(student, labels).mul((float) (1 - alpha)));
    }

    static void checkAlpha(double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
    }

    static void checkTemperature(double temperature) {
        if (!(temperature > 0 && Double.isFinite(temperature))) {
            throw new IllegalArgumentException("temperature must be a finite number > 0, got " + temperature);
        }
    }
}
