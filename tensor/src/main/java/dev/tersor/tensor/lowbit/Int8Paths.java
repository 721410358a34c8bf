package dev.tersor.tensor.lowbit;

import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.backend.PlanSpace;
import dev.tersor.tensor.backend.Plans;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Which product an int8 layer of one shape runs, as a kernel plan ({@link Plans}): the integer
 * kernels, or the same integers through the float ones ({@link ExactFloatProduct}). Both give
 * the same output bit for bit, so the choice changes only the speed. The heuristic is a size
 * threshold ({@value ExactFloatProduct#MIN_POSITIONS} output positions for a convolution,
 * {@value ExactFloatProduct#MIN_ROWS} rows for a linear layer: below it the integer kernels,
 * whose batch-1 loops beat the float ones, above it the float product, which batched integer
 * lanes cannot keep up with); {@code -Dtersor.plans=measure} times both on the running machine
 * and caches the faster, {@code tersor tune} ahead of time.
 */
final class Int8Paths {
    /** The two products. */
    enum Path { INTEGER, FLOAT_PRODUCT }

    private static final Map<Key, Path> PLANS = Plans.memo();

    /** A layer's shape as the cache file names it, and the threads it runs on. */
    record Key(String shape, int threads) {
    }

    private Int8Paths() {
    }

    /**
     * The path for a layer of {@code shape} (e.g. {@code "conv 16x28x28->16x28x28 k3x3 s1x1 p1x1 d1x1 g1 n1"});
     * {@code INTEGER} when the float product is not exact for its weights ({@code exact} false),
     * else the plan, {@code large} choosing the heuristic's. {@code trial} runs the layer once on a path.
     */
    static Path choose(String shape, boolean exact, boolean large, Consumer<Path> trial) {
        if (!exact) return Path.INTEGER;
        Key key = new Key(shape, Parallel.effectiveThreads());
        return Plans.plan(PLANS, key, () -> PlanSpace.of("int8", key.shape() + " t" + key.threads(),
                () -> large ? Path.FLOAT_PRODUCT : Path.INTEGER,
                () -> large ? List.of(Path.FLOAT_PRODUCT, Path.INTEGER) : List.of(Path.INTEGER, Path.FLOAT_PRODUCT),
                Path::name, Int8Paths::parse, trial));
    }

    private static Path parse(String text) {
        for (Path p : Path.values()) if (p.name().equals(text.trim())) return p;
        return null;
    }
}
