package dev.tersor.compress.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Percentile ranges against exact sample percentiles; bad input for every observer. */
class PercentileObserverTest {

    /** Exact percentile with linear interpolation between order statistics (numpy's default). */
    private static double exact(float[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(i + 1, sorted.length - 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }

    @Test
    void rangeIsWithinOneBinOfTheExactPercentilesOverAllBatches() {
        Generator g = new Generator(7);
        PercentileObserver o = new PercentileObserver(99.0, 256);
        List<float[]> all = new ArrayList<>();
        float[] scales = {0.5f, 2f, 1f, 8f, 3f};     // the range grows (grid coarsens) and shrinks
        float[] shifts = {0f, 1f, -2f, 5f, 0f};
        for (int b = 0; b < scales.length; b++) {
            Tensor x = Tensor.randn(g, 2000).mul(scales[b]).add(shifts[b]);
            o.observe(x.reshape(20, 100));
            all.add(x.toArray());
        }
        float[] values = new float[all.size() * 2000];
        for (int b = 0; b < all.size(); b++) System.arraycopy(all.get(b), 0, values, b * 2000, 2000);
        Arrays.sort(values);
        float[] r = o.range();
        double w = o.binWidth();
        double gap = 3 * (values[values.length - 1] - values[0]) / values.length;   // sample-spacing slack
        assertEquals(exact(values, 0.01), r[0], w + gap, "P1");
        assertEquals(exact(values, 0.99), r[1], w + gap, "P99");
        assertTrue(w <= 4.0 * (values[values.length - 1] - values[0]) / 256, "bin width " + w + " within the documented bound");
        assertTrue(r[1] < values[values.length - 1] - 10 * w, "an upper percentile below the maximum");
    }

    @Test
    void handComputedPercentilesOfEvenlySpacedValues() {
        // 0, 1, ..., 999 in one batch: P(100 - 99) = 10 and P(99) = 990 by the cumulative count.
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) v[i] = i;
        PercentileObserver o = new PercentileObserver(99.0, 4096);
        o.observe(Tensor.fromArray(v, 1000));
        float[] r = o.range();
        assertEquals(10f, r[0], o.binWidth() + 1e-4);
        assertEquals(990f, r[1], o.binWidth() + 1e-4);
        QParams qp = o.qparams(QuantScheme.affine(8));
        assertEquals((r[1] - 0f) / 255f, qp.scale(0), 1e-6);   // the range is widened to contain 0
        assertEquals(0, qp.zeroPoint(0));
    }

    @Test
    void percentile100IsMinMaxAndAConstantIsExact() {
        PercentileObserver o = new PercentileObserver(100);
        o.observe(Tensor.fromArray(new float[] {-3f, 0.5f, 7f}, 3));
        assertArrayEquals(new float[] {-3f, 7f}, o.range());
        PercentileObserver c = new PercentileObserver();
        c.observe(Tensor.full(0.25f, 50));
        assertArrayEquals(new float[] {0.25f, 0.25f}, c.range());
        c.observe(Tensor.fromArray(new float[] {-1f, 1f}, 2));   // growth from a zero-width first range
        assertTrue(c.range()[0] >= -1f && c.range()[1] <= 1f);
        c.reset();
        assertFalse(c.hasData());
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new PercentileObserver(50));
        assertThrows(IllegalArgumentException.class, () -> new PercentileObserver(100.5));
        assertThrows(IllegalArgumentException.class, () -> new PercentileObserver(99, 15));
        assertThrows(IllegalArgumentException.class, () -> new HistogramObserver(1, 128, 8, HistogramObserver.Edges.EXACT));
        assertThrows(IllegalArgumentException.class, () -> new HistogramObserver(9));
    }

    @Test
    void everyObserverRejectsNonFiniteValues() {
        List<Supplier<Observer>> all = List.of(MinMaxObserver::new, MovingAverageMinMaxObserver::new,
                PercentileObserver::new, HistogramObserver::new);
        for (Supplier<Observer> make : all) {
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                Observer o = make.get();
                o.observe(Tensor.fromArray(new float[] {1f, 2f}, 2));
                float[] before = o.range();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> o.observe(Tensor.fromArray(new float[] {0f, bad}, 2)));
                assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
                assertArrayEquals(before, o.range(), o.getClass().getSimpleName() + " unchanged by a rejected tensor");
            }
        }
    }
}
