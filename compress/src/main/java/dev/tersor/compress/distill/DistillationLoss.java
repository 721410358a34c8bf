package dev.tersor.compress.distill;

import dev.tersor.nn.Module;
import dev.tersor.nn.train.LossFunction;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A {@link LossFunction} that distils a frozen teacher into the student being trained, for any
 * training loop ({@link dev.tersor.nn.train.Trainer}, fine-tuning after pruning or quantization):
 * <pre>
 * L = α·T²·KL(p_t^T ‖ p_s^T) + (1 − α)·hard(z_s, y) + Σ_pairs w·L_pair(F_s, F_t)
 * </pre>
 * A forward pre-hook on the student catches each input batch; {@link #apply} runs the teacher on
 * it (mapped by {@code teacherInput}, e.g. {@link InputMapping#renormalize}) in eval mode and
 * without gradient, then compares logits ({@link KdLoss#kl}) and the paired layers' outputs
 * caught by forward hooks ({@link AttentionTransfer#loss}, or mean squared error for a
 * {@link LayerPair.Kind#HINT}). With nothing that needs it (α = 0, no weighted pair) the
 * teacher never runs and the loss is the hard loss alone. For logits alone the teacher runs
 * once per distinct input and its logits are remembered by the input's content ({@link
 * TeacherLogits}): from the second epoch on, distillation costs what training alone costs.
 * <pre>{@code
 * try (DistillationLoss kd = DistillationLoss.create(student, teacher, KdConfig.of(0.9, 4), Losses::crossEntropy,
 *         UnaryOperator.identity(), sample)) {
 *     new Trainer(student, optimizer, scheduler, kd).fit(train, test, options);
 * }
 * }</pre>
 * {@link #create} runs both models on a sample first, so a teacher with another class count or a
 * pair whose outputs cannot be compared fails before any training. Close it to remove the hooks.
 */
public final class DistillationLoss implements LossFunction, AutoCloseable {
    private final Module teacher;
    private final KdConfig config;
    private final LossFunction hard;
    private final UnaryOperator<Tensor> teacherInput;
    private final Module.HookHandle inputHook;
    private final List<FeatureTap[]> taps = new ArrayList<>();   // {student, teacher} per pair
    private final TeacherLogits remembered;                       // null when a pair needs the teacher's features
    private Tensor lastInput;
    private long teacherSamples;

    private DistillationLoss(Module student, Module teacher, KdConfig config, LossFunction hard, UnaryOperator<Tensor> teacherInput) {
        this.teacher = teacher;
        this.config = config;
        this.hard = hard;
        this.teacherInput = teacherInput;
        this.inputHook = student.registerForwardPreHook((m, x) -> {
            lastInput = x;
            return null;
        });
        for (LayerPair p : config.pairs()) taps.add(new FeatureTap[] {new FeatureTap(student, p.student()), new FeatureTap(teacher, p.teacher())});
        boolean features = config.pairs().stream().anyMatch(p -> p.weight() != 0);
        this.remembered = features ? null : new TeacherLogits(TeacherLogits.DEFAULT_MAX_FLOATS);
    }

    /**
     * Checks the pair on {@code sample} (a batch of student inputs, e.g. one image) with
     * {@link #check}, then hooks the student. {@code hard} is the student's own loss (usually
     * cross entropy); {@code teacherInput} maps student inputs to teacher inputs.
     */
    public static DistillationLoss create(Module student, Module teacher, KdConfig config, LossFunction hard,
                                          UnaryOperator<Tensor> teacherInput, Tensor sample) {
        check(student, teacher, config, teacherInput, sample);
        return new DistillationLoss(student, teacher, config, hard, teacherInput);
    }

    /**
     * Hooks the student without running {@link #check}: for callers that checked the pair before
     * changing the student (e.g. before quantizers replace its layers, so the feature taps see the
     * replacements).
     */
    public static DistillationLoss of(Module student, Module teacher, KdConfig config, LossFunction hard, UnaryOperator<Tensor> teacherInput) {
        return new DistillationLoss(student, teacher, config, hard, teacherInput);
    }

    /**
     * Runs student and teacher (eval mode, no gradient; modes restored) on {@code sample} and fails
     * with an {@link IllegalArgumentException} when their logits differ in shape (another class
     * count) or a pair names a missing layer or outputs that its kind cannot compare.
     */
    public static void check(Module student, Module teacher, KdConfig config, UnaryOperator<Tensor> teacherInput, Tensor sample) {
        List<FeatureTap[]> probe = new ArrayList<>();
        boolean sTrain = student.isTraining(), tTrain = teacher.isTraining();
        try {
            for (LayerPair p : config.pairs()) {
                probe.add(new FeatureTap[] {tap(student, p.student(), "student", p), tap(teacher, p.teacher(), "teacher", p)});
            }
            Tensor zs, zt;
            student.eval();
            teacher.eval();
            try (var g = Tensor.noGrad()) {
                zs = student.call(sample);
                zt = teacher.call(teacherInput.apply(sample));
            }
            if (!Arrays.equals(zs.shape(), zt.shape()) || zs.dim() != 2) {
                throw new IllegalArgumentException("the teacher's outputs " + Arrays.toString(zt.shape()) + " do not match the student's "
                        + Arrays.toString(zs.shape()) + ": distillation needs logits [N, C] with the same class count C");
            }
            for (int i = 0; i < probe.size(); i++) {
                LayerPair p = config.pairs().get(i);
                int[] s = probe.get(i)[0].output("student layer " + p.student()).shape();
                int[] t = probe.get(i)[1].output("teacher layer " + p.teacher()).shape();
                boolean ok = p.kind() == LayerPair.Kind.ATTENTION ? AttentionTransfer.comparable(s, t) : Arrays.equals(s, t);
                if (!ok) {
                    throw new IllegalArgumentException("layer pair " + p + ": the student's output " + Arrays.toString(s) + " and the teacher's "
                            + Arrays.toString(t) + " cannot be compared by " + (p.kind() == LayerPair.Kind.ATTENTION
                            ? "attention transfer (it needs the same spatial size; channels may differ)" : "a hint (it needs equal shapes)"));
                }
            }
        } finally {
            for (FeatureTap[] t : probe) for (FeatureTap f : t) f.close();
            if (sTrain) student.train();
            if (tTrain) teacher.train();
        }
    }

    private static FeatureTap tap(Module root, String path, String who, LayerPair p) {
        try {
            return new FeatureTap(root, path);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("layer pair " + p + ": the " + who + " has no layer '" + path + "' (" + e.getMessage() + ")", e);
        }
    }

    /** The distillation loss of the student's {@code outputs} [N, C] for the batch its last forward saw. */
    @Override
    public Tensor apply(Tensor outputs, IntTensor labels) {
        Tensor loss = hard.apply(outputs, labels);
        if (!config.usesTeacher()) return loss;
        if (lastInput == null || lastInput.size(0) != outputs.size(0)) {
            throw new IllegalStateException("DistillationLoss: the student's last forward did not see this batch (call student.call(x) before the loss)");
        }
        Tensor zt = remembered == null ? runTeacher(lastInput) : remembered.logits(lastInput, this::runTeacher);
        loss = loss.mul((float) (1 - config.alpha()));
        if (config.alpha() > 0) loss = loss.add(KdLoss.kl(outputs, zt, config.temperature()).mul((float) config.alpha()));
        for (int i = 0; i < taps.size(); i++) {
            LayerPair p = config.pairs().get(i);
            if (p.weight() == 0) continue;
            Tensor fs = taps.get(i)[0].output("student layer " + p.student()), ft = taps.get(i)[1].output("teacher layer " + p.teacher());
            loss = loss.add(pairLoss(p.kind(), fs, ft).mul((float) p.weight()));
        }
        lastInput = null;
        return loss;
    }

    /** The teacher's logits for student inputs {@code x}: eval mode, no gradient, its mode restored. */
    private Tensor runTeacher(Tensor x) {
        teacherSamples += x.size(0);
        boolean tTrain = teacher.isTraining();
        teacher.eval();
        try (var g = Tensor.noGrad()) {
            return teacher.call(teacherInput.apply(x));
        } finally {
            if (tTrain) teacher.train();
        }
    }

    /**
     * Samples the teacher has run on so far. With logits alone (no weighted layer pair) each
     * distinct input runs the teacher once and its logits are remembered ({@link TeacherLogits}),
     * so from the second epoch on this stops growing; with feature pairs it counts every sample.
     */
    public long teacherSamples() {
        return teacherSamples;
    }

    /** One pair's loss: attention transfer, or the mean squared error of the outputs for a hint. */
    static Tensor pairLoss(LayerPair.Kind kind, Tensor student, Tensor teacher) {
        if (kind == LayerPair.Kind.ATTENTION) return AttentionTransfer.loss(student, teacher);
        if (!Arrays.equals(student.shape(), teacher.shape())) {
            throw new IllegalArgumentException("hint: student output " + Arrays.toString(student.shape()) + " and teacher output "
                    + Arrays.toString(teacher.shape()) + " differ");
        }
        Tensor d = student.sub(teacher.detach());
        return d.mul(d).mean();
    }

    /** The settings. */
    public KdConfig config() {
        return config;
    }

    @Override
    public void close() {
        inputHook.close();
        for (FeatureTap[] t : taps) for (FeatureTap f : t) f.close();
        lastInput = null;
    }
}
