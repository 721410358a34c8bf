package dev.tersor.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a search found.
 *
 * @param best      the best architecture
 * @param score     its score
 * @param top       the best trials, best first (ties: the earlier trial first)
 * @param trials    how many candidates the search evaluated in all (resumed runs included)
 */
public record SearchResult(Architecture best, double score, List<Trial> top, int trials) {
    public SearchResult {
        top = List.copyOf(top);
    }

    /** The {@code k} best of {@code trials} by score, stable (the earlier of equals first). */
    static List<Trial> best(List<Trial> trials, int k) {
        List<Trial> sorted = new ArrayList<>(trials);
        sorted.sort(Comparator.comparingDouble(Trial::score).reversed());
        return new ArrayList<>(sorted.subList(0, Math.min(k, sorted.size())));
    }
}
