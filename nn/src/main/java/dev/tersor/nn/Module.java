package dev.tersor.nn;

import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A layer or model: ordered parameters, buffers and child modules, with PyTorch's state-dict
 * keys ({@code layer1.0.bn1.running_mean}). Subclasses register their state in the constructor
 * and implement {@link #forward}; callers use {@link #call}, which also runs hooks.
 * <pre>{@code
 * class TwoLayer extends Module {
 *     final Linear fc1 = register("fc1", new Linear(784, 128));
 *     final Linear fc2 = register("fc2", new Linear(128, 10));
 *     public Tensor forward(Tensor x) { return fc2.call(fc1.call(x).relu()); }
 * }
 * }</pre>
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Boolean> persistent = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final List<ForwardPreHook> preHooks = new ArrayList<>();
    private final List<ForwardHook> hooks = new ArrayList<>();
    private boolean training = true;
    /** The thread inside a training-mode {@link #call} of this module, or null. */
    private final java.util.concurrent.atomic.AtomicReference<Thread> trainingCaller = new java.util.concurrent.atomic.AtomicReference<>();

    /** Computes the output from the input. */
    public abstract Tensor forward(Tensor input);

    /**
     * Multiply-accumulates of one forward from {@code input} to {@code output} (shown by
     * {@link Summary}): 0 unless a layer overrides it. Binary and adder layers count the
     * operations that take a multiply-accumulate's place (an XNOR-popcount bit, an |x − w| term).
     */
    public long multiplyAccumulates(Tensor input, Tensor output) {
        return 0;
    }

    /** {@code output.numel()} times the fan-in of a weight [out, in/groups, ...]: a convolution's or a linear layer's MACs. */
    protected static long fanInProducts(Tensor output, Parameter weight) {
        return (long) output.numel() * (weight.numel() / weight.shape()[0]);
    }

    /**
     * Runs pre-hooks, {@link #forward} and post-hooks. A model in eval mode may be called from
     * many threads at once (its outputs are those of serial calls); in training mode a call from a
     * second thread while another is inside one throws {@link IllegalStateException}, since both
     * would change the same state (autograd graph, batch-norm statistics, optimizer targets).
     */
    public final Tensor call(Tensor input) {
        if (!training) return run(input);
        Thread me = Thread.currentThread(), other = trainingCaller.compareAndExchange(null, me);
        if (other != null && other != me) {
            throw new IllegalStateException(getClass().getSimpleName() + " is in training mode and already running on thread '" + other.getName()
                    + "': a model in training mode changes state on every call (the autograd graph, batch-norm statistics) and must not be"
                    + " shared between threads; give each thread its own model, or call eval() for inference");
        }
        try {
            return run(input);
        } finally {
            if (other == null) trainingCaller.set(null);
        }
    }

    private Tensor run(Tensor input) {
        Tensor in = input;
        for (ForwardPreHook h : List.copyOf(preHooks)) {
            Tensor replaced = h.beforeForward(this, in);
            if (replaced != null) in = replaced;
        }
        Tensor out = forward(in);
        for (ForwardHook h : List.copyOf(hooks)) {
            Tensor replaced = h.afterForward(this, in, out);
            if (replaced != null) out = replaced;
        }
        return out;
    }

    // ---- registration ----

    /** Registers a child module under {@code name} and returns it. */
    protected <M extends Module> M register(String name, M child) {
        checkName(name);
        children.put(name, child);
        return child;
    }

    /** Registers a trainable tensor under {@code name} and returns its parameter. */
    protected Parameter registerParameter(String name, Tensor initial) {
        checkName(name);
        Parameter p = new Parameter(initial);
        parameters.put(name, p);
        return p;
    }

    /** Registers a buffer (state that is saved but not trained, e.g. running statistics). */
    protected Tensor registerBuffer(String name, Tensor value, boolean persistentInStateDict) {
        checkName(name);
        buffers.put(name, value);
        persistent.put(name, persistentInStateDict);
        return value;
    }

    /** Replaces a buffer's tensor (e.g. after updating running statistics). */
    protected void setBuffer(String name, Tensor value) {
        if (!buffers.containsKey(name)) throw new IllegalArgumentException("no buffer named '" + name + "' in " + getClass().getSimpleName());
        buffers.put(name, value);
    }

    /** The buffer registered under {@code name}. */
    protected Tensor buffer(String name) {
        Tensor t = buffers.get(name);
        if (t == null && !buffers.containsKey(name)) throw new IllegalArgumentException("no buffer named '" + name + "'");
        return t;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("invalid name '" + name + "': must be non-empty without dots");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    // ---- traversal ----

    /** Direct children in registration order. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Every module in the tree with its dotted path ("" for this one), depth first. */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String prefix, Map<String, Module> out) {
        out.put(prefix, this);
        for (var e : children.entrySet()) e.getValue().collectModules(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), out);
    }

    /** Every parameter with its dotted name, in registration order. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (var m : namedModules().entrySet()) {
            String p = m.getKey().isEmpty() ? "" : m.getKey() + ".";
            for (var e : m.getValue().parameters.entrySet()) out.put(p + e.getKey(), e.getValue());
        }
        return out;
    }

    /** Every parameter of the tree. */
    public List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Every buffer with its dotted name. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var m : namedModules().entrySet()) {
            String p = m.getKey().isEmpty() ? "" : m.getKey() + ".";
            for (var e : m.getValue().buffers.entrySet()) if (e.getValue() != null) out.put(p + e.getKey(), e.getValue());
        }
        return out;
    }

    /** Total number of parameter elements. */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) n += p.numel();
        return n;
    }

    /** The module at a dotted path such as {@code "layer1.0.conv1"}. */
    public Module get(String path) {
        Module m = this;
        if (path.isEmpty()) return m;
        for (String part : path.split("\\.")) {
            Module next = m.children.get(part);
            if (next == null) {
                throw new IllegalArgumentException("no submodule '" + part + "' in '" + path + "'; children of "
                        + m.getClass().getSimpleName() + " are " + m.children.keySet());
            }
            m = next;
        }
        return m;
    }

    /** Replaces the submodule at a dotted path (compression swaps layers this way); returns the old one. */
    public Module replace(String path, Module replacement) {
        int dot = path.lastIndexOf('.');
        Module parent = dot < 0 ? this : get(path.substring(0, dot));
        String name = path.substring(dot + 1);
        if (!parent.children.containsKey(name)) {
            throw new IllegalArgumentException("no submodule at '" + path + "'; children are " + parent.children.keySet());
        }
        Module old = parent.children.put(name, replacement);
        parent.onChildReplaced(name, replacement);
        return old;
    }

    /**
     * The child registered under {@code name}. Forward methods that look children up here (rather
     * than keeping them in fields) see replacements made by {@link #replace}.
     */
    protected Module child(String name) {
        Module m = children.get(name);
        if (m == null) throw new IllegalArgumentException("no child '" + name + "' in " + getClass().getSimpleName());
        return m;
    }

    /** Called after {@link #replace} put a new child here, so a subclass can update its field. */
    protected void onChildReplaced(String name, Module replacement) {
    }

    // ---- modes ----

    /** Training mode (dropout active, batch statistics) for the whole tree; returns this. */
    public Module train() {
        return setTraining(true);
    }

    /** Evaluation mode (dropout off, running statistics) for the whole tree; returns this. */
    public Module eval() {
        return setTraining(false);
    }

    private Module setTraining(boolean on) {
        for (Module m : namedModules().values()) m.training = on;
        return this;
    }

    /** True in training mode. */
    public boolean isTraining() {
        return training;
    }

    /** Stops training every parameter of this tree. */
    public void freeze() {
        for (Parameter p : parameters()) p.setRequiresGrad(false);
    }

    /** Trains every parameter of this tree again. */
    public void unfreeze() {
        for (Parameter p : parameters()) p.setRequiresGrad(true);
    }

    /** Forgets every parameter's gradient. */
    public void zeroGrad() {
        for (Parameter p : parameters()) p.zeroGrad();
    }

    // ---- hooks ----

    /** Sees (and may replace) the input before forward. */
    @FunctionalInterface
    public interface ForwardPreHook {
        Tensor beforeForward(Module module, Tensor input);
    }

    /** Sees (and may replace) the output after forward. */
    @FunctionalInterface
    public interface ForwardHook {
        Tensor afterForward(Module module, Tensor input, Tensor output);
    }

    /** Removes a hook when closed. */
    public interface HookHandle extends AutoCloseable {
        @Override
        void close();
    }

    /** Adds a hook run before each forward; returning null keeps the input. */
    public HookHandle registerForwardPreHook(ForwardPreHook hook) {
        preHooks.add(hook);
        return () -> preHooks.remove(hook);
    }

    /** Adds a hook run after each forward; returning null keeps the output. */
    public HookHandle registerForwardHook(ForwardHook hook) {
        hooks.add(hook);
        return () -> hooks.remove(hook);
    }

    // ---- state dict ----

    /** Parameters and persistent buffers by dotted name, as PyTorch's {@code state_dict()}. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var m : namedModules().entrySet()) {
            String p = m.getKey().isEmpty() ? "" : m.getKey() + ".";
            Module mod = m.getValue();
            for (var e : mod.parameters.entrySet()) out.put(p + e.getKey(), e.getValue().value());
            for (var e : mod.buffers.entrySet()) {
                if (e.getValue() != null && mod.persistent.get(e.getKey())) out.put(p + e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** Keys that may be absent from a loaded state dict without complaint (PyTorch's num_batches_tracked). */
    protected boolean isOptionalStateKey(String localName) {
        return false;
    }

    /** Loads a state dict; with {@code strict}, any missing, unexpected or mis-shaped key fails (all listed at once). */
    public StateDictReport loadStateDict(Map<String, Tensor> state, boolean strict) {
        return loadStateDict(state, strict, UnaryOperator.identity());
    }

    /**
     * Loads a state dict whose keys pass through {@code remap} first (e.g. strip a
     * {@code "module."} prefix). Values are copied into the existing tensors. Nothing is changed
     * when strict loading fails.
     */
    public StateDictReport loadStateDict(Map<String, Tensor> state, boolean strict, UnaryOperator<String> remap) {
        Map<String, Tensor> incoming = new LinkedHashMap<>();
        for (var e : state.entrySet()) incoming.put(remap.apply(e.getKey()), e.getValue());
        List<String> missing = new ArrayList<>(), mismatched = new ArrayList<>();
        Map<String, Tensor> own = stateDict();
        Map<String, Module> modules = namedModules();
        for (var e : own.entrySet()) {
            Tensor src = incoming.get(e.getKey());
            if (src == null) {
                if (!optional(modules, e.getKey())) missing.add(e.getKey());
            } else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                mismatched.add(e.getKey() + ": checkpoint " + Arrays.toString(src.shape()) + ", model "
                        + Arrays.toString(e.getValue().shape()));
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String k : incoming.keySet()) if (!own.containsKey(k)) unexpected.add(k);
        StateDictReport report = new StateDictReport(missing, unexpected, mismatched);
        if (strict && !report.isClean()) throw new IllegalArgumentException("state dict does not match "
                + getClass().getSimpleName() + ":\n" + report);
        try (var g = Tensor.noGrad()) {
            for (var e : own.entrySet()) {
                Tensor src = incoming.get(e.getKey());
                if (src != null && Arrays.equals(src.shape(), e.getValue().shape())) e.getValue().copyInPlace(src);
            }
        }
        return report;
    }

    private static boolean optional(Map<String, Module> modules, String key) {
        int dot = key.lastIndexOf('.');
        Module owner = modules.get(dot < 0 ? "" : key.substring(0, dot));
        return owner != null && owner.isOptionalStateKey(key.substring(dot + 1));
    }

    // ---- files ----

    /**
     * Writes {@link #stateDict()} to a safetensors file (atomically; PyTorch's safetensors loader
     * reads it), with metadata {@code format=pt} and {@code tersor.model} (this class's simple name).
     */
    public void save(java.nio.file.Path path) throws java.io.IOException {
        save(path, Map.of());
    }

    /** The same with {@code metadata} added (e.g. {@code tersor.zoo}, the zoo name the weights are for). */
    public void save(java.nio.file.Path path, Map<String, String> metadata) throws java.io.IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("tersor.model", getClass().getSimpleName());
        meta.putAll(metadata);
        dev.tersor.nn.io.Safetensors.write(path, stateDict(), meta);
    }

    /** Loads a safetensors state dict (e.g. saved by {@link #save} or from a PyTorch state_dict). */
    public StateDictReport load(java.nio.file.Path path, boolean strict) throws java.io.IOException {
        Map<String, Tensor> state = dev.tersor.nn.io.Safetensors.readTensors(path);
        try {
            return loadStateDict(state, strict);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }

    // ---- printing ----

    /** Constructor arguments shown in {@link #toString()}, e.g. {@code in_features=784, out_features=10}. */
    protected String extraRepr() {
        return "";
    }

    /** A tree like PyTorch's module printing. */
    @Override
    public String toString() {
        String name = getClass().getSimpleName();
        if (children.isEmpty()) return name + "(" + extraRepr() + ")";
        StringBuilder sb = new StringBuilder(name).append("(");
        String extra = extraRepr();
        if (!extra.isEmpty()) sb.append("\n  ").append(extra);
        for (var e : children.entrySet()) {
            String child = e.getValue().toString().replace("\n", "\n  ");
            sb.append("\n  (").append(e.getKey()).append("): ").append(child);
        }
        return sb.append("\n)").toString();
    }
}
