package dev.tersor.compress.distill;

import dev.tersor.tensor.Tensor;
import java.util.Arrays;

/**
 * Attention transfer (Zagoruyko and Komodakis, ICLR 2017) as PAMS's SKT loss uses it
 * (colorjam/PAMS {@code utils/common.py}: {@code at}, {@code at_loss}; weight {@code --w_at 1e3}):
 * <pre>
 * at(F)[n] = v[n] / max(‖v[n]‖₂, 1e−12),   v[n] = flatten(mean_c F[n, c]²)        F [N, C, H, W] → [N, H·W]
 * L_AT(S, T) = mean over N·H·W of (at(S) − at(T))²
 * </pre>
 * The channel counts of student and teacher may differ; N and the spatial size must agree. A
 * feature [N, C] (after a linear layer) gives a map of one element per sample.
 */
public final class AttentionTransfer {
    /** The weight PAMS puts on the loss. */
    public static final double DEFAULT_WEIGHT = 1000;
    private static final float EPS = 1e-12f;

    private AttentionTransfer() {
    }

    /** at(F): [N, C, ...] → [N, ∏ spatial], each row of unit L2 norm. */
    public static Tensor map(Tensor feature) {
        if (feature.dim() < 2) throw new IllegalArgumentException("AttentionTransfer: feature must be [N, C, ...], got " + Arrays.toString(feature.shape()));
        int n = feature.size(0);
        Tensor v = feature.mul(feature).mean(new int[] {1}, false).reshape(n, -1);
        Tensor norm = v.mul(v).sum(new int[] {1}, true).sqrt().clamp(EPS, Float.POSITIVE_INFINITY);
        return v.div(norm);
    }

    /** mean((at(student) − at(teacher))²); the teacher's map carries no gradient. */
    public static Tensor loss(Tensor student, Tensor teacher) {
        if (!comparable(student.shape(), teacher.shape())) {
            throw new IllegalArgumentException("AttentionTransfer: student feature " + Arrays.toString(student.shape()) + " and teacher feature "
                    + Arrays.toString(teacher.shape()) + " need the same batch and spatial size (channels may differ)");
        }
        Tensor d = map(student).sub(map(teacher.detach()));
        return d.mul(d).mean();
    }

    /** True when two feature shapes give attention maps of the same shape. */
    static boolean comparable(int[] s, int[] t) {
        if (s.length != t.length || s.length < 2 || s[0] != t[0]) return false;
        for (int i = 2; i < s.length; i++) if (s[i] != t[i]) return false;
        return true;
    }
}
