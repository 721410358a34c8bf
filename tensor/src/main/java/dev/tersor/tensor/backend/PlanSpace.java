package dev.tersor.tensor.backend;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The plans one op can run one shape with, as {@link Plans} needs them: the heuristic choice,
 * the candidates worth timing, a text form for the cache file, and a trial run.
 *
 * @param <P> the op's plan type (a small record)
 */
public interface PlanSpace<P> {
    /** The op's name in the cache file, e.g. {@code "gemm"}; no whitespace. */
    String op();

    /** The shape as text, e.g. {@code "NN 128x128x128 t2"}; no tab or newline. */
    String shape();

    /** The built-in choice: deterministic, costs nothing. */
    P heuristic();

    /** Every plan worth timing for this shape, the heuristic's first; all of them correct. */
    List<P> candidates();

    /** The cache file's form of a plan: one line, no tab. */
    String format(P plan);

    /** The plan a {@link #format} text stands for, or null when it is malformed or invalid for this shape. */
    P parse(String text);

    /** Runs the op once with {@code plan} on scratch outputs (the caller's outputs are never touched). */
    void trial(P plan);

    /**
     * A plan space from its parts (for ops whose spaces need no state of their own): the heuristic
     * and the candidates are computed when {@link Plans} asks for them.
     */
    static <P> PlanSpace<P> of(String op, String shape, Supplier<P> heuristic, Supplier<List<P>> candidates,
                               Function<P, String> format, Function<String, P> parse, Consumer<P> trial) {
        return new PlanSpace<>() {
            @Override
            public String op() {
                return op;
            }

            @Override
            public String shape() {
                return shape;
            }

            @Override
            public P heuristic() {
                return heuristic.get();
            }

            @Override
            public List<P> candidates() {
                return candidates.get();
            }

            @Override
            public String format(P plan) {
                return format.apply(plan);
            }

            @Override
            public P parse(String text) {
                return parse.apply(text);
            }

            @Override
            public void trial(P plan) {
                trial.accept(plan);
            }
        };
    }
}
