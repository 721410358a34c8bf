package dev.tersor.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Random search, the baseline of equal cost: {@code evaluations} distinct candidates drawn
 * uniformly among those within every constraint (the others are dropped unevaluated), scored in
 * rounds of {@code batch} through the executor, checkpointed after each round; the best wins.
 * Stops early when the space has no admitted candidate left.
 */
public final class RandomSearch {
    static final String NAME = "random-search";
    private static final int MAX_REJECTIONS = 1_000_000;
    private final int evaluations, batch;

    /** {@code evaluations} candidates in rounds of {@code batch}. */
    public RandomSearch(int evaluations, int batch) {
        if (evaluations < 1) throw new IllegalArgumentException("RandomSearch: evaluations must be >= 1, got " + evaluations);
        if (batch < 1) throw new IllegalArgumentException("RandomSearch: batch must be >= 1, got " + batch);
        this.evaluations = evaluations;
        this.batch = batch;
    }

    /** Runs (or resumes) the search in {@code e}. */
    public SearchResult run(Experiment e) {
        Map<String, Object> state = e.loadState(NAME);
        int done = 0, round = 0;
        if (state != null) {
            done = (int) Json.integer(Json.member(state, "done", "state of " + NAME), "state of " + NAME);
            round = (int) Json.integer(Json.member(state, "round", "state of " + NAME), "state of " + NAME);
            e.progress("resumed %s after %d of %d candidates", NAME, done, evaluations);
        }
        List<Trial> mine = new ArrayList<>(e.trials().subList(0, Math.min(done, e.trials().size())));
        while (done < evaluations && e.remaining() > 0) {
            List<Architecture> next = new ArrayList<>();
            List<String> origins = new ArrayList<>();
            while (next.size() < Math.min(batch, evaluations - done) && e.remaining() > 0) {
                next.add(draw(e));
                origins.add("random");
            }
            round++;
            mine.addAll(e.evaluate(next, origins, round));
            done += next.size();
            e.saveState(NAME, "{\"done\": " + done + ", \"round\": " + round + "}");
            Trial best = SearchResult.best(mine, 1).get(0);
            e.progress("%s round %d: %d/%d candidates, best %.4f [%s]", NAME, round, done, evaluations, best.score(), best.arch().key());
        }
        if (mine.isEmpty()) throw new IllegalStateException(NAME + ": no candidate was admitted");
        List<Trial> top = SearchResult.best(mine, 10);
        return new SearchResult(top.get(0).arch(), top.get(0).score(), top, mine.size());
    }

    /** A uniform new admitted candidate, taken ({@link Experiment#take}); the caller checks {@link Experiment#remaining()} first. */
    static Architecture draw(Experiment e) {
        for (int i = 0; i < MAX_REJECTIONS; i++) {
            Architecture a = e.space().random(e.rng());
            if (e.take(a)) return a;
        }
        throw new IllegalStateException("no new admitted candidate in " + MAX_REJECTIONS + " uniform draws from space '" + e.space().name()
                + "': the constraints admit too small a share of it");
    }
}
