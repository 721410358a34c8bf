package dev.tersor.compress.distill;

import dev.tersor.nn.Module;
import dev.tersor.nn.loss.Losses;
import dev.tersor.nn.loss.Reduction;
import dev.tersor.nn.sr.SrObjective;
import dev.tersor.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * PAMS's structured knowledge transfer for super-resolution students (colorjam/PAMS
 * {@code main.py}: {@code loss = w_l1·L1(s_sr, hr) + w_at·at_loss(s_res, t_res)}, weights 1 and
 * 1000): the L1 loss of the student's output against the HR patch plus attention transfer
 * ({@link AttentionTransfer#loss}) between the student's and the teacher's feature map at the
 * input of one module (for EDSR the tail: {@code body(x) + x}, the feature the official
 * {@code PAMS_EDSR.forward} returns beside the image). The teacher runs in evaluation mode
 * without gradient. An {@link SrObjective}, so {@link dev.tersor.nn.sr.SrTrainer} minimises it
 * ({@link dev.tersor.nn.sr.SrTrainer.Options#objective}); closing removes the hooks.
 * <pre>{@code
 * try (SrDistillation skt = SrDistillation.pams(student, teacher, sampleLr)) {
 *     new SrTrainer(student, 2, adam, step).fit(loader, val, names, SrTrainer.Options.epochs(30).objective(skt));
 * }
 * }</pre>
 */
public final class SrDistillation implements SrObjective, AutoCloseable {
    /** PAMS's {@code --w_at}. */
    public static final double PAMS_AT_WEIGHT = AttentionTransfer.DEFAULT_WEIGHT;
    /** The module whose input PAMS compares in EDSR. */
    public static final String EDSR_FEATURE = "tail";
    private final Module student, teacher;
    private final FeatureTap studentTap, teacherTap;
    private final double l1Weight, atWeight;
    private double lastL1 = Double.NaN, lastAt = Double.NaN;

    private SrDistillation(Module student, Module teacher, String feature, double l1Weight, double atWeight) {
        this.student = student;
        this.teacher = teacher;
        this.l1Weight = l1Weight;
        this.atWeight = atWeight;
        this.studentTap = new FeatureTap(student, feature);
        FeatureTap t;
        try {
            t = new FeatureTap(teacher, feature);
        } catch (RuntimeException e) {
            studentTap.close();
            throw e;
        }
        this.teacherTap = t;
    }

    /**
     * The loss {@code l1Weight·L1 + atWeight·AT} with attention transfer on the input of the module
     * at {@code feature} in both models. Both run on {@code sampleLr} first: an unknown path, outputs
     * of different shapes or features that cannot be compared are an IllegalArgumentException here,
     * before any training.
     */
    public static SrDistillation create(Module student, Module teacher, String feature, double l1Weight, double atWeight, Tensor sampleLr) {
        Objects.requireNonNull(student, "student");
        Objects.requireNonNull(teacher, "teacher");
        if (!(l1Weight >= 0) || !(atWeight >= 0) || !Double.isFinite(l1Weight) || !Double.isFinite(atWeight) || l1Weight + atWeight == 0) {
            throw new IllegalArgumentException("SrDistillation: weights must be finite, >= 0 and not both 0, got L1 " + l1Weight + ", AT " + atWeight);
        }
        SrDistillation d = new SrDistillation(student, teacher, feature, l1Weight, atWeight);
        try {
            d.check(sampleLr);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    /** PAMS's loss for EDSR-like models: L1 + 1000·AT on the input of {@code tail}. */
    public static SrDistillation pams(Module student, Module teacher, Tensor sampleLr) {
        return create(student, teacher, EDSR_FEATURE, 1, PAMS_AT_WEIGHT, sampleLr);
    }

    private void check(Tensor lr) {
        boolean wasTraining = student.isTraining();
        try (var g = Tensor.noGrad()) {
            student.eval();
            Tensor s = student.call(lr);
            Tensor t = teacherOutput(lr);
            if (!Arrays.equals(s.shape(), t.shape())) {
                throw new IllegalArgumentException("SrDistillation: the teacher's output " + Arrays.toString(t.shape()) + " is not the student's "
                        + Arrays.toString(s.shape()) + " (another scale or model?)");
            }
            Tensor sf = studentTap.input(), tf = teacherTap.input();
            if (sf == null || tf == null) throw new IllegalArgumentException("SrDistillation: the feature module is not used by the models' forward");
            if (!AttentionTransfer.comparable(sf.shape(), tf.shape())) {
                throw new IllegalArgumentException("SrDistillation: student feature " + Arrays.toString(sf.shape()) + " and teacher feature "
                        + Arrays.toString(tf.shape()) + " need the same batch and spatial size");
            }
        } finally {
            if (wasTraining) student.train();
            studentTap.clear();
            teacherTap.clear();
        }
    }

    private Tensor teacherOutput(Tensor lr) {
        teacher.eval();
        try (var g = Tensor.noGrad()) {
            return teacher.call(lr);
        }
    }

    @Override
    public Tensor trainingLoss(Tensor lr, Tensor hr) {
        try {
            Tensor loss = null;
            if (atWeight != 0) teacherOutput(lr);
            Tensor l1 = Losses.l1(student.call(lr), hr, Reduction.MEAN);
            lastL1 = l1.item();
            if (l1Weight != 0) loss = l1.mul((float) l1Weight);
            if (atWeight != 0) {
                Tensor at = AttentionTransfer.loss(studentTap.input(), teacherTap.input());
                lastAt = at.item();
                Tensor w = at.mul((float) atWeight);
                loss = loss == null ? w : loss.add(w);
            }
            return loss;
        } finally {
            studentTap.clear();
            teacherTap.clear();
        }
    }

    /** The last batch's L1 loss (unweighted, 8-bit units). */
    public double lastL1() {
        return lastL1;
    }

    /** The last batch's attention-transfer loss (unweighted). */
    public double lastAttention() {
        return lastAt;
    }

    @Override
    public void close() {
        studentTap.close();
        teacherTap.close();
    }
}
