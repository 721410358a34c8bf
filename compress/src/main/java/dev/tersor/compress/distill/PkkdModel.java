package dev.tersor.compress.distill;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.adder.AdderConv2d;
import dev.tersor.nn.adder.AdderLinear;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An adder student and a CNN teacher of the same architecture trained together, PKKD's
 * progressive scheme (Xu et al., NeurIPS 2020, §3.2): the teacher starts from scratch (or any
 * weights) and learns from the labels at every step while the student learns from the labels and
 * from the teacher at that same stage of training, so the gap between them stays small. One
 * optimizer over {@link #parameters()} trains both and the linear maps g that PKKD puts after the
 * teacher's kernel features (one 1×1 convolution or square linear layer per paired layer,
 * starting as the identity, children {@code transforms.<layer>}).
 * <p>{@link #forward} returns the student's logits; in training mode it also runs the teacher on
 * the same batch (with gradient) for {@link PkkdLoss}. In eval mode only the student runs, so
 * evaluating this model evaluates the student. State-dict keys: {@code student.*},
 * {@code teacher.*}, {@code transforms.*}.
 */
public final class PkkdModel extends Module {
    private final List<String> layers;
    private final Map<String, FeatureTap> studentTaps = new LinkedHashMap<>();
    private final Map<String, FeatureTap> teacherTaps = new LinkedHashMap<>();
    private Tensor teacherLogits;

    /** Holds the maps g by layer (dots in paths become '_'). */
    private static final class Transforms extends Module {
        void add(String name, Module m) {
            register(name, m);
        }

        @Override
        public Tensor forward(Tensor input) {
            throw new UnsupportedOperationException("PKKD transforms are applied one by one");
        }
    }

    /**
     * Pairs {@code layers} (paths present in both): each must be an {@link AdderConv2d} or
     * {@link AdderLinear} in the student and a {@link Conv2d} (groups 1) or {@link Linear} with
     * as many outputs in the teacher.
     */
    public PkkdModel(Module student, Module teacher, List<String> layers) {
        if (layers.isEmpty()) throw new IllegalArgumentException("PKKD needs at least one adder layer to pair; the student has none");
        this.layers = List.copyOf(layers);
        register("student", student);
        register("teacher", teacher);
        Transforms transforms = register("transforms", new Transforms());
        for (String path : layers) {
            Module s = layer(student, path, "student"), t = layer(teacher, path, "teacher");
            int outputs;
            if (s instanceof AdderConv2d a && t instanceof Conv2d c && c.options().groups() == 1) {
                if (a.outChannels() != c.outChannels()) throw mismatch(path, a.outChannels(), c.outChannels());
                outputs = c.outChannels();
                Conv2d g = new Conv2d(outputs, outputs, 1, 1, 0, false);
                g.weight().set(Tensor.eye(outputs).reshape(outputs, outputs, 1, 1));
                transforms.add(key(path), g);
            } else if (s instanceof AdderLinear a && t instanceof Linear l) {
                outputs = l.weight().shape()[0];
                if (a.weight().shape()[0] != outputs) throw mismatch(path, a.weight().shape()[0], outputs);
                Linear g = new Linear(outputs, outputs, false);
                g.weight().set(Tensor.eye(outputs));
                transforms.add(key(path), g);
            } else {
                throw new IllegalArgumentException("PKKD layer " + path + ": the student's " + s.getClass().getSimpleName() + " and the teacher's "
                        + t.getClass().getSimpleName() + " are not an adder layer and the convolution (groups 1) or linear layer it replaces");
            }
            studentTaps.put(path, new FeatureTap(student, path));
            teacherTaps.put(path, new FeatureTap(teacher, path));
        }
    }

    /** The paths of every {@link AdderConv2d} and {@link AdderLinear} in {@code student}, in order. */
    public static List<String> adderLayers(Module student) {
        List<String> out = new ArrayList<>();
        student.namedModules().forEach((path, m) -> {
            if (m instanceof AdderConv2d || m instanceof AdderLinear) out.add(path);
        });
        return out;
    }

    /**
     * Runs both models on {@code sample} (eval mode, no gradient; modes restored) and fails when
     * their logits or a paired layer's outputs differ in shape.
     */
    public void check(Tensor sample) {
        boolean was = isTraining();
        eval();
        try (var g = Tensor.noGrad()) {
            Tensor zs = student().call(sample), zt = teacher().call(sample);
            if (zs.dim() != 2 || !Arrays.equals(zs.shape(), zt.shape())) {
                throw new IllegalArgumentException("the teacher's outputs " + Arrays.toString(zt.shape()) + " do not match the student's "
                        + Arrays.toString(zs.shape()) + ": PKKD needs logits [N, C] with the same class count C");
            }
            for (String path : layers) {
                int[] s = studentTaps.get(path).output("student layer " + path).shape(), t = teacherTaps.get(path).output("teacher layer " + path).shape();
                if (!Arrays.equals(s, t)) {
                    throw new IllegalArgumentException("PKKD layer " + path + ": the student's output " + Arrays.toString(s) + " and the teacher's "
                            + Arrays.toString(t) + " differ; PKKD compares layers of the same architecture");
                }
            }
        } finally {
            clear();
            if (was) train();
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor out = student().call(x);
        teacherLogits = isTraining() ? teacher().call(x) : null;
        return out;
    }

    public Module student() {
        return child("student");
    }

    public Module teacher() {
        return child("teacher");
    }

    /** The paired layer paths. */
    public List<String> layers() {
        return layers;
    }

    /** The map g of {@code layer}. */
    Module transform(String layer) {
        return child("transforms").get(key(layer));
    }

    /** The teacher's logits of the last training-mode forward. */
    Tensor teacherLogits() {
        if (teacherLogits == null) throw new IllegalStateException("PkkdModel: no training-mode forward ran before the loss");
        return teacherLogits;
    }

    FeatureTap studentTap(String layer) {
        return studentTaps.get(layer);
    }

    FeatureTap teacherTap(String layer) {
        return teacherTaps.get(layer);
    }

    /** Forgets the last forward's features and logits. */
    void clear() {
        teacherLogits = null;
        for (FeatureTap t : studentTaps.values()) t.clear();
        for (FeatureTap t : teacherTaps.values()) t.clear();
    }

    private static String key(String path) {
        return path.replace('.', '_');
    }

    private static Module layer(Module root, String path, String who) {
        try {
            return root.get(path);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PKKD layer " + path + ": not in the " + who + " (" + e.getMessage() + ")", e);
        }
    }

    private static IllegalArgumentException mismatch(String path, int s, int t) {
        return new IllegalArgumentException("PKKD layer " + path + ": the student has " + s + " outputs, the teacher " + t);
    }
}
