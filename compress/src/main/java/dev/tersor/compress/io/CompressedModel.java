package dev.tersor.compress.io;

import dev.tersor.compress.prune.Pruning;
import dev.tersor.compress.prune.PruningPlan;
import dev.tersor.nn.Identity;
import dev.tersor.nn.Module;
import dev.tersor.nn.io.Safetensors;
import dev.tersor.nn.io.SafetensorsFile;
import dev.tersor.nn.io.SafetensorsFormatException;
import dev.tersor.nn.io.SafetensorsWriter;
import dev.tersor.nn.zoo.Zoo;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The compressed model file: a safetensors container (any safetensors reader opens it) holding
 * packed integer or codebook tensors for the compressed layers, float32 tensors for the rest, and
 * in {@code __metadata__} the architecture, each layer's scheme and the recipe that made it:
 *
 * <pre>
 * format = pt                              tersor.format = tersor-compressed-1
 * tersor.model = lenet5                    (the zoo architecture the file fills in)
 * tersor.recipe = ptq observer=histogram calib=2048 ...
 * tersor.layers = conv1,conv2,fc1,...      (paths of packed layers, in model order)
 * tersor.layer.conv1.kind = int8           (its codec) and the scheme: wbits, input, ...
 * tersor.identity = bn1,bn2                (modules folded away: batch norm after BN folding)
 * tersor.pruned = layer1.0.conv1=0-3,5;...  (structural pruning: the output channels each pruned layer kept)
 * conv1.weight_q  I8 [6, 1, 5, 5]  or U8 [bytes] for packed 2/4-bit weights
 * conv1.weight_scale F32 [6], conv1.bias F32 [6], fc3.weight F32 [10, 84] (a float layer), ...
 * </pre>
 *
 * The file's size is the true size: the data section is exactly the packed bits (rounded up to
 * whole bytes per tensor) plus the float tensors, after a header of a few kilobytes.
 * {@link #load} rebuilds the zoo architecture, removes the channels a {@link PruningPlan} records
 * (tracing the architecture's channel groups on a zero input), swaps in the packed layers (each codec checks
 * every stored shape against the architecture's layer before allocating) and loads the float
 * tensors strictly; a missing, unexpected or mis-shaped tensor or metadata entry is a
 * {@link SafetensorsFormatException} naming the file and what was wrong.
 *
 * <pre>{@code
 * CompressedModel.save(int8Model, "lenet5", "ptq observer=histogram", Path.of("lenet5-int8.safetensors"));
 * Module m = CompressedModel.load(Path.of("lenet5-int8.safetensors"));   // runnable, eval mode
 * }</pre>
 */
public final class CompressedModel {
    /** The value of {@code tersor.format} in every compressed file. */
    public static final String FORMAT = "tersor-compressed-1";
    static final String FORMAT_KEY = "tersor.format", MODEL_KEY = "tersor.model", RECIPE_KEY = "tersor.recipe",
            LAYERS_KEY = "tersor.layers", IDENTITY_KEY = "tersor.identity", LAYER_PREFIX = "tersor.layer.",
            PRUNED_KEY = "tersor.pruned";
    /** The most channels a pruning plan in a file may name per layer. */
    private static final int MAX_CHANNELS = 1 << 16;

    private CompressedModel() {
    }

    /** Whether an open safetensors file is a compressed model file. */
    public static boolean isCompressed(SafetensorsFile file) {
        return FORMAT.equals(file.metadata().get(FORMAT_KEY));
    }

    /** Whether the file at {@code path} is a compressed model file (reads and validates its header). */
    public static boolean isCompressed(Path path) throws IOException {
        try (SafetensorsFile f = Safetensors.read(path)) {
            return isCompressed(f);
        }
    }

    /**
     * Writes {@code model} (an instance of zoo architecture {@code architecture} whose layers may
     * have been replaced by {@link PackedLayer}s or by {@link Identity}) atomically.
     *
     * @param recipe one line saying how the model was made (stored as {@code tersor.recipe})
     */
    public static void save(Module model, String architecture, String recipe, Path file) throws IOException {
        save(model, architecture, PruningPlan.none(), recipe, file);
    }

    /**
     * Writes {@code model}, an instance of zoo architecture {@code architecture} pruned by
     * {@code plan} (and possibly with packed layers), atomically.
     */
    public static void save(Module model, String architecture, PruningPlan plan, String recipe, Path file) throws IOException {
        Module reference = Zoo.create(architecture);
        Pruning.apply(reference, plan, sample(architecture));
        Map<String, Module> refModules = reference.namedModules();
        SafetensorsWriter w = new SafetensorsWriter()
                .metadata("format", "pt")
                .metadata(FORMAT_KEY, FORMAT)
                .metadata(MODEL_KEY, architecture)
                .metadata(RECIPE_KEY, recipe == null ? "" : recipe);
        if (!plan.isEmpty()) w.metadata(PRUNED_KEY, plan.encode());
        List<String> packed = new ArrayList<>(), identity = new ArrayList<>();
        Set<String> skip = new HashSet<>();
        for (var e : model.namedModules().entrySet()) {
            String path = e.getKey();
            if (underAny(path, skip)) continue;
            Module m = e.getValue();
            if (!refModules.containsKey(path)) {
                throw new IllegalArgumentException("save: the model has a module at '" + path + "' that architecture "
                        + architecture + " does not have");
            }
            if (m instanceof PackedLayer p) {
                if (path.isEmpty()) throw new IllegalArgumentException("save: the whole model is a single packed layer");
                packed.add(path);
                skip.add(path);
                w.metadata(LAYER_PREFIX + path + ".kind", p.kind());
                p.scheme().forEach((k, v) -> w.metadata(LAYER_PREFIX + path + "." + k, v));
                p.writeTensors(path + ".", w);
            } else if (m instanceof Identity && !(refModules.get(path) instanceof Identity)) {
                identity.add(path);
                skip.add(path);
            } else if (m.getClass() != refModules.get(path).getClass()) {
                throw new IllegalArgumentException("save: '" + path + "' is a " + m.getClass().getSimpleName() + " but architecture "
                        + architecture + " has a " + refModules.get(path).getClass().getSimpleName() + " there");
            }
        }
        Map<String, Module> own = model.namedModules();
        for (String path : refModules.keySet()) {
            if (!path.isEmpty() && !underAny(path, skip) && !skip.contains(path) && !own.containsKey(path)) {
                throw new IllegalArgumentException("save: architecture " + architecture + " has a module at '" + path
                        + "' that the model does not have");
            }
        }
        Map<String, Tensor> refState = reference.stateDict();
        for (var e : model.stateDict().entrySet()) {
            Tensor r = refState.get(e.getKey());
            if (r != null && !java.util.Arrays.equals(r.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("save: " + e.getKey() + " is " + java.util.Arrays.toString(e.getValue().shape())
                        + " but architecture " + architecture + (plan.isEmpty() ? "" : " pruned by the plan") + " has "
                        + java.util.Arrays.toString(r.shape()));
            }
        }
        w.metadata(LAYERS_KEY, String.join(",", packed));
        w.metadata(IDENTITY_KEY, String.join(",", identity));
        for (var e : model.stateDict().entrySet()) w.add(e.getKey(), e.getValue());
        w.write(file);
    }

    /** Reads a compressed model file into a runnable model in eval mode. */
    public static Module load(Path path) throws IOException {
        try (SafetensorsFile f = Safetensors.read(path)) {
            return load(f);
        }
    }

    /** Rebuilds the model from an open compressed file (see {@link #load(Path)}). */
    public static Module load(SafetensorsFile f) {
        Map<String, String> meta = f.metadata();
        if (!isCompressed(f)) {
            throw new SafetensorsFormatException(f.source(), -1, "not a compressed model file: " + FORMAT_KEY + " is "
                    + (meta.containsKey(FORMAT_KEY) ? "\"" + meta.get(FORMAT_KEY) + "\"" : "absent") + ", expected " + FORMAT);
        }
        String architecture = required(f, MODEL_KEY);
        if (!Zoo.names().contains(architecture)) {
            throw new SafetensorsFormatException(f.source(), -1, MODEL_KEY + " names unknown architecture \"" + architecture
                    + "\"; known: " + String.join(", ", Zoo.names()));
        }
        Module model = Zoo.create(architecture);
        PruningPlan plan = plan(f);
        try {
            Pruning.apply(model, plan, sample(architecture));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new SafetensorsFormatException(f.source(), -1, PRUNED_KEY + " does not fit " + architecture + ": " + e.getMessage());
        }
        Map<String, Module> modules = model.namedModules();
        Set<String> used = new HashSet<>();
        for (String p : list(f, IDENTITY_KEY)) {
            module(f, modules, p, IDENTITY_KEY);
            model.replace(p, new Identity());
        }
        Map<String, LayerCodec> codecs = codecs();
        for (String p : list(f, LAYERS_KEY)) {
            Module original = module(f, modules, p, LAYERS_KEY);
            String kind = required(f, LAYER_PREFIX + p + ".kind");
            LayerCodec codec = codecs.get(kind);
            if (codec == null) {
                throw new SafetensorsFormatException(f.source(), -1, "layer '" + p + "' has unknown kind \"" + kind
                        + "\"; this build reads " + String.join(", ", codecs.keySet()));
            }
            model.replace(p, codec.read(p, original, scheme(meta, p), new Tensors(f, p, used)));
        }
        Map<String, Tensor> rest = new LinkedHashMap<>();
        for (String name : f.names()) if (!used.contains(name)) rest.put(name, f.tensor(name));
        try {
            model.loadStateDict(rest, true);
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(f.source(), -1, "the float tensors do not fit " + architecture
                    + " with its packed layers: " + e.getMessage());
        }
        model.eval();
        return model;
    }

    /** The structural pruning a compressed file records (empty when none). */
    public static PruningPlan plan(SafetensorsFile f) {
        String text = f.metadata().getOrDefault(PRUNED_KEY, "");
        try {
            return PruningPlan.parse(text, MAX_CHANNELS);
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(f.source(), -1, PRUNED_KEY + ": " + e.getMessage());
        }
    }

    /**
     * A zero input of one sample for {@code architecture}, for tracing its channels; fully
     * convolutional (non-classifier) models get a 12×12 one, which traces the same channels faster.
     */
    static Tensor sample(String architecture) {
        dev.tersor.nn.zoo.ModelInfo info = Zoo.info(architecture);
        int[] one = info.inputShape();
        int[] s = new int[one.length + 1];
        s[0] = 1;
        System.arraycopy(one, 0, s, 1, one.length);
        if (!info.isClassifier() && s.length == 4) s[2] = s[3] = Math.min(12, s[2]);
        return Tensor.zeros(s);
    }

    /** The architecture (zoo name) a compressed file fills in. */
    public static String architecture(SafetensorsFile f) {
        return required(f, MODEL_KEY);
    }

    private static boolean underAny(String path, Set<String> roots) {
        for (String r : roots) if (path.startsWith(r + ".")) return true;
        return false;
    }

    private static String required(SafetensorsFile f, String key) {
        String v = f.metadata().get(key);
        if (v == null || v.isEmpty()) throw new SafetensorsFormatException(f.source(), -1, "metadata entry " + key + " is missing");
        return v;
    }

    private static List<String> list(SafetensorsFile f, String key) {
        String v = f.metadata().getOrDefault(key, "");
        List<String> out = new ArrayList<>();
        if (v.isEmpty()) return out;
        for (String p : v.split(",", -1)) {
            if (p.isEmpty() || out.contains(p)) {
                throw new SafetensorsFormatException(f.source(), -1, "metadata " + key + " has an empty or repeated path: \"" + v + "\"");
            }
            out.add(p);
        }
        return out;
    }

    private static Module module(SafetensorsFile f, Map<String, Module> modules, String path, String key) {
        Module m = modules.get(path);
        if (m == null || path.isEmpty()) {
            throw new SafetensorsFormatException(f.source(), -1, key + " names '" + path + "', which the architecture "
                    + f.metadata().get(MODEL_KEY) + " does not have");
        }
        return m;
    }

    private static Map<String, String> scheme(Map<String, String> meta, String path) {
        String prefix = LAYER_PREFIX + path + ".";
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : meta.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                String k = e.getKey().substring(prefix.length());
                if (!k.equals("kind")) out.put(k, e.getValue());
            }
        }
        return out;
    }

    /** The codecs on the class path (META-INF/services/dev.tersor.compress.io.LayerCodec), by kind. */
    static Map<String, LayerCodec> codecs() {
        Map<String, LayerCodec> out = new LinkedHashMap<>();
        for (LayerCodec c : ServiceLoader.load(LayerCodec.class, CompressedModel.class.getClassLoader())) out.put(c.kind(), c);
        return out;
    }

    private record Tensors(SafetensorsFile file, String path, Set<String> used) implements LayerCodec.LayerTensors {
        @Override
        public String require(String name) {
            String full = path + "." + name;
            if (!file.contains(full)) throw error("tensor " + full + " is missing");
            used.add(full);
            return full;
        }

        @Override
        public boolean has(String name) {
            return file.contains(path + "." + name);
        }

        @Override
        public RuntimeException error(String problem) {
            return new SafetensorsFormatException(file.source(), -1, "layer '" + path + "': " + problem);
        }
    }
}
