package dev.tersor.search;

import dev.tersor.nn.Module;
import dev.tersor.nn.ModuleList;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.Rng;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A weight-sharing single-path supernet (SPOS, Guo et al., arXiv 1904.00420): every candidate
 * of every choice holds its own weights, and each forward runs one path, one candidate per
 * choice. The candidates of a choice live at the choice's module path as a list, so the supernet
 * key {@code layers.2.1.0.weight} (choice {@code layers.2}, candidate 1) is the stand-alone
 * network's {@code layers.2.0.weight} when that network chose candidate 1.
 *
 * <p>Which path: the one fixed by {@link #fixPath}, else (after {@link #sampleUniformly}, the
 * default) a fresh uniform draw from {@link Rng#global()} on every call, in training and eval
 * mode alike (SPOS validates its supernet on random paths too). Drawing from the default stream
 * makes supernet training through {@link dev.tersor.nn.train.Trainer} resumable: its checkpoints
 * save and restore that stream, so a resumed run draws the same paths.
 *
 * <p>Unsampled ops get no optimizer step at all: a training-mode forward sets the gradient of
 * every parameter outside its path to none (as the SPOS code does), and every
 * {@link dev.tersor.nn.optim.Optimizer} skips a parameter without a gradient, so its weights,
 * momentum buffers and step counts stay as they were, bit for bit, weight decay included. (A
 * gradient of zeros would not do: SGD would still apply momentum and weight decay.)
 * <pre>{@code
 * Supernet net = space.supernet();
 * new Trainer(net, sgd, null, Losses::crossEntropy).fit(train, null, Trainer.Options.epochs(5));  // uniform paths
 * net.fixPath(arch);                                     // one sub-network...
 * BnRecalibration.run(net, calibration, 20);             // ...with its own BN statistics
 * Module alone = net.extract(arch);                      // the same network, weights copied out
 * }</pre>
 */
public abstract class Supernet extends Module {
    private final SearchSpace space;
    private Architecture fixed;
    private Architecture last;

    /** A supernet of {@code space}; the subclass registers one {@link ModuleList} of candidates per choice, at the choice's path. */
    protected Supernet(SearchSpace space) {
        this.space = space;
    }

    /** The space this supernet covers. */
    public SearchSpace space() {
        return space;
    }

    /** Runs {@code path} on every call from now on (validated against the space); returns this. */
    public Supernet fixPath(Architecture path) {
        fixed = space.validate(path);
        return this;
    }

    /** Draws a uniform path on every call from now on (the default); returns this. */
    public Supernet sampleUniformly() {
        fixed = null;
        return this;
    }

    /** The fixed path, or null while sampling. */
    public Architecture fixedPath() {
        return fixed;
    }

    /** The path of the last call, or null before the first. */
    public Architecture lastPath() {
        return last;
    }

    /** The candidates of choice {@code i}, in the space's order (at its first path in a cell space). */
    public ModuleList candidates(int i) {
        return candidateLists(i).get(0);
    }

    /** The candidates of choice {@code i} at each of its {@link SearchSpace#paths}. */
    public List<ModuleList> candidateLists(int i) {
        List<ModuleList> out = new ArrayList<>();
        for (String p : space.paths(i)) out.add((ModuleList) get(p));
        return out;
    }

    @Override
    public final Tensor forward(Tensor x) {
        Architecture path = fixed != null ? fixed : space.random(Rng.global());
        last = path;
        if (isTraining()) for (Parameter p : unsampledParameters(path)) p.zeroGrad();
        return forward(x, path);
    }

    /** Runs {@code path}: the skeleton with candidate {@code path.op(i)} of each choice i. */
    protected abstract Tensor forward(Tensor x, Architecture path);

    /** The parameters of the candidates {@code path} does not run. */
    public List<Parameter> unsampledParameters(Architecture path) {
        List<Parameter> out = new ArrayList<>();
        for (int i = 0; i < space.choices().size(); i++) {
            for (ModuleList list : candidateLists(i)) {
                int j = 0;
                for (Module candidate : list) {
                    if (j++ != path.op(i)) out.addAll(candidate.parameters());
                }
            }
        }
        return out;
    }

    /**
     * The stand-alone network of {@code arch} ({@link SearchSpace#build}) holding copies of this
     * supernet's weights and buffers along the path; its outputs equal this supernet's with the
     * path fixed, bit for bit, in either mode.
     */
    public Module extract(Architecture arch) {
        space.validate(arch);
        Module net = space.build(arch);
        Map<String, Tensor> own = stateDict(), out = new LinkedHashMap<>();
        for (String key : net.stateDict().keySet()) out.put(key, own.get(supernetKey(key, arch)));
        net.loadStateDict(out, true);
        return net;
    }

    /** The supernet key of a stand-alone network's state-dict {@code key} under {@code arch}. */
    public String supernetKey(String key, Architecture arch) {
        for (int i = 0; i < space.choices().size(); i++) {
            for (String p : space.paths(i)) {
                String prefix = p + ".";
                if (key.startsWith(prefix)) return prefix + arch.op(i) + "." + key.substring(prefix.length());
            }
        }
        return key;
    }

    @Override
    protected String extraRepr() {
        return "space=" + space.name() + (fixed == null ? ", sampling uniformly" : ", path=" + fixed.key());
    }
}
