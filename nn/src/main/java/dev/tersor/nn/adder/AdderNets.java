package dev.tersor.nn.adder;

import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.tensor.lowbit.AdderBackward;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Whole-model helpers for networks with adder layers.
 *
 * <p>The adaptive learning rate of AdderNet is applied inside each adder layer's backward (see
 * {@link AdderBackward}): the filters' gradient reaches the optimizer with norm {@code η·√k},
 * so one optimizer group over all parameters trains an adder network as the official code does.
 * To give the adder filters their own optimizer settings, split the parameters into two groups:
 * <pre>{@code
 * var base = Sgd.options(0.05).momentum(0.9).weightDecay(5e-4).build();
 * var sgd = new Sgd(List.of(
 *         new ParamGroup<>(AdderNets.otherParameters(model), base),
 *         new ParamGroup<>(AdderNets.adderWeights(model), base.toBuilder().weightDecay(0).build())));
 * AdderNets.setBackward(model, AdderBackward.addernet(0.5));   // η of every adder layer
 * }</pre>
 */
public final class AdderNets {
    private AdderNets() {
    }

    /** The weights of every {@link AdderConv2d} and {@link AdderLinear} in {@code model}, in module order. */
    public static List<Parameter> adderWeights(Module model) {
        List<Parameter> out = new ArrayList<>();
        for (Module m : model.namedModules().values()) {
            if (m instanceof AdderConv2d c) out.add(c.weight());
            else if (m instanceof AdderLinear l) out.add(l.weight());
        }
        return out;
    }

    /** Every other parameter of {@code model} (biases of adder layers included), in registration order. */
    public static List<Parameter> otherParameters(Module model) {
        Set<Parameter> adder = Collections.newSetFromMap(new IdentityHashMap<>());
        adder.addAll(adderWeights(model));
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : model.parameters()) if (!adder.contains(p)) out.add(p);
        return out;
    }

    /** Sets the gradient rule and η of every adder layer in {@code model}; returns how many there are. */
    public static int setBackward(Module model, AdderBackward backward) {
        int n = 0;
        for (Module m : model.namedModules().values()) {
            if (m instanceof AdderConv2d c) {
                c.setBackward(backward);
                n++;
            } else if (m instanceof AdderLinear l) {
                l.setBackward(backward);
                n++;
            }
        }
        return n;
    }
}
