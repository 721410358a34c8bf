package dev.tersor.compress.distill;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.adder.AdderConv2d;
import dev.tersor.nn.adder.AdderLinear;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.train.LossFunction;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;

/**
 * PKKD's training loss for a {@link PkkdModel} (Xu et al., NeurIPS 2020, §3; reconstructed, no
 * official code is public): the sum of the adder student's and the CNN teacher's losses,
 * <pre>
 * L_student = (1 − α)·CE(z_A, y) + α·T²·KL(p_C^T ‖ p_A^T) + γ·Σ_l mean over elements of (k_A^l − g_l(k_C^l))²
 * L_teacher = CE(z_C, y)
 * </pre>
 * with the kernel maps k of {@link KernelFeatures} of each paired layer's output (the adder's
 * Laplace map, the convolution's Gaussian map) and g_l the learned 1×1 map after the teacher's.
 * The teacher's logits and features are detached in the student's terms, so the teacher learns
 * from the labels alone while the student follows it as it trains (the progressive part).
 */
public final class PkkdLoss implements LossFunction {
    private final PkkdModel model;
    private final PkkdConfig config;

    public PkkdLoss(PkkdModel model, PkkdConfig config) {
        this.model = model;
        this.config = config;
    }

    @Override
    public Tensor apply(Tensor outputs, IntTensor labels) {
        Tensor zt = model.teacherLogits();
        Tensor student = Losses.crossEntropy(outputs, labels).mul((float) (1 - config.alpha()));
        if (config.alpha() > 0) student = student.add(KdLoss.kl(outputs, zt, config.temperature()).mul((float) config.alpha()));
        if (config.kernelWeight() > 0) {
            for (String layer : model.layers()) {
                student = student.add(layerLoss(layer).mul((float) config.kernelWeight()));
            }
        }
        Tensor loss = student.add(Losses.crossEntropy(zt, labels));
        model.clear();
        return loss;
    }

    /** mean((k_A − g(k_C))²) of one paired layer, from the last training-mode forward. */
    Tensor layerLoss(String layer) {
        FeatureTap s = model.studentTap(layer), t = model.teacherTap(layer);
        Tensor ka = KernelFeatures.kernel(KernelFeatures.adderDistance(s.output("student layer " + layer), adderBias(s.module())));
        Tensor kc;
        try (var g = Tensor.noGrad()) {
            kc = KernelFeatures.kernel(teacherDistance(t.module(), t.input().detach(), t.output("teacher layer " + layer).detach()));
        }
        return kernelLoss(ka, kc, model.transform(layer));
    }

    /** mean((kStudent − g(kTeacher))²): the kernel term of one layer; {@code g} maps the teacher's kernel features. */
    public static Tensor kernelLoss(Tensor kStudent, Tensor kTeacher, Module g) {
        Tensor d = kStudent.sub(g.call(kTeacher));
        return d.mul(d).mean();
    }

    private static Tensor adderBias(Module m) {
        var b = m instanceof AdderConv2d a ? a.bias() : ((AdderLinear) m).bias();
        return b == null ? null : b.value();
    }

    private static Tensor teacherDistance(Module m, Tensor x, Tensor y) {
        if (m instanceof Conv2d c) {
            return KernelFeatures.convSquaredDistance(x, y, c.weight().value(), c.bias() == null ? null : c.bias().value(), c.options());
        }
        Linear l = (Linear) m;
        return KernelFeatures.linearSquaredDistance(x, y, l.weight().value(), l.bias() == null ? null : l.bias().value());
    }
}
