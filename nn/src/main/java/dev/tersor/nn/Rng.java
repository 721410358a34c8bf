package dev.tersor.nn;

import dev.tersor.tensor.Generator;

/**
 * The default random stream for layer initialisation and dropout, like {@code torch.manual_seed}.
 * Seed it once before building a model to make the run reproducible for a given thread count.
 */
public final class Rng {
    private static Generator global = new Generator(0x7E5507L);

    private Rng() {
    }

    /** Restarts the default stream from {@code seed}. */
    public static synchronized void manualSeed(long seed) {
        global = new Generator(seed);
    }

    /** Continues the default stream from a saved generator (checkpoint resume). */
    public static synchronized void restore(Generator generator) {
        global = generator;
    }

    /** The default stream. */
    public static synchronized Generator global() {
        return global;
    }
}
