package dev.tersor.search;

import dev.tersor.nn.Module;
import dev.tersor.tensor.Generator;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of networks: a fixed skeleton with {@link #choices()}, each choosing one candidate op.
 * An {@link Architecture} (one op index per choice) picks one network; {@link #build} makes it
 * an ordinary {@link Module}, {@link #supernet()} the weight-sharing network of all of them.
 * {@link ChainSpace} is a chain of layers, {@link CellSpace} a repeated cell whose edges choose.
 */
public interface SearchSpace {
    /** The name an architecture file records (its {@code space} member). */
    String name();

    /** The input of one sample, [C, H, W]. */
    int[] inputShape();

    /** The decisions, in the order of an architecture's op indices. */
    List<Choice> choices();

    /**
     * The module paths where choice {@code i}'s op sits in built networks: the choice's name in a
     * chain, one path per cell in a cell space. A supernet holds the candidates at each of them.
     */
    default List<String> paths(int i) {
        return List.of(choices().get(i).name());
    }

    /** The choice whose op holds the module at {@code modulePath} (a path or below one), or -1 for the skeleton. */
    default int choiceOf(String modulePath) {
        for (int i = 0; i < choices().size(); i++) {
            for (String p : paths(i)) if (modulePath.equals(p) || modulePath.startsWith(p + ".")) return i;
        }
        return -1;
    }

    /** A stand-alone network of {@code arch} (freshly initialised from {@code dev.tersor.nn.Rng}). */
    Module build(Architecture arch);

    /** The single-path supernet holding every candidate of every choice. */
    Supernet supernet();

    /** Number of architectures, the product of the choices' sizes. */
    default BigInteger size() {
        BigInteger n = BigInteger.ONE;
        for (Choice c : choices()) n = n.multiply(BigInteger.valueOf(c.size()));
        return n;
    }

    /** One architecture drawn uniformly: each op index uniform and independent. */
    default Architecture random(Generator g) {
        List<Integer> ops = new ArrayList<>();
        for (Choice c : choices()) ops.add(g.nextInt(c.size()));
        return new Architecture(name(), ops);
    }

    /** The candidate names {@code arch} chose, one per choice. */
    default List<String> opNames(Architecture arch) {
        validate(arch);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < choices().size(); i++) names.add(choices().get(i).candidates().get(arch.op(i)).name());
        return names;
    }

    /**
     * Throws an {@link IllegalArgumentException} naming the first reason why {@code arch} is not
     * an architecture of this space (another space's name, another number of choices, an op index
     * out of range); returns it otherwise.
     */
    default Architecture validate(Architecture arch) {
        if (!arch.space().equals(name())) {
            throw new IllegalArgumentException("the architecture is for search space '" + arch.space() + "', not '" + name() + "'");
        }
        List<Choice> cs = choices();
        if (arch.ops().size() != cs.size()) {
            throw new IllegalArgumentException("the architecture has " + arch.ops().size() + " op indices, search space '" + name()
                    + "' has " + cs.size() + " choices (" + cs.get(0).name() + " ... " + cs.get(cs.size() - 1).name() + ")");
        }
        for (int i = 0; i < cs.size(); i++) {
            int op = arch.op(i);
            if (op < 0 || op >= cs.get(i).size()) {
                throw new IllegalArgumentException("choice " + i + " (" + cs.get(i).name() + ") has op index " + op + ", but it has only "
                        + cs.get(i).size() + " candidates " + cs.get(i).names() + " (indices 0.." + (cs.get(i).size() - 1) + ")");
            }
        }
        return arch;
    }
}
