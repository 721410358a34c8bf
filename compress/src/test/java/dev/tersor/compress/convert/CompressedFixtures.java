package dev.tersor.compress.convert;

import dev.tersor.nn.Module;
import dev.tersor.nn.Rng;
import dev.tersor.nn.zoo.Zoo;

/** Converted models with seeded weights, for file and report tests. */
public final class CompressedFixtures {
    private CompressedFixtures() {
    }

    /** A seeded lenet5 with every layer converted: per-channel {@code bits}-bit weights, 8-bit inputs in [-3, 5]. */
    public static Module lenet5(int bits) {
        Rng.manualSeed(3);
        Module model = Zoo.create("lenet5");
        return Conversion.convert(model, TestLayers.all(model, bits));
    }
}
