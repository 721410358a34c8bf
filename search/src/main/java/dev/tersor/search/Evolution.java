package dev.tersor.search;

import dev.tersor.tensor.Generator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The evolutionary search of SPOS (Guo et al., arXiv 1904.00420; the official
 * {@code src/Search/search.py}), over the candidates a {@link Fitness} scores, higher better:
 * <pre>
 * population ← P random candidates
 * repeat G times:
 *     parents ← the K best of (parents ∪ population)                    (kept across generations)
 *     M mutations: a uniform parent, each op redrawn uniformly with probability p   (at most 10·M draws)
 *     C crossovers: two uniform parents (maybe the same), each op from either with probability ½   (at most 10·C draws)
 *     population ← mutations + crossovers, filled up to P with random candidates
 * result ← the best of (parents ∪ population)
 * </pre>
 * A drawn candidate counts only when it is new (never taken before) and within every constraint;
 * otherwise it is dropped unevaluated ({@link Experiment#take}). Every generation is evaluated
 * in one batch through the executor, then checkpointed. Defaults ({@link Options#spos()}):
 * P = 50, G = 20, K = 10, M = 25, p = 0.1, C = 25, 1,050 evaluations. Two deviations from the
 * official script, both documented in {@code docs/search.md}: the population produced by the last
 * generation is ranked too (the script evaluates it but never looks at its scores), and a random
 * fill stops when the space has no admitted candidate left (the script would loop forever).
 */
public final class Evolution {
    static final String NAME = "spos-evolution";

    /**
     * @param population          P, candidates per generation
     * @param generations         G, rounds of selection
     * @param parents             K, the best candidates kept as parents
     * @param mutations           M, mutated children per generation
     * @param mutationProbability p, the chance each op of a mutated child is redrawn
     * @param crossovers          C, crossed-over children per generation
     */
    public record Options(int population, int generations, int parents, int mutations, double mutationProbability, int crossovers) {
        public Options {
            if (population < 1) throw new IllegalArgumentException("Evolution: population must be >= 1, got " + population);
            if (generations < 0) throw new IllegalArgumentException("Evolution: generations must be >= 0, got " + generations);
            if (parents < 1 || parents > population) throw new IllegalArgumentException("Evolution: parents must be in [1, population=" + population + "], got " + parents);
            if (mutations < 0 || crossovers < 0 || mutations + crossovers > population) {
                throw new IllegalArgumentException("Evolution: mutations (" + mutations + ") and crossovers (" + crossovers + ") must be >= 0 and add up to at most the population (" + population + ")");
            }
            if (!(mutationProbability >= 0 && mutationProbability <= 1)) {
                throw new IllegalArgumentException("Evolution: mutationProbability must be in [0, 1], got " + mutationProbability);
            }
        }

        /** The official defaults: population 50, 20 generations, 10 parents, 25 mutations with p = 0.1, 25 crossovers. */
        public static Options spos() {
            return new Options(50, 20, 10, 25, 0.1, 25);
        }

        /** At most how many candidates a run evaluates: P·(G + 1). */
        public int maxEvaluations() {
            return population * (generations + 1);
        }
    }

    private final Options options;

    /** An evolution with {@code options}. */
    public Evolution(Options options) {
        this.options = options;
    }

    /** Runs (or resumes) the search in {@code e}. */
    public SearchResult run(Experiment e) {
        Map<String, Object> state = e.loadState(NAME);
        int generation;
        List<Trial> parents = new ArrayList<>(), population;
        if (state == null) {
            generation = 0;
            List<Architecture> first = new ArrayList<>();
            List<String> origins = new ArrayList<>();
            fillRandomly(e, first, origins);
            population = e.evaluate(first, origins, 0);
            e.saveState(NAME, stateJson(0, parents, population));
        } else {
            String what = "state of " + NAME;
            generation = (int) Json.integer(Json.member(state, "generation", what), what);
            parents = trialsOf(e, Json.array(Json.member(state, "parents", what), what), generation);
            population = trialsOf(e, Json.array(Json.member(state, "population", what), what), generation);
            e.progress("resumed %s after generation %d/%d (%d trials logged)", NAME, generation, options.generations(), e.trials().size());
        }
        report(e, generation, parents, population);
        while (generation < options.generations()) {
            parents = rank(parents, population, options.parents());
            List<Architecture> next = new ArrayList<>();
            List<String> origins = new ArrayList<>();
            mutate(e, parents, next, origins);
            crossover(e, parents, next, origins);
            fillRandomly(e, next, origins);
            generation++;
            population = e.evaluate(next, origins, generation);
            e.saveState(NAME, stateJson(generation, parents, population));
            report(e, generation, parents, population);
        }
        List<Trial> top = rank(parents, population, options.parents());
        return new SearchResult(top.get(0).arch(), top.get(0).score(), top, e.trials().size());
    }

    private void report(Experiment e, int generation, List<Trial> parents, List<Trial> population) {
        List<Trial> best = rank(parents, population, 1);
        e.progress("%s generation %d/%d: %d candidates, best %.4f [%s], %d trials in all", NAME, generation, options.generations(),
                population.size(), best.isEmpty() ? Double.NaN : best.get(0).score(), best.isEmpty() ? "-" : best.get(0).arch().key(), e.trials().size());
    }

    /** The {@code k} best of {@code parents} followed by {@code population} (stable: official {@code update_top_k}). */
    static List<Trial> rank(List<Trial> parents, List<Trial> population, int k) {
        List<Trial> all = new ArrayList<>(parents);
        all.addAll(population);
        return SearchResult.best(all, k);
    }

    private void mutate(Experiment e, List<Trial> parents, List<Architecture> out, List<String> origins) {
        Generator g = e.rng();
        int made = 0;
        for (int tries = 10 * options.mutations(); made < options.mutations() && tries > 0 && e.remaining() > 0; tries--) {
            Architecture child = parents.get(g.nextInt(parents.size())).arch();
            for (int i = 0; i < child.ops().size(); i++) {
                if (g.nextDouble() < options.mutationProbability()) child = child.with(i, g.nextInt(e.space().choices().get(i).size()));
            }
            if (e.take(child)) {
                out.add(child);
                origins.add("mutation");
                made++;
            }
        }
    }

    private void crossover(Experiment e, List<Trial> parents, List<Architecture> out, List<String> origins) {
        Generator g = e.rng();
        int made = 0;
        for (int tries = 10 * options.crossovers(); made < options.crossovers() && tries > 0 && e.remaining() > 0; tries--) {
            Architecture a = parents.get(g.nextInt(parents.size())).arch(), b = parents.get(g.nextInt(parents.size())).arch();
            Architecture child = a;
            for (int i = 0; i < a.ops().size(); i++) if (g.nextInt(2) == 1) child = child.with(i, b.op(i));
            if (e.take(child)) {
                out.add(child);
                origins.add("crossover");
                made++;
            }
        }
    }

    private void fillRandomly(Experiment e, List<Architecture> out, List<String> origins) {
        while (out.size() < options.population()) {
            if (e.remaining() == 0) {
                e.progress("%s: no admitted candidate is left in space '%s'; this generation has %d", NAME, e.space().name(), out.size());
                return;
            }
            Architecture a = RandomSearch.draw(e);
            out.add(a);
            origins.add("random");
        }
    }

    private static String stateJson(int generation, List<Trial> parents, List<Trial> population) {
        return "{\"generation\": " + generation + ", \"parents\": " + keys(parents) + ", \"population\": " + keys(population) + "}";
    }

    private static String keys(List<Trial> trials) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < trials.size(); i++) sb.append(i == 0 ? "" : ", ").append(Json.quote(trials.get(i).arch().key()));
        return sb.append(']').toString();
    }

    private static List<Trial> trialsOf(Experiment e, List<Object> keys, int generation) {
        List<Architecture> archs = new ArrayList<>();
        List<String> origins = new ArrayList<>();
        for (Object k : keys) {
            archs.add(e.parseKey(Json.string(k, "state of " + NAME)));
            origins.add("resumed");
        }
        return e.evaluate(archs, origins, generation);   // all in the log: nothing is evaluated again
    }
}
