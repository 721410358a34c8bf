package dev.tersor.compress.prune.meta;

/**
 * The sizes of MetaPruning's evolutionary search ({@link Evolution}); {@link #OFFICIAL} are the
 * values of liuzechun/MetaPruning {@code search.py}.
 *
 * @param population candidates scored per generation
 * @param select best candidates kept across generations ({@code select_num})
 * @param parents the best of those that breed ({@code keep_top_k})
 * @param mutations mutated children per generation
 * @param mutationProb probability that a gene of a mutated child changes
 * @param crossovers crossover children per generation (the rest of the population is random)
 * @param generations generations scored ({@code max_iters})
 */
public record EvolutionSettings(int population, int select, int parents, int mutations, double mutationProb, int crossovers,
        int generations) {
    /** population 50, best 50 kept, top 10 parents, 25 mutations with p = 0.1, 25 crossovers, 20 generations. */
    public static final EvolutionSettings OFFICIAL = new EvolutionSettings(50, 50, 10, 25, 0.1, 25, 20);

    public EvolutionSettings {
        if (population < 1 || select < 1 || generations < 1) {
            throw new IllegalArgumentException("MetaPruning: population, kept candidates and generations must be >= 1, got " + population
                    + ", " + select + ", " + generations);
        }
        if (parents < 2 || parents > select) {
            throw new IllegalArgumentException("MetaPruning: parents must be in [2, " + select + "] (the kept candidates), got " + parents);
        }
        if (mutations < 0 || crossovers < 0 || mutations + crossovers > population) {
            throw new IllegalArgumentException("MetaPruning: mutations and crossovers must be >= 0 and together at most the population "
                    + population + ", got " + mutations + " and " + crossovers);
        }
        if (!(mutationProb > 0 && mutationProb <= 1)) {
            throw new IllegalArgumentException("MetaPruning: the mutation probability must be in (0, 1], got " + mutationProb);
        }
    }

    /**
     * The official proportions for another population size: the best {@code population} kept,
     * a fifth of it (at least 2) as parents, half mutations and half crossovers, p unchanged.
     */
    public static EvolutionSettings scaled(int population, int generations) {
        if (population < 2) throw new IllegalArgumentException("MetaPruning: the population must be >= 2, got " + population);
        return new EvolutionSettings(population, population, Math.max(2, population / 5), population / 2, OFFICIAL.mutationProb,
                population / 2, generations);
    }
}
