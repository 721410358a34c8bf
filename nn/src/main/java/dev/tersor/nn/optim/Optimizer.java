package dev.tersor.nn.optim;

import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Updates parameters from their gradients, group by group, keeping per-parameter state
 * between steps (PyTorch's {@code torch.optim.Optimizer}).
 * <pre>{@code
 * var opt = new Adam(model.parameters(), Adam.options().lr(1e-3).build());
 * for (var batch : loader) {
 *     opt.zeroGrad();
 *     loss(model, batch).backward();
 *     opt.step();
 * }
 * }</pre>
 * A parameter is skipped by {@link #step()} when it has no gradient or is frozen. Parameters
 * are numbered across groups in order; {@link #stateDict()} uses these numbers (see
 * {@link OptimizerState} for the layout).
 *
 * @param <O> the options record of one group
 */
public abstract class Optimizer<O extends OptimizerOptions<O>> {
    private final List<ParamGroup<O>> groups = new ArrayList<>();
    private final List<ParamState> states = new ArrayList<>();
    private final Map<Parameter, Boolean> seen = new IdentityHashMap<>();

    /** An optimizer over {@code groups} (at least one parameter in all; none may repeat). */
    protected Optimizer(List<ParamGroup<O>> groups) {
        if (groups.isEmpty()) throw new IllegalArgumentException(name() + ": no parameter groups");
        for (ParamGroup<O> g : groups) addParamGroup(g);
        if (states.isEmpty()) throw new IllegalArgumentException(name() + ": got an empty parameter list");
    }

    /** The groups, in order (read-only list; each group's options may be changed). */
    public final List<ParamGroup<O>> groups() {
        return Collections.unmodifiableList(groups);
    }

    /** Adds a group (e.g. layers unfrozen during fine-tuning); its parameters must be new to this optimizer. */
    public final void addParamGroup(ParamGroup<O> group) {
        List<Integer> dup = new ArrayList<>();
        Map<Parameter, Boolean> inGroup = new IdentityHashMap<>();
        for (int i = 0; i < group.params().size(); i++) {
            Parameter p = group.params().get(i);
            if (seen.containsKey(p) || inGroup.put(p, Boolean.TRUE) != null) dup.add(i);
        }
        if (!dup.isEmpty()) {
            throw new IllegalArgumentException(name() + ": parameters at positions " + dup + " of the new group"
                    + " already belong to this optimizer (a parameter may appear in only one group, once)");
        }
        for (Parameter p : group.params()) {
            seen.put(p, Boolean.TRUE);
            states.add(new ParamState());
        }
        groups.add(group);
    }

    /** The class name, as written under {@code optimizer} in the state dict. */
    public String name() {
        return getClass().getSimpleName();
    }

    /** Takes one step for every trainable parameter that has a gradient (in a no-grad scope). */
    public final void step() {
        try (var scope = Tensor.noGrad()) {
            int index = 0;
            for (ParamGroup<O> g : groups) {
                O options = g.options();
                for (Parameter p : g.params()) {
                    ParamState s = states.get(index++);
                    Tensor grad = p.grad();
                    if (grad == null || !p.requiresGrad()) continue;
                    update(p.value(), grad, s, options);
                }
            }
        }
    }

    /**
     * Updates {@code param} in place from {@code grad}, reading and updating {@code state}. Runs
     * inside a no-grad scope; must not change {@code grad}.
     */
    protected abstract void update(Tensor param, Tensor grad, ParamState state, O options);

    /** The buffer names this optimizer may keep per parameter (checked when loading). */
    protected abstract Set<String> bufferNames();

    /** Options rebuilt from {@link OptimizerOptions#toMap()} output (validated). */
    protected abstract O parseOptions(Map<String, String> values);

    /** Forgets every parameter's gradient (sets it to none). */
    public void zeroGrad() {
        for (ParamGroup<O> g : groups) for (Parameter p : g.params()) p.zeroGrad();
    }

    /** The state of parameter number {@code index} (across groups, in order). */
    public final ParamState state(int index) {
        return states.get(index);
    }

    /** Number of parameters in all groups. */
    public final int parameterCount() {
        return states.size();
    }

    // ---- saving and loading ----

    /** The hyperparameters, group layout, step counts and copies of the buffers. */
    public OptimizerState stateDict() {
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        meta.put("optimizer", name());
        meta.put("param_groups", Integer.toString(groups.size()));
        int index = 0;
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup<O> g = groups.get(gi);
            StringJoiner ids = new StringJoiner(",");
            for (int k = 0; k < g.params().size(); k++) ids.add(Integer.toString(index + k));
            index += g.params().size();
            meta.put("param_groups." + gi + ".params", ids.toString());
            for (var e : g.options().toMap().entrySet()) meta.put("param_groups." + gi + "." + e.getKey(), e.getValue());
        }
        try (var scope = Tensor.noGrad()) {
            for (int i = 0; i < states.size(); i++) {
                ParamState s = states.get(i);
                if (s.isEmpty()) continue;
                meta.put("state." + i + ".step", Long.toString(s.step()));
                for (var e : s.buffers().entrySet()) tensors.put("state." + i + "." + e.getKey(), e.getValue().copy());
            }
        }
        return new OptimizerState(tensors, meta);
    }

    /**
     * Restores a state saved by {@link #stateDict()} of the same optimizer class over the same
     * group layout: hyperparameters (lr included), step counts and buffers (copied). Every
     * problem is reported at once, and nothing is changed when there is one.
     */
    public void loadStateDict(OptimizerState state) {
        List<String> problems = new ArrayList<>();
        Map<String, String> meta = state.metadata();
        String kind = meta.get("optimizer");
        if (!name().equals(kind)) problems.add("optimizer is '" + kind + "', expected '" + name() + "'");
        String groupCount = meta.get("param_groups");
        if (!Integer.toString(groups.size()).equals(groupCount)) {
            problems.add("param_groups is '" + groupCount + "', this optimizer has " + groups.size() + " groups");
        }
        // per-group options
        List<O> options = new ArrayList<>();
        int index = 0;
        for (int gi = 0; gi < groups.size(); gi++) {
            String prefix = "param_groups." + gi + ".";
            int size = groups.get(gi).params().size();
            StringJoiner ids = new StringJoiner(",");
            for (int k = 0; k < size; k++) ids.add(Integer.toString(index + k));
            index += size;
            String saved = meta.get(prefix + "params");
            if (!ids.toString().equals(saved)) {
                problems.add(prefix + "params is '" + saved + "', expected '" + ids + "' (" + size + " parameters)");
            }
            Map<String, String> values = new LinkedHashMap<>();
            meta.forEach((k, v) -> {
                if (k.startsWith(prefix) && !k.equals(prefix + "params")) values.put(k.substring(prefix.length()), v);
            });
            try {
                options.add(parseOptions(values));
            } catch (IllegalArgumentException e) {
                problems.add("param_groups." + gi + ": " + e.getMessage());
            }
        }
        // per-parameter state
        List<Parameter> params = new ArrayList<>();
        for (ParamGroup<O> g : groups) params.addAll(g.params());
        long[] steps = new long[params.size()];
        boolean[] present = new boolean[params.size()];
        List<Map<String, Tensor>> buffers = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) buffers.add(new LinkedHashMap<>());
        for (var e : meta.entrySet()) {
            String k = e.getKey();
            if (k.equals("optimizer") || k.equals("param_groups") || k.startsWith("param_groups.")) continue;
            int i = stateIndex(k, ".step", params.size());
            if (i < 0) {
                problems.add("unexpected metadata key '" + k + "'");
                continue;
            }
            try {
                steps[i] = Long.parseLong(e.getValue());
                if (steps[i] < 0) problems.add(k + " is negative: " + steps[i]);
                present[i] = true;
            } catch (NumberFormatException ex) {
                problems.add(k + " is not an integer: '" + e.getValue() + "'");
            }
        }
        for (var e : state.tensors().entrySet()) {
            String k = e.getKey();
            int i = k.startsWith("state.") ? stateIndex(k, null, params.size()) : -1;
            if (i < 0) {
                problems.add("unexpected tensor '" + k + "'");
                continue;
            }
            String buffer = k.substring(k.indexOf('.', "state.".length()) + 1);
            if (!bufferNames().contains(buffer)) {
                problems.add("tensor '" + k + "': " + name() + " keeps no buffer '" + buffer + "' (known: " + bufferNames() + ")");
                continue;
            }
            int[] expected = params.get(i).shape();
            if (!Arrays.equals(e.getValue().shape(), expected)) {
                problems.add("tensor '" + k + "' has shape " + Arrays.toString(e.getValue().shape())
                        + ", parameter " + i + " has shape " + Arrays.toString(expected));
                continue;
            }
            if (!present[i]) problems.add("tensor '" + k + "' has no 'state." + i + ".step'");
            buffers.get(i).put(buffer, e.getValue());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(name() + ": cannot load optimizer state:\n  " + String.join("\n  ", problems));
        }
        for (int gi = 0; gi < groups.size(); gi++) groups.get(gi).setOptions(options.get(gi));
        try (var scope = Tensor.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                ParamState s = new ParamState();
                s.setStep(steps[i]);
                for (var b : buffers.get(i).entrySet()) s.setBuffer(b.getKey(), b.getValue().detach().copy());
                states.set(i, s);
            }
        }
    }

    /** The parameter index in {@code state.<i>.<rest>} (with {@code rest} equal to {@code suffix} unless null), or -1. */
    private static int stateIndex(String key, String suffix, int count) {
        if (!key.startsWith("state.")) return -1;
        int dot = key.indexOf('.', "state.".length());
        if (dot < 0) return -1;
        if (suffix != null && !key.substring(dot).equals(suffix)) return -1;
        if (suffix == null && dot == key.length() - 1) return -1;
        try {
            int i = Integer.parseInt(key.substring("state.".length(), dot));
            return i >= 0 && i < count ? i : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
