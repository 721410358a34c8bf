package dev.tersor.compress.abs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.compress.quant.QParams;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The super-bit decomposition: the sum of the re-assignment offsets is the direct b-bit
 * quantizer on the same grid, bit for bit, for every candidate, per tensor and per channel; the
 * direct quantizer is checked against a brute-force nearest-level search.
 */
class NestedGridTest {
    private static final List<List<Integer>> CANDIDATES = List.of(List.of(2, 4, 8), List.of(2, 3, 4, 5, 6, 7, 8), List.of(3, 6), List.of(4, 8));

    @Test
    void levelsChainSoEachGridContainsTheLowerOne() {
        NestedGrid unsigned = new NestedGrid(List.of(2, 4, 8), false), signed = new NestedGrid(List.of(2, 4, 8), true);
        assertArrayEquals(new int[] {3, 15, 255}, levels(unsigned));          // the paper's s_b = 1/(2^b − 1)
        assertArrayEquals(new int[] {1, 7, 126}, levels(signed));             // ternary, [−7, 7], [−126, 126]
        assertArrayEquals(new int[] {1, 3, 6, 12, 24, 48, 96}, levels(new NestedGrid(List.of(2, 3, 4, 5, 6, 7, 8), true)));
        assertEquals(5, unsigned.ratio(1));
        assertEquals(17, unsigned.ratio(2));
        assertEquals(18, signed.ratio(2));
        assertEquals(-126, signed.qmin(2));
        assertEquals(0, unsigned.qmin(2));
    }

    @Test
    void badCandidatesAreRejectedWithTheSetting() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new NestedGrid(List.of(4, 2), true)).getMessage().contains("increase"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new NestedGrid(List.of(1, 4), true)).getMessage().contains("bits"));
        assertThrows(IllegalArgumentException.class, () -> new NestedGrid(List.of(), true));
    }

    @Test
    void directCodeIsTheNearestLevelTiesUp() {
        Random r = new Random(3);
        for (List<Integer> bits : CANDIDATES) {
            for (boolean signed : new boolean[] {true, false}) {
                NestedGrid g = new NestedGrid(bits, signed);
                for (float u : samples(r, 4000)) {
                    float c = g.clamp(u);
                    for (int j = 0; j < g.size(); j++) assertEquals(nearest(c, g.levels(j), g.qmin(j)), g.code(c, j), "u=" + u + " grid " + g);
                }
            }
        }
    }

    @Test
    void offsetsSumToTheDirectCodeExactly() {
        Random r = new Random(5);
        for (List<Integer> bits : CANDIDATES) {
            for (boolean signed : new boolean[] {true, false}) {
                NestedGrid g = new NestedGrid(bits, signed);
                for (float u : samples(r, 4000)) {
                    float c = g.clamp(u);
                    int[] d = g.offsets(c);
                    for (int j = 0; j < g.size(); j++) {
                        assertEquals(g.code(c, j), g.sum(d, j, j), "code, u=" + u + " j=" + j + " " + g);
                        int top = g.size() - 1;
                        assertEquals(g.levels(top) / g.levels(j) * g.code(c, j), g.sum(d, j, top));
                        if (j > 0) assertTrue(Math.abs(d[j]) <= (g.ratio(j) + 1) / 2, "offset " + d[j] + " of ratio " + g.ratio(j));
                    }
                }
            }
        }
    }

    /** Through the op: gates that stop at candidate j give the direct b_j-bit values bit for bit. */
    @Test
    void gatedSumEqualsTheDirectQuantizerPerTensorAndPerChannel() {
        Random r = new Random(11);
        for (List<Integer> bits : CANDIDATES) {
            for (boolean signed : new boolean[] {true, false}) {
                NestedGrid g = new NestedGrid(bits, signed);
                for (int channels : new int[] {1, 6}) {
                    int inner = 50;
                    float[] x = new float[channels * inner];
                    float[] alpha = new float[channels];
                    for (int k = 0; k < channels; k++) alpha[k] = 0.05f + 3 * r.nextFloat();
                    for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * alpha[i / inner] * 0.6);
                    x[0] = alpha[0] / 2;                 // a tie on every grid with an even number of levels
                    x[1] = alpha[0] * 2;                 // clipped
                    x[2] = -alpha[0];
                    Tensor xt = Tensor.fromArray(x, channels, inner), at = Tensor.fromArray(alpha, channels);
                    for (int j = 0; j < g.size(); j++) {
                        float[] gates = new float[g.size()];
                        for (int q = 0; q <= j; q++) gates[q] = 1;
                        if (j + 2 < g.size()) gates[g.size() - 1] = 1;      // a gate above an off one does not count
                        float[] got = SuperBitQuantize.apply(g, xt, at, Tensor.ones(channels), Tensor.fromArray(gates, gates.length)).toArray();
                        for (int i = 0; i < x.length; i++) {
                            float a = alpha[i / inner];
                            float direct = g.value(a, g.code(g.clamp(x[i] / a), j), j);
                            assertEquals(Float.floatToIntBits(direct), Float.floatToIntBits(got[i]),
                                    "x=" + x[i] + " α=" + a + " b=" + bits.get(j) + ": " + got[i] + " vs " + direct);
                        }
                    }
                }
            }
        }
    }

    /** Integer conversion re-quantizes the chosen values with scale fl(α/M): it gets the searched code back. */
    @Test
    void chosenValuesQuantizeBackToTheirCodes() {
        Random r = new Random(13);
        for (boolean signed : new boolean[] {true, false}) {
            NestedGrid g = new NestedGrid(List.of(2, 4, 8), signed);
            for (int trial = 0; trial < 200; trial++) {
                float alpha = (float) Math.exp(r.nextGaussian() * 3);
                for (int j = 0; j < g.size(); j++) {
                    QParams p = QParams.perTensor((float) (alpha / (double) g.levels(j)), 0, g.qmin(j), g.qmax(j));
                    for (int q = g.qmin(j); q <= g.qmax(j); q++) assertEquals(q, p.quantize(g.value(alpha, q, j), 0), "α=" + alpha + " q=" + q);
                }
            }
        }
    }

    /** The level k in [qmin, M] nearest to u·M, ties to the larger (|u·M − k| is exact in double). */
    private static int nearest(float u, int levels, int qmin) {
        double x = (double) u * levels, bestDist = Double.POSITIVE_INFINITY;
        int best = 0;
        for (int k = qmin; k <= levels; k++) {
            double d = Math.abs(x - k);
            if (d < bestDist || d == bestDist && k > best) {
                bestDist = d;
                best = k;
            }
        }
        return best;
    }

    /** Gaussian values, exact ties k/(2M), the clip ends, zero, tiny and out-of-range values. */
    private static List<Float> samples(Random r, int n) {
        List<Float> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add((float) (r.nextGaussian() * 0.5));
        for (int m : new int[] {1, 3, 6, 7, 15, 126, 255}) for (int k = -2 * m - 1; k <= 2 * m + 1; k += 1) out.add((float) k / (2 * m));
        for (float f : new float[] {0f, -0f, 1f, -1f, 1.5f, -3f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, Math.nextDown(1f), 0.5f, -0.5f}) out.add(f);
        return out;
    }

    private static int[] levels(NestedGrid g) {
        int[] m = new int[g.size()];
        for (int j = 0; j < m.length; j++) m[j] = g.levels(j);
        return m;
    }
}
