package dev.tersor.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tersor.tensor.backend.Parallel;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Strided#forAll} with fewer runs than threads: contiguous operands coalesce to one long
 * run, which is cut into pieces the threads share (each piece starting at the right offset of
 * every operand, unit and non-unit strides alike). Results must equal a plain loop exactly.
 */
class StridedTest {
    private int saved;

    @BeforeEach
    void save() {
        saved = Parallel.threads();
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void longRunsSplitAcrossThreads(int threads) {
        Parallel.setThreads(threads);
        int n = 300_007;   // not a multiple of the piece count
        float[] a = fill(n, i -> Math.sin(i)), b = fill(n, i -> i % 17 - 8);

        // one coalesced run: a + b
        float[] sum = Tensor.wrap(a.clone(), new int[] {n}).add(Tensor.wrap(b.clone(), new int[] {n})).toArray();
        assertArrayEquals(fill(n, i -> a[i] + b[i]), sum, "contiguous add, threads " + threads);

        // two runs (fewer than three threads): [1, n] broadcast against [2, n]
        float[] two = new float[2 * n];
        for (int i = 0; i < 2 * n; i++) two[i] = b[i % n] * (i < n ? 1 : -1);
        float[] prod = Tensor.wrap(a.clone(), new int[] {1, n}).mul(Tensor.wrap(two, new int[] {2, n})).toArray();
        assertArrayEquals(fill(2 * n, i -> a[i % n] * two[i]), prod, "broadcast mul, threads " + threads);

        // runs with inner stride 2: the transpose of [n, 2] made contiguous
        float[] pairs = fill(2 * n, i -> i);
        float[] t = Tensor.wrap(pairs, new int[] {n, 2}).transpose(0, 1).contiguous().toArray();
        assertArrayEquals(fill(2 * n, i -> pairs[(i % n) * 2 + i / n]), t, "strided copy, threads " + threads);
    }

    private static float[] fill(int n, IntToDoubleFunction f) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) f.applyAsDouble(i);
        return x;
    }
}
