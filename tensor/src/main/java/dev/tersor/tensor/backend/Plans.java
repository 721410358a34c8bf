package dev.tersor.tensor.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Kernel plans: how an op of a given shape runs (algorithm, blocking, thread split) is chosen
 * here once per shape and kept in memory; the kernels only execute the plan they are given.
 * Like cuDNN's benchmark mode, FFTW's wisdom and oneDNN's primitive cache.
 *
 * <p>An op asks {@link #plan(Map, Object, Supplier)} with its own memo (a map from a small
 * shape record to its plan record, made by {@link #memo()}); on a miss the op's
 * {@link PlanSpace} is consulted according to {@link #mode()}:
 * <pre>
 * heuristic   space.heuristic()                                  (never reads a file, never times)
 * cached      the cache file's plan for the shape, else heuristic (never times)
 * measure     the cache file's plan, else (from the shape's third call on, once the JIT has
 *             compiled the kernels) each candidate timed (≤ 0.2 s in all, ≤ 3 rounds) on
 *             scratch outputs, the fastest kept and written back to the cache file
 * </pre>
 * A call made inside a parallel chunk never measures (its timing would be disturbed by the
 * other threads, and it runs on one thread anyway), and neither does a call made while this
 * thread is timing another op's candidates: both take the heuristic.
 *
 * <p>The cache file is {@code plans-<key hash>.txt} ({@link #file()}) in {@code -Dtersor.plans.dir},
 * else {@code $XDG_CACHE_HOME/tersor}, else {@code ~/.cache/tersor} ({@link PlanFile}), one per
 * {@link #machineKey()}.
 */
public final class Plans {
    /** Total time budget for timing one new shape's candidates. */
    static final long BUDGET_NANOS = 200_000_000L;
    /** Timed runs per candidate at most (the best counts). */
    static final int REPS = 3;
    /**
     * A shape is measured on its third call, not its first: the first calls of a run execute
     * interpreted or half-compiled code (the Vector API is orders of magnitude slower before C2
     * compiles it), and a plan chosen from such timings would be cached for good.
     */
    public static final int MEASURE_ON_CALL = 3;
    private static final int MAX_DECISIONS = 4096;
    /** Shapes one op remembers at most: a server fed images of ever new sizes must not grow it without bound (past it, plans are made again per call). */
    static final int MAX_MEMO = 16_384;

    private static volatile PlanMode mode = initialMode();
    private static volatile Path directory;
    private static final ReentrantLock MEASURING = new ReentrantLock();
    private static final List<Map<?, ?>> MEMOS = new CopyOnWriteArrayList<>();
    private static final List<PlanDecision> DECISIONS = new CopyOnWriteArrayList<>();
    private static final AtomicLong MEASURED = new AtomicLong();
    private static final Map<String, Integer> SIGHTINGS = new ConcurrentHashMap<>();
    private static Map<String, String> stored;   // guarded by Plans.class
    private static String storedKey, storedFile;
    private static String cpuModel;

    private Plans() {
    }

    private static PlanMode initialMode() {
        String p = System.getProperty("tersor.plans");
        return p == null || p.isBlank() ? PlanMode.CACHED : PlanMode.parse(p);
    }

    /** The current mode ({@code -Dtersor.plans}, default {@link PlanMode#CACHED}). */
    public static PlanMode mode() {
        return mode;
    }

    /** Switches the mode and forgets every plan made so far (they are planned again under the new mode). */
    public static void setMode(PlanMode m) {
        if (m == null) throw new IllegalArgumentException("plan mode must not be null");
        mode = m;
        forget();
    }

    /** Uses {@code dir} for the cache file (null: back to the default) and forgets every plan made so far. */
    public static void setDirectory(Path dir) {
        directory = dir;
        forget();
    }

    /** The folder of the cache file: see the class comment. */
    public static Path directory() {
        Path d = directory;
        if (d != null) return d;
        String prop = System.getProperty("tersor.plans.dir");
        if (prop != null && !prop.isBlank()) return Paths.get(prop);
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Paths.get(xdg, "tersor");
        return Paths.get(System.getProperty("user.home"), ".cache", "tersor");
    }

    /**
     * The cache file of this machine key: {@code plans-<8 hex digits of the key's hash>.txt}, one
     * file per CPU, vector width, thread count and JVM, so runs with other thread counts or JVMs on
     * the same machine keep their own plans instead of overwriting each other's. The file still
     * names its key and is ignored if that is not this one (a copied file, a hash collision).
     */
    public static Path file() {
        return file(machineKey());
    }

    private static Path file(String key) {
        return directory().resolve(String.format(java.util.Locale.ROOT, "plans-%08x.txt", key.hashCode()));
    }

    /**
     * What a cached plan depends on: {@code cpu=<model name>;arch=<os.arch>;bits=<vector
     * bits>;threads=<threads>;jvm=<version>}. The CPU model is /proc/cpuinfo's first
     * "model name" (os.arch alone where there is none).
     */
    public static String machineKey() {
        return "cpu=" + cpuModel() + ";arch=" + System.getProperty("os.arch") + ";bits=" + Backends.current().vectorBits()
                + ";threads=" + Parallel.threads() + ";jvm=" + Runtime.version();
    }

    /** The CPU model: /proc/cpuinfo's first "model name" (';', tabs and newlines made spaces), or "unknown". */
    public static synchronized String cpuModel() {
        if (cpuModel == null) {
            String model = "unknown";
            try {
                for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
                    if (line.startsWith("model name")) {
                        model = line.substring(line.indexOf(':') + 1).trim().replaceAll("[;\t\n]", " ");
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                model = "unknown";
            }
            cpuModel = model;
        }
        return cpuModel;
    }

    /** A new memo for one op's plans, registered so that {@link #forget()} clears it. */
    public static <K, P> Map<K, P> memo() {
        Map<K, P> m = new ConcurrentHashMap<>();
        MEMOS.add(m);
        return m;
    }

    /** Forgets every plan made in memory and the cache file read (both are rebuilt on demand). */
    public static void forget() {
        for (Map<?, ?> m : MEMOS) m.clear();
        SIGHTINGS.clear();
        synchronized (Plans.class) {
            stored = null;
        }
    }

    /** Every decision made since the last {@link #clearDecisions()} (at most 4096), oldest first. */
    public static List<PlanDecision> decisions() {
        return List.copyOf(DECISIONS);
    }

    public static void clearDecisions() {
        DECISIONS.clear();
    }

    /** How many shapes have been measured in this JVM (tests check that heuristic mode never does). */
    public static long measurements() {
        return MEASURED.get();
    }

    /** The plan of {@code key}: from {@code memo}, else chosen as the class comment says (and remembered). */
    public static <K, P> P plan(Map<K, P> memo, K key, Supplier<PlanSpace<P>> spaces) {
        P p = memo.get(key);
        return p != null ? p : choose(memo, key, spaces.get());
    }

    private static <K, P> P choose(Map<K, P> memo, K key, PlanSpace<P> space) {
        PlanMode m = mode;
        if (m == PlanMode.HEURISTIC) return remember(memo, key, space, space.heuristic(), "heuristic");
        String entry = space.op() + "\t" + space.shape();
        String text = stored().get(entry);
        P cached = text == null ? null : space.parse(text);
        if (cached != null) return remember(memo, key, space, cached, "cached");
        if (text != null) {
            Warnings.once("plans-entry:" + entry, "tersor: plan cache entry '" + text + "' does not fit " + space.op() + " "
                    + space.shape() + "; using the built-in plan");
        }
        if (m == PlanMode.CACHED || Helpers.insideChunk()) return remember(memo, key, space, space.heuristic(), "heuristic");
        if (MEASURING.isHeldByCurrentThread() || SIGHTINGS.merge(entry, 1, Integer::sum) < MEASURE_ON_CALL
                || !MEASURING.tryLock()) {
            return space.heuristic();   // measured on a later call
        }
        try {
            P again = memo.get(key);
            if (again != null) return again;
            P best = measure(space);
            synchronized (Plans.class) {
                stored().put(entry, space.format(best));
                save();
            }
            if (memo.size() < MAX_MEMO) memo.put(key, best);
            return best;
        } finally {
            MEASURING.unlock();
        }
    }

    private static <K, P> P remember(Map<K, P> memo, K key, PlanSpace<P> space, P plan, String source) {
        if (memo.size() >= MAX_MEMO) return plan;
        memo.put(key, plan);
        String name = space.format(plan);
        log(new PlanDecision(space.op(), space.shape(), name, source, List.of(name), List.of()));
        return plan;
    }

    private static void log(PlanDecision d) {
        if (DECISIONS.size() < MAX_DECISIONS) DECISIONS.add(d);
    }

    /**
     * Times the candidates (the heuristic's first) in rounds, each candidate once per round, so
     * that whatever warms up during the first round (JIT, caches) does so for all of them; at
     * most {@link #REPS} rounds, and no new run starts once {@link #BUDGET_NANOS} is spent (the
     * heuristic always runs once). Returns the candidate with the best single run.
     */
    private static <P> P measure(PlanSpace<P> space) {
        List<P> candidates = space.candidates();
        long[] best = new long[candidates.size()];
        java.util.Arrays.fill(best, -1L);
        long start = System.nanoTime();
        for (int rep = 0; rep < REPS; rep++) {
            for (int i = 0; i < candidates.size(); i++) {
                if ((rep > 0 || i > 0) && System.nanoTime() - start > BUDGET_NANOS) break;
                long t0 = System.nanoTime();
                space.trial(candidates.get(i));
                long t = System.nanoTime() - t0;
                best[i] = best[i] < 0 ? t : Math.min(best[i], t);
            }
        }
        int chosen = 0;
        List<String> names = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            names.add(space.format(candidates.get(i)));
            times.add(best[i]);
            if (best[i] >= 0 && best[i] < best[chosen]) chosen = i;
        }
        MEASURED.incrementAndGet();
        P plan = candidates.get(chosen);
        log(new PlanDecision(space.op(), space.shape(), space.format(plan), "measured", names, times));
        return plan;
    }

    /** The cache file's entries for this machine key (read once; re-read when the key or the file changes). */
    private static synchronized Map<String, String> stored() {
        String key = machineKey();
        Path path = file(key);
        String file = path.toString();
        if (stored == null || !key.equals(storedKey) || !file.equals(storedFile)) {
            stored = new ConcurrentHashMap<>(PlanFile.read(path, key));
            storedKey = key;
            storedFile = file;
        }
        return stored;
    }

    /** Writes the plans of this machine key to the cache file; a failure is one warning, never an exception. */
    public static synchronized void save() {
        try {
            Map<String, String> entries = new TreeMap<>(stored());
            PlanFile.write(Paths.get(storedFile), storedKey, entries);   // the file of the key just read, not one recomputed
        } catch (IOException | RuntimeException e) {
            Warnings.once("plans-write:" + storedFile, "tersor: cannot write the plan cache " + storedFile + " (" + e.getMessage() + ")");
        }
    }
}
