package dev.tersor.tensor;

/**
 * A seeded random number generator whose sequence is the same on every JVM: SplitMix64 for the
 * bits, {@link StrictMath} for the normal transform. Not thread-safe; one per stream.
 * <pre>{@code
 * Generator g = new Generator(42);
 * Tensor w = Tensor.randn(g, 64, 3, 3, 3);
 * }</pre>
 */
public final class Generator {
    private long state;
    private float spare;
    private boolean hasSpare;

    /** A generator starting from {@code seed}. */
    public Generator(long seed) {
        this.state = seed;
    }

    /**
     * The full state as two longs (the counter and the cached normal deviate's bits, with bit 32
     * of the second marking whether one is cached), for checkpoints; see {@link #restore}.
     */
    public long[] state() {
        return new long[] {state, hasSpare ? (1L << 32) | (Float.floatToRawIntBits(spare) & 0xFFFFFFFFL) : 0L};
    }

    /**
     * A 64-bit seed from three values, e.g. (seed, epoch, index): SplitMix64's finaliser over a
     * running combination, so nearby triples give unrelated streams. Data pipelines seed one
     * generator per item with it, which makes an item's draws independent of the order items are
     * made in.
     */
    public static long mix(long a, long b, long c) {
        long h = a;
        for (long v : new long[] {b, c}) {
            h = (h ^ v) * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
            h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
            h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
            h ^= h >>> 31;
        }
        return h;
    }

    /** A generator continuing exactly where the one that gave {@code state} stood. */
    public static Generator restore(long[] state) {
        if (state == null || state.length != 2) throw new IllegalArgumentException("generator state must be two longs");
        Generator g = new Generator(state[0]);
        g.hasSpare = (state[1] & (1L << 32)) != 0;
        g.spare = Float.intBitsToFloat((int) state[1]);
        return g;
    }

    /** The next 64 random bits. */
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
        long limit = (1L << 32) - ((1L << 32) % bound);
        while (true) {
            long r = nextLong() >>> 32;
            if (r < limit) return (int) (r % bound);
        }
    }

    /** Standard normal (Box–Muller, two values per draw). */
    public float nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u1 = 1.0 - nextDouble();   // (0, 1]
        double u2 = nextDouble();
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
        double t = 2.0 * Math.PI * u2;
        spare = (float) (r * StrictMath.sin(t));
        hasSpare = true;
        return (float) (r * StrictMath.cos(t));
    }

    /** A random permutation of {@code 0..n-1} (Fisher–Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
