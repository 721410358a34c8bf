package dev.tersor.compress.prune.meta;

import dev.tersor.tensor.Generator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * MetaPruning's evolutionary search (arXiv 1903.10258 §3.3; liuzechun/MetaPruning
 * {@code resnet/searching/search.py}) over genomes of one choice index per family, under a MACs
 * band [min, max]. Each generation scores its candidates (lower error is better), merges them
 * into the best {@code select} so far (a stable sort, so earlier candidates win ties) and takes
 * the first {@code parents} as parents of the next generation:
 * <ul>
 * <li>mutation ({@code mutations} children): a parent drawn uniformly; each gene, with
 *     probability p, moves to one of its other levels drawn uniformly
 *     ({@code (g + randint(1, L)) mod L}); up to 10 rounds of tries;
 * <li>crossover ({@code crossovers} children): two distinct parents, each gene taken from either
 *     with probability ½; up to 10·crossovers tries;
 * <li>random candidates fill the population: genes uniform in [⌊0.4·L⌋, ⌊0.8·L⌋) as the official
 *     {@code random_can}, then (not in the official code, which redraws until a candidate lands in
 *     its band) moved one level at a time into the band: a random gene down while above
 *     {@code max}, a random gene up that stays under {@code max} while below {@code min}.
 * </ul>
 * A child already scored or already in the generation, or outside the band, is rejected.
 */
final class Evolution {

    /** A scored genome. */
    record Scored(int[] genes, long macs, double error) {
        @Override
        public String toString() {
            return Arrays.toString(genes) + String.format(Locale.ROOT, " macs %d error %.4f", macs, error);
        }
    }

    private final int[] levels;
    private final ToLongFunction<int[]> macs;
    private final long min, max;
    private final EvolutionSettings settings;
    private final Generator rng;
    private final Set<List<Integer>> seen = new HashSet<>();

    /**
     * @throws IllegalArgumentException if even the narrowest genome has more than {@code max} MACs
     */
    Evolution(int[] levels, ToLongFunction<int[]> macs, long min, long max, EvolutionSettings settings, Generator rng) {
        this.levels = levels.clone();
        this.macs = macs;
        this.min = min;
        this.max = max;
        this.settings = settings;
        this.rng = rng;
        long least = macs.applyAsLong(new int[levels.length]);
        if (least > max) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "MetaPruning: no width vector meets the MACs limit %d: the narrowest one (every family at 10%%) has %d", max, least));
        }
    }

    /** Runs the search with {@code error} (lower is better); returns the best {@code select} candidates, best first. */
    List<Scored> run(ToDoubleFunction<int[]> error, Consumer<String> progress) {
        List<int[]> candidates = randoms(settings.population());
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("MetaPruning: found no width vector with MACs in [" + min + ", " + max + "]; widen the band");
        }
        List<Scored> top = new ArrayList<>();
        for (int gen = 0; gen < settings.generations(); gen++) {
            for (int[] c : candidates) top.add(new Scored(c, macs.applyAsLong(c), error.applyAsDouble(c)));
            top.sort(Comparator.comparingDouble(Scored::error));
            if (top.size() > settings.select()) top.subList(settings.select(), top.size()).clear();
            if (progress != null) {
                progress.accept(String.format(Locale.ROOT, "generation %d/%d: %d candidates, best %s", gen + 1, settings.generations(),
                        candidates.size(), top.get(0)));
            }
            if (gen + 1 == settings.generations()) break;
            List<int[]> parents = new ArrayList<>();
            for (int i = 0; i < Math.min(settings.parents(), top.size()); i++) parents.add(top.get(i).genes());
            candidates = new ArrayList<>();
            candidates.addAll(mutations(parents));
            candidates.addAll(crossovers(parents));
            candidates.addAll(randoms(settings.population() - candidates.size()));
        }
        return List.copyOf(top);
    }

    /** A copy of {@code parent} whose genes each move, with probability {@code p}, to another of their levels. */
    static int[] mutate(int[] parent, int[] levels, double p, Generator g) {
        int[] c = parent.clone();
        for (int i = 0; i < c.length; i++) {
            if (g.nextDouble() < p && levels[i] > 1) c[i] = (c[i] + 1 + g.nextInt(levels[i] - 1)) % levels[i];
        }
        return c;
    }

    /** Each gene from {@code a} or {@code b} with probability ½ ({@code nextInt(2) == 1} takes a). */
    static int[] crossover(int[] a, int[] b, Generator g) {
        int[] c = new int[a.length];
        for (int i = 0; i < c.length; i++) c[i] = g.nextInt(2) == 1 ? a[i] : b[i];
        return c;
    }

    private List<int[]> mutations(List<int[]> parents) {
        List<int[]> out = new ArrayList<>();
        for (int round = 0; round < 10 && out.size() < settings.mutations(); round++) {
            for (int i = 0; i < settings.mutations() && out.size() < settings.mutations(); i++) {
                accept(mutate(parents.get(rng.nextInt(parents.size())), levels, settings.mutationProb(), rng), out);
            }
        }
        return out;
    }

    private List<int[]> crossovers(List<int[]> parents) {
        List<int[]> out = new ArrayList<>();
        if (parents.size() < 2) return out;
        for (int t = 0; t < 10 * settings.crossovers() && out.size() < settings.crossovers(); t++) {
            int i = rng.nextInt(parents.size()), j = rng.nextInt(parents.size() - 1);
            if (j >= i) j++;
            accept(crossover(parents.get(i), parents.get(j), rng), out);
        }
        return out;
    }

    private List<int[]> randoms(int count) {
        List<int[]> out = new ArrayList<>();
        for (int t = 0; t < 100 * Math.max(count, 1) && out.size() < count; t++) {
            int[] c = repaired(random());
            if (c != null) accept(c, out);
        }
        return out;
    }

    private int[] random() {
        int[] c = new int[levels.length];
        for (int i = 0; i < c.length; i++) {
            int lo = (int) (0.4 * levels[i]), hi = Math.max(lo + 1, (int) (0.8 * levels[i]));
            c[i] = lo + rng.nextInt(hi - lo);
        }
        return c;
    }

    /** {@code c} moved gene by gene into [min, max], or null when it cannot get there. */
    int[] repaired(int[] c) {
        long m = macs.applyAsLong(c);
        while (m > max) {
            int i = pick(c, true, null);
            if (i < 0) return null;
            c[i]--;
            m = macs.applyAsLong(c);
        }
        while (m < min) {
            int i = pick(c, false, c);
            if (i < 0) return null;
            c[i]++;
            m = macs.applyAsLong(c);
        }
        return c;
    }

    /** A random gene that can move down ({@code down}) or up without exceeding max; -1 if none. */
    private int pick(int[] c, boolean down, int[] probe) {
        List<Integer> ok = new ArrayList<>();
        for (int i = 0; i < c.length; i++) {
            if (down ? c[i] > 0 : c[i] < levels[i] - 1) {
                if (!down) {
                    probe[i]++;
                    boolean under = macs.applyAsLong(probe) <= max;
                    probe[i]--;
                    if (!under) continue;
                }
                ok.add(i);
            }
        }
        return ok.isEmpty() ? -1 : ok.get(rng.nextInt(ok.size()));
    }

    private void accept(int[] c, List<int[]> out) {
        List<Integer> key = Arrays.stream(c).boxed().toList();
        if (seen.contains(key)) return;
        long m = macs.applyAsLong(c);
        if (m > max || m < min) return;
        seen.add(key);
        out.add(c);
    }
}
