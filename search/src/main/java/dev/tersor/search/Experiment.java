package dev.tersor.search;

import dev.tersor.tensor.Generator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What every search strategy shares: the seeded random stream, the set of candidates already
 * taken (none is evaluated twice), the constraints (candidates over a limit are discarded before
 * evaluation), the executor, the JSON-lines log of every evaluated candidate
 * ({@code trials.jsonl}) and the strategy's checkpoint ({@code state.json}, written atomically
 * at the end of every round). Run again on the same directory with the same seed, it resumes: the
 * state brings back the stream, the taken set and the strategy's own state, and candidates the
 * log already holds (evaluated after the last checkpoint, before a kill) are not evaluated
 * again, so the result equals that of a run never interrupted.
 * <pre>{@code
 * Experiment e = new Experiment(space, executor, List.of(new Constraint(CostTable.macs(space), 3e6)),
 *         List.of(CostTable.macs(space), CostTable.parameters(space)), Experiment.Options.in(Path.of("runs/spos"), 42));
 * SearchResult r = new Evolution(Evolution.Options.spos()).run(e);
 * }</pre>
 */
public final class Experiment {
    /**
     * @param directory where {@code trials.jsonl} and {@code state.json} go (created)
     * @param seed      the seed of the strategy's random stream
     * @param log       progress lines (null: silent)
     */
    public record Options(Path directory, long seed, PrintStream log) {
        public Options {
            if (directory == null) throw new IllegalArgumentException("Experiment: directory must not be null");
        }

        /** In {@code directory} with {@code seed}, progress on stderr. */
        public static Options in(Path directory, long seed) {
            return new Options(directory, seed, System.err);
        }

        /** The same with progress going to {@code stream} (null: silent). */
        public Options log(PrintStream stream) {
            return new Options(directory, seed, stream);
        }
    }

    private final SearchSpace space;
    private final TrialExecutor executor;
    private final List<Constraint> constraints;
    private final List<CostTable> reported;
    private final Options options;
    private final TrialLog log;
    private final Map<Architecture, Trial> logged = new HashMap<>();
    private final List<Trial> trials = new ArrayList<>();
    private final Set<Architecture> taken = new LinkedHashSet<>();
    private Generator rng;
    private long admissible = -1;
    private int evaluated, reused;

    /** An experiment over {@code space}; {@code reported} costs go into each trial's log line. */
    public Experiment(SearchSpace space, TrialExecutor executor, List<Constraint> constraints, List<CostTable> reported, Options options) {
        this.space = space;
        this.executor = executor;
        this.constraints = List.copyOf(constraints);
        this.reported = List.copyOf(reported);
        this.options = options;
        for (Constraint c : constraints) {
            if (!c.table().space().equals(space.name())) throw new IllegalArgumentException("constraint " + c + " is for space '" + c.table().space() + "'");
        }
        this.log = new TrialLog(options.directory().resolve("trials.jsonl"), space);
        for (Trial t : log.read()) {
            logged.put(t.arch(), t);
            trials.add(t);
        }
        this.rng = new Generator(options.seed());
    }

    /** The space searched. */
    public SearchSpace space() {
        return space;
    }

    /** The strategy's random stream (restored by {@link #loadState}). */
    public Generator rng() {
        return rng;
    }

    /** Whether every constraint admits {@code arch}. */
    public boolean admits(Architecture arch) {
        for (Constraint c : constraints) if (!c.admits(arch)) return false;
        return true;
    }

    /**
     * SPOS's {@code is_legal}: true, and {@code arch} is taken, when it was not taken before and every
     * constraint admits it; false otherwise (it is then neither taken nor evaluated).
     */
    public boolean take(Architecture arch) {
        if (taken.contains(arch) || !admits(arch)) return false;
        taken.add(arch);
        return true;
    }

    /** Whether {@code arch} was taken. */
    public boolean isTaken(Architecture arch) {
        return taken.contains(arch);
    }

    /**
     * How many admitted architectures are not taken yet: exact for spaces of up to 10⁶ networks
     * (counted once by enumeration), {@code Long.MAX_VALUE} for larger ones.
     */
    public long remaining() {
        if (admissible < 0) {
            if (space.size().compareTo(BigInteger.valueOf(1_000_000)) > 0) {
                admissible = Long.MAX_VALUE;
            } else {
                long n = 0;
                for (Architecture a : all(space)) if (admits(a)) n++;
                admissible = n;
            }
        }
        return admissible == Long.MAX_VALUE ? Long.MAX_VALUE : admissible - taken.size();
    }

    /** Every architecture of a (small) space, in mixed-radix order (the last choice fastest). */
    static List<Architecture> all(SearchSpace space) {
        List<Choice> cs = space.choices();
        int total = space.size().intValueExact();
        List<Architecture> out = new ArrayList<>(total);
        for (int code = 0; code < total; code++) {
            List<Integer> ops = new ArrayList<>();
            int rest = code;
            for (int i = cs.size() - 1; i >= 0; i--) {
                ops.add(0, rest % cs.get(i).size());
                rest /= cs.get(i).size();
            }
            out.add(new Architecture(space.name(), ops));
        }
        return out;
    }

    /**
     * Evaluates taken candidates (all at once through the executor), logs each new trial, and
     * returns the trials in order; a candidate the log already holds is not evaluated again.
     */
    public List<Trial> evaluate(List<Architecture> archs, List<String> origins, int generation) {
        List<Architecture> todo = new ArrayList<>();
        for (Architecture a : archs) {
            if (!taken.contains(a)) throw new IllegalStateException("candidate " + a + " was not taken (Experiment.take) before evaluation");
            if (!logged.containsKey(a) && !todo.contains(a)) todo.add(a);
        }
        if (!todo.isEmpty()) {
            executor.evaluate(todo, (k, score) -> record(todo.get(k), origins.get(archs.indexOf(todo.get(k))), generation, score));
        }
        evaluated += todo.size();
        reused += archs.size() - todo.size();
        List<Trial> out = new ArrayList<>();
        for (Architecture a : archs) out.add(logged.get(a));
        return out;
    }

    private synchronized void record(Architecture a, String origin, int generation, double score) {
        Map<String, Double> costs = new LinkedHashMap<>();
        for (CostTable t : reported) costs.put(t.metric(), t.of(a));
        Trial t = new Trial(trials.size(), generation, origin, a, score, costs);
        log.append(t);
        logged.put(a, t);
        trials.add(t);
    }

    /** Every trial logged so far (of this run and the runs it resumed). */
    public List<Trial> trials() {
        return List.copyOf(trials);
    }

    /** Candidates this process evaluated (not counting those taken from the log). */
    public int evaluatedHere() {
        return evaluated;
    }

    /** Candidates taken from the log instead of evaluated (after a resume). */
    public int reusedFromLog() {
        return reused;
    }

    /** Writes the checkpoint: the stream, the taken set and {@code strategyState} (JSON, the strategy's own). */
    public void saveState(String strategy, String strategyState) {
        long[] s = rng.state();
        StringBuilder sb = new StringBuilder("{\"strategy\": ").append(Json.quote(strategy)).append(", \"space\": ").append(Json.quote(space.name()))
                .append(", \"seed\": ").append(options.seed()).append(", \"rng\": [").append(s[0]).append(", ").append(s[1]).append("], \"taken\": [");
        int i = 0;
        for (Architecture a : taken) sb.append(i++ == 0 ? "" : ", ").append(Json.quote(a.key()));
        sb.append("], \"state\": ").append(strategyState).append("}\n");
        try {
            AtomicFiles.write(statePath(), sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + statePath() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the checkpoint of {@code strategy}, restoring the stream and the taken set; returns the
     * strategy's own state, or null when there is no checkpoint. A checkpoint of another strategy,
     * space or seed is an error.
     */
    public Map<String, Object> loadState(String strategy) {
        Path p = statePath();
        if (!Files.exists(p)) return null;
        String what = p.toString();
        Map<String, Object> m;
        try {
            m = Json.object(Json.parse(Files.readString(p), what), what);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
        String got = Json.string(Json.member(m, "strategy", what), what);
        if (!got.equals(strategy)) throw new IllegalArgumentException(what + ": a checkpoint of strategy '" + got + "', not '" + strategy + "'");
        String sp = Json.string(Json.member(m, "space", what), what);
        if (!sp.equals(space.name())) throw new IllegalArgumentException(what + ": a checkpoint of search space '" + sp + "', not '" + space.name() + "'");
        long seed = Json.integer(Json.member(m, "seed", what), what);
        if (seed != options.seed()) throw new IllegalArgumentException(what + ": written with seed " + seed + ", this run has seed " + options.seed());
        List<Object> r = Json.array(Json.member(m, "rng", what), what + ": rng");
        rng = Generator.restore(new long[] {Json.integer(r.get(0), what), Json.integer(r.get(1), what)});
        taken.clear();
        for (Object k : Json.array(Json.member(m, "taken", what), what + ": taken")) taken.add(parseKey(Json.string(k, what)));
        return Json.object(Json.member(m, "state", what), what + ": state");
    }

    /** The architecture of {@link Architecture#key} output. */
    Architecture parseKey(String key) {
        List<Integer> ops = new ArrayList<>();
        for (String s : key.split("-")) ops.add(Integer.parseInt(s));
        return space.validate(new Architecture(space.name(), ops));
    }

    /** A progress line. */
    void progress(String format, Object... args) {
        if (options.log() != null) options.log().println(String.format(Locale.ROOT, format, args));
    }

    private Path statePath() {
        return options.directory().resolve("state.json");
    }
}
