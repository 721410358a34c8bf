package dev.tersor.cli;

import dev.tersor.compress.distill.DistillationLoss;
import dev.tersor.compress.distill.InputMapping;
import dev.tersor.compress.distill.KdConfig;
import dev.tersor.compress.distill.LayerPair;
import dev.tersor.nn.Module;
import dev.tersor.nn.train.LossFunction;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The distillation flags ({@code --teacher M:W --alpha --temperature --at-layers --at-weight}), a
 * picocli mixin shared by {@code compress distill} and the commands that fine-tune
 * ({@code compress qat|prune|cluster|slb|abs}): with a teacher, the fine-tuning loss becomes
 * {@code α·T²·KL + (1 − α)·CE + Σ at_weight·AT} ({@link DistillationLoss}), the command's own
 * loss (with any penalty it adds) in the place of CE.
 */
final class DistillOptions {
    @Option(names = "--teacher", paramLabel = "M:W",
            description = "Teacher: zoo model and its float weights, e.g. resnet20-fashion:resnet20.safetensors (compress distill --method pkkd: M alone trains a fresh one).")
    String teacher;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.9", description = "Weight of the soft-target term, in [0, 1]; CE gets 1 - A (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "4", description = "Softmax temperature, > 0 (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--at-layers", paramLabel = "S=T", split = ",",
            description = "Attention transfer between student layer S and teacher layer T (one path for both without '='), e.g. conv2=layer1.")
    List<String> atLayers;

    @Option(names = "--at-weight", paramLabel = "W", defaultValue = "1000", description = "Weight of each attention-transfer term (default: ${DEFAULT-VALUE}, as PAMS).")
    double atWeight;

    /** A parsed {@code --teacher}: the zoo entry and the weights file (null when only M was given). */
    record Teacher(ModelInfo info, Path weights) {
        /** The teacher with its weights (eval mode), or a fresh model when there are none; weights that do not fit are a usage error. */
        Module load(CommandLine cl) throws IOException {
            try {
                return weights == null ? info.create() : Models.load(info, weights);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(cl, "--teacher " + spec() + ": " + e.getMessage());
            }
        }

        String spec() {
            return info.name() + (weights == null ? "" : ":" + weights);
        }
    }

    /** A teacher checked against its student: the frozen model, its input mapping and the KD settings. */
    record Bound(Teacher teacher, Module model, KdConfig config, UnaryOperator<Tensor> input, String description) {
        /** The distillation loss of {@code student} with {@code hard} as the student's own term. */
        DistillationLoss around(Module student, LossFunction hard) {
            return DistillationLoss.of(student, model, config, hard, input);
        }
    }

    /**
     * The {@code --teacher} of a fine-tuning command, loaded and checked against {@code student}
     * (the float model, before any training) on {@code s}'s sample; null without {@code --teacher}.
     */
    Bound bind(CommandLine cl, CompressOptions.Setup s, Module student) throws IOException {
        if (!hasTeacher()) return null;
        Teacher t = teacher(cl, true);
        UnaryOperator<Tensor> input = teacherInput(cl, s.info(), t);   // other input shapes fail before the weights load
        KdConfig config = config(cl);
        Module m = t.load(cl);
        check(cl, student, s.info(), t, m, CompressOptions.sample(s));
        return new Bound(t, m, config, input, describe(t));
    }

    /** {@code hard} without a teacher, else the distillation loss of {@code student} around it. */
    static LossFunction loss(Bound teacher, Module student, LossFunction hard) {
        return teacher == null ? hard : teacher.around(student, hard);
    }

    /** Closes {@code loss} when it is a distillation loss (its hooks and remembered teacher logits). */
    static void close(LossFunction loss) {
        if (loss instanceof DistillationLoss d) d.close();
    }

    /** True when {@code --teacher} was given. */
    boolean hasTeacher() {
        return teacher != null;
    }

    /** Parses {@code --teacher}; {@code weightsRequired} makes {@code M} alone a usage error. */
    Teacher teacher(CommandLine cl, boolean weightsRequired) {
        if (teacher == null) throw new ParameterException(cl, "--teacher is required");
        int colon = teacher.indexOf(':');
        String name = colon < 0 ? teacher.trim() : teacher.substring(0, colon).trim();
        Path weights = colon < 0 ? null : Path.of(teacher.substring(colon + 1).trim());
        if (!dev.tersor.nn.zoo.Zoo.names().contains(name)) {
            throw new ParameterException(cl, "--teacher: unknown model '" + name + "'; available: " + String.join(", ", dev.tersor.nn.zoo.Zoo.names()));
        }
        if (weights == null && weightsRequired) throw new ParameterException(cl, "--teacher " + teacher + ": give the teacher's weights as M:W");
        if (weights != null) Models.existingFile(cl, "--teacher", weights);
        return new Teacher(dev.tersor.nn.zoo.Zoo.info(name), weights);
    }

    /** Checks --alpha and --temperature; a bad value is a usage error naming its flag. */
    void validate(CommandLine cl) {
        if (!(alpha >= 0 && alpha <= 1)) throw new ParameterException(cl, "--alpha must be in [0, 1], got " + alpha);
        OptionChecks.positive(cl, "--temperature", temperature);
        if (!(atWeight >= 0 && Double.isFinite(atWeight))) throw new ParameterException(cl, "--at-weight must be a finite number >= 0, got " + atWeight);
    }

    /** The KD settings the flags give. */
    KdConfig config(CommandLine cl) {
        validate(cl);
        List<LayerPair> pairs = new ArrayList<>();
        try {
            for (String spec : atLayers == null ? List.<String>of() : atLayers) pairs.add(LayerPair.parse(spec, LayerPair.Kind.ATTENTION, atWeight));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, "--at-layers: " + e.getMessage());
        }
        return new KdConfig(alpha, temperature, pairs);
    }

    /** {@code --at-layers} as given, for records. */
    String atLayersText() {
        return atLayers == null ? "" : String.join(",", atLayers);
    }

    /**
     * The distillation loss of {@code student} ({@code studentInfo}'s preprocessing) from the frozen
     * {@code teacherModel}, with {@code hard} as the student's own loss, after {@link #check} on
     * {@code sample}.
     */
    DistillationLoss loss(CommandLine cl, Module student, ModelInfo studentInfo, Teacher t, Module teacherModel, LossFunction hard,
                          Tensor sample) {
        check(cl, student, studentInfo, t, teacherModel, sample);
        return DistillationLoss.of(student, teacherModel, config(cl), hard, teacherInput(cl, studentInfo, t));
    }

    /** Checks the pair on {@code sample}: other input shapes, class counts or incomparable layer pairs are usage errors. */
    void check(CommandLine cl, Module student, ModelInfo studentInfo, Teacher t, Module teacherModel, Tensor sample) {
        try {
            DistillationLoss.check(student, teacherModel, config(cl), teacherInput(cl, studentInfo, t), sample);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, "--teacher " + t.info().name() + ": " + e.getMessage());
        }
    }

    /** Student inputs to teacher inputs (the two normalisations); other input shapes are a usage error. */
    UnaryOperator<Tensor> teacherInput(CommandLine cl, ModelInfo studentInfo, Teacher t) {
        ModelInfo ti = t.info();
        if (!Arrays.equals(ti.inputShape(), studentInfo.inputShape())) {
            throw new ParameterException(cl, "--teacher " + ti.name() + " takes " + Models.shape(ti.inputShape()) + " inputs, the student "
                    + studentInfo.name() + " " + Models.shape(studentInfo.inputShape()));
        }
        return InputMapping.renormalize(studentInfo.mean(), studentInfo.std(), ti.mean(), ti.std());
    }

    /** One line for recipes and records. */
    String describe(Teacher t) {
        return String.format(Locale.ROOT, "teacher=%s alpha=%s temperature=%s at_layers=%s at_weight=%s", t.spec(), alpha, temperature,
                atLayersText(), atWeight);
    }
}
