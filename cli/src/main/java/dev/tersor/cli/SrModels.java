package dev.tersor.cli;

import dev.tersor.compress.io.CompressedModel;
import dev.tersor.nn.Module;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.sr.MetaUpscale;
import dev.tersor.nn.zoo.Drn;
import dev.tersor.nn.zoo.Edsr;
import dev.tersor.nn.zoo.EdsrAdder;
import dev.tersor.nn.zoo.EdsrGhost;
import dev.tersor.nn.zoo.MetaEdsr;
import dev.tersor.nn.zoo.ModelInfo;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The zoo's super-resolution models by scale, for {@code train --task sr}, {@code eval --task sr}
 * and {@code upscale}: which scales each one can be built for ({@code edsr}, {@code edsr-ghost},
 * {@code edsr-adder} and {@code edsr-tiny}: 2, 3 and 4, their ×2 zoo entry rebuilt with another
 * upsampler; {@code meta-edsr}: 2, 3 and 4 for training, the same weights at each, and any scale
 * in (1, 4] for {@code eval} and {@code upscale} ({@link #resolveAnyScale}); {@code drn-s}: 4 and 8; {@code edsr-x3},
 * {@code edsr-x4}: their own), and weights files that record their scale:
 * metadata {@code tersor.zoo} and {@code tersor.scale} in weights, {@code run.model} and
 * {@code run.scale} in training checkpoints.
 */
final class SrModels {
    /** Metadata: the scale a weights file (or, as {@code run.scale}, a checkpoint) is for. */
    static final String SCALE_KEY = "tersor.scale", RUN_SCALE_KEY = "run.scale";
    private static final Map<String, IntFunction<Module>> BY_SCALE = new LinkedHashMap<>();
    private static final Map<String, Integer> FIXED = Map.of("edsr-x3", 3, "edsr-x4", 4);
    private static final Map<String, List<Integer>> SCALES = Map.of("drn-s", List.of(4, 8));
    /** Models whose weights serve every scale (Meta-SR): a recorded scale is only the default. */
    private static final java.util.Set<String> ANY_SCALE = java.util.Set.of("meta-edsr");

    static {
        BY_SCALE.put("edsr", Edsr::new);
        BY_SCALE.put("edsr-tiny", s -> new Edsr(s, 4, 16, 1f, 255f));   // the zoo's edsr-tiny, at scale s
        BY_SCALE.put("edsr-ghost", EdsrGhost::new);
        BY_SCALE.put("edsr-adder", EdsrAdder::new);
        BY_SCALE.put("meta-edsr", MetaEdsr::new);
        BY_SCALE.put("drn-s", Drn::small);
    }

    private SrModels() {
    }

    /** The SR zoo entry for {@code --model}; a classifier or an unknown name is a usage error. */
    static ModelInfo info(CommandLine cl, String name, Path weights) {
        ModelInfo info = Models.info(cl, name, weights);
        if (info.isClassifier()) {
            throw new ParameterException(cl, "--model " + info.name() + " is a classifier, not a super-resolution model; SR models: "
                    + String.join(", ", names()));
        }
        return info;
    }

    /** Every SR model name. */
    static List<String> names() {
        List<String> n = new java.util.ArrayList<>(BY_SCALE.keySet());
        n.addAll(List.of("edsr-x3", "edsr-x4"));
        return n;
    }

    /** The scales {@code info} can be built for. */
    static List<Integer> scales(ModelInfo info) {
        if (FIXED.containsKey(info.name())) return List.of(FIXED.get(info.name()));
        if (SCALES.containsKey(info.name())) return SCALES.get(info.name());
        if (BY_SCALE.containsKey(info.name())) return List.of(2, 3, 4);
        return List.of(2);   // an SR zoo entry this class does not know: its own (x2) model only
    }

    /** The scale used when neither {@code --scale} nor the weights say: the zoo entry's. */
    static int defaultScale(ModelInfo info) {
        List<Integer> ok = scales(info);
        return ok.size() == 1 || !ok.contains(2) ? ok.get(0) : 2;
    }

    /** Fails, listing the supported scales, unless {@code info} can be built for {@code scale}. */
    static void requireScale(CommandLine cl, ModelInfo info, int scale) {
        if (!scales(info).contains(scale)) throw unsupported(cl, info, Integer.toString(scale));
    }

    /** {@code --scale S: M supports x2, x3, x4} (with a hint for the fixed-scale models). */
    private static ParameterException unsupported(CommandLine cl, ModelInfo info, String scale) {
        List<Integer> ok = scales(info);
        String list = ok.stream().map(s -> "x" + s).collect(Collectors.joining(", "));
        String hint = FIXED.containsKey(info.name()) ? " (edsr builds x2, x3 and x4)" : "";
        return new ParameterException(cl, "--scale " + scale + ": " + info.name() + " supports " + (ok.size() == 1 ? "only " : "") + list + hint);
    }

    /**
     * The scale of {@code eval --task sr} and {@code upscale}, from {@code --scale} as written
     * (null: left out): an integer as {@link #resolveScale}; for a model whose weights serve every
     * scale (meta-edsr) any number in (1, 4], else refused naming that range; a non-integer for
     * any other model is refused listing the scales it supports.
     */
    static SrScale resolveAnyScale(CommandLine cl, ModelInfo info, String text, Path weights) throws IOException {
        SrScale s = SrScale.parse(cl, text);
        boolean any = ANY_SCALE.contains(info.name());
        if (s != null && any && !(s.value() > 1 && s.value() <= MetaUpscale.MAX_SCALE)) {
            throw new ParameterException(cl, "--scale " + s.text() + ": " + info.name() + " takes any scale in (1, " + (int) MetaUpscale.MAX_SCALE + "]");
        }
        if (s == null || s.isInteger()) return SrScale.of(resolveScale(cl, info, s == null ? null : s.intValue(), weights));
        if (!any) throw unsupported(cl, info, s.text());
        return s;
    }

    /**
     * {@code info}'s model for the non-integer {@code scale} with the weights of {@code weights}
     * (as {@link #load}, the model built at its default scale: meta-edsr's weights do not depend
     * on it), set to {@code scale}.
     */
    static MetaEdsr loadAnyScale(CommandLine cl, ModelInfo info, SrScale scale, Path weights) throws IOException {
        Module m = load(cl, info, defaultScale(info), weights);
        if (!(m instanceof MetaEdsr meta)) {
            throw new IllegalArgumentException(weights + " holds a " + m.getClass().getSimpleName() + ", which cannot upscale by a non-integer x" + scale.text());
        }
        meta.setScale(scale.value());
        return meta;
    }

    /** A fresh {@code info} model for {@code scale} (checked first). */
    static Module create(CommandLine cl, ModelInfo info, int scale) {
        requireScale(cl, info, scale);
        IntFunction<Module> f = BY_SCALE.get(info.name());
        return f != null ? f.apply(scale) : info.create();
    }

    /** The scale {@code weights} records ({@code tersor.scale}, or a checkpoint's {@code run.scale}), or null. */
    static Integer storedScale(Path weights) throws IOException {
        try (SafetensorsFile f = Safetensors.read(weights)) {
            Map<String, String> m = f.metadata();
            String v = m.containsKey(SCALE_KEY) ? m.get(SCALE_KEY) : m.containsKey("epoch") ? m.get(RUN_SCALE_KEY) : null;
            if (v == null) return null;
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(weights + ": bad scale '" + v + "' in its metadata");
            }
        }
    }

    /**
     * The scale to use: {@code --scale} if given (it must agree with the weights' recorded one,
     * except for meta-edsr, whose weights serve every scale),
     * else the recorded one, else the model's default; then checked against the model.
     */
    static int resolveScale(CommandLine cl, ModelInfo info, Integer scale, Path weights) throws IOException {
        Integer stored = weights == null ? null : storedScale(weights);
        if (scale != null && stored != null && !scale.equals(stored) && !ANY_SCALE.contains(info.name())) {
            throw new ParameterException(cl, "--scale " + scale + ": " + weights + " holds x" + stored + " weights (its metadata says so)");
        }
        int s = scale != null ? scale : stored != null ? stored : defaultScale(info);
        requireScale(cl, info, s);
        return s;
    }

    /**
     * A fresh {@code info} model for {@code scale} with the weights of {@code weights} (a weights
     * file, or a training checkpoint's {@code model.*} tensors), strictly: every mismatched key is
     * listed. In eval mode.
     */
    static Module load(CommandLine cl, ModelInfo info, int scale, Path weights) throws IOException {
        Module model = create(cl, info, scale);
        Map<String, Tensor> state = new LinkedHashMap<>();
        try (SafetensorsFile f = Safetensors.read(weights)) {
            if (CompressedModel.isCompressed(f)) return compressed(cl, info, scale, f, weights);
            boolean checkpoint = f.metadata().containsKey("epoch") && f.names().stream().anyMatch(n -> n.startsWith("model."));
            for (String name : f.names()) {
                if (!checkpoint) state.put(name, f.tensor(name));
                else if (name.startsWith("model.")) state.put(name.substring("model.".length()), f.tensor(name));
            }
        }
        try {
            model.loadStateDict(state, true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(weights + " does not hold x" + scale + " " + info.name() + " weights: " + e.getMessage(), e);
        }
        model.eval();
        return model;
    }

    /** A compressed file's model ({@code compress qat --task sr}): its architecture must be {@code info} and build {@code scale}. */
    private static Module compressed(CommandLine cl, ModelInfo info, int scale, SafetensorsFile f, Path weights) {
        String arch = CompressedModel.architecture(f);
        if (!arch.equals(info.name())) throw new IllegalArgumentException(weights + " holds a compressed " + arch + " model, not " + info.name());
        if (scale != defaultScale(info)) {
            throw new ParameterException(cl, "--scale " + scale + ": " + weights + " is a compressed " + arch + " model, which is x" + defaultScale(info));
        }
        return CompressedModel.load(f);
    }

    /**
     * The zoo name whose model is {@code info}'s at {@code scale}, as a compressed file records it
     * ({@code edsr} at x3 is {@code edsr-x3}); a scale the zoo entry does not build is a usage error.
     */
    static String architecture(CommandLine cl, ModelInfo info, int scale) {
        if (info.name().equals("edsr") && scale != 2) return "edsr-x" + scale;
        if (scale != defaultScale(info)) {
            throw new ParameterException(cl, "--scale " + scale + ": a compressed " + info.name() + " file holds the zoo's x" + defaultScale(info)
                    + " model only");
        }
        return info.name();
    }

    /** Saves {@code model}'s weights to {@code path} with its zoo name and scale. */
    static void save(ModelInfo info, int scale, Module model, Path path) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(Models.ZOO_KEY, info.name());
        meta.put(SCALE_KEY, Integer.toString(scale));
        model.save(path, meta);
    }

    /** Whether {@code --task} (null: classify) asks for super-resolution; anything but classify or sr is a usage error. */
    static boolean isSrTask(CommandLine cl, String task) {
        String t = task == null ? "classify" : task.trim().toLowerCase(java.util.Locale.ROOT);
        if (!t.equals("sr") && !t.equals("classify")) throw new picocli.CommandLine.ParameterException(cl, "--task must be classify or sr, got '" + task + "'");
        return t.equals("sr");
    }
}
