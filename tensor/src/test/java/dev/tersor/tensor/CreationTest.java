package dev.tersor.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CreationTest {

    @Test
    void constantFactories() {
        assertArrayEquals(new float[] {0, 0, 0, 0}, Tensor.zeros(2, 2).toArray());
        assertArrayEquals(new float[] {1, 1, 1}, Tensor.ones(3).toArray());
        assertArrayEquals(new float[] {7, 7}, Tensor.full(7f, 2).toArray());
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0}, Tensor.eye(2, 3).toArray());
        assertEquals(4.5f, Tensor.scalar(4.5f).item());
        assertArrayEquals(new int[0], Tensor.scalar(1f).shape());
        assertThrows(IllegalArgumentException.class, () -> Tensor.fromArray(new float[3], 2, 2));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(-1, 2));
    }

    @Test
    void rangesAndLinspace() {
        assertArrayEquals(new float[] {0, 1, 2, 3}, Tensor.arange(4).toArray());
        assertArrayEquals(new float[] {1, 1.25f, 1.5f, 1.75f}, Tensor.arange(1, 2, 0.25f).toArray());
        assertArrayEquals(new float[] {3, 1}, Tensor.arange(3, 0, -2).toArray());
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1f}, Tensor.linspace(0, 1, 5).toArray());
        assertArrayEquals(new float[] {2}, Tensor.linspace(2, 3, 1).toArray());
        assertThrows(IllegalArgumentException.class, () -> Tensor.arange(0, 1, 0));
    }

    /** The same seed gives the same numbers on every JVM: these goldens pin the sequence. */
    @Test
    void generatorSequenceIsPinned() {
        Generator g = new Generator(42);
        assertEquals(0xBDD732262FEB6E95L, g.nextLong());
        Generator u = new Generator(0);
        float[] first = Tensor.rand(u, 3).toArray();
        Generator again = new Generator(0);
        assertArrayEquals(first, Tensor.rand(again, 3).toArray());
        for (float f : first) assertTrue(f >= 0f && f < 1f);
    }

    @Test
    void randnHasUnitMomentsAndIsReproducible() {
        float[] a = Tensor.randn(new Generator(7), 20000).toArray();
        assertArrayEquals(a, Tensor.randn(new Generator(7), 20000).toArray());
        assertNotEquals(a[0], Tensor.randn(new Generator(8), 1).item());
        double mean = 0, sq = 0;
        for (float v : a) {
            mean += v;
            sq += v * v;
        }
        mean /= a.length;
        assertEquals(0, mean, 0.03);
        assertEquals(1, sq / a.length - mean * mean, 0.05);
    }

    @Test
    void randintIsAnIntegerTensorInRange() {
        IntTensor r = Tensor.randint(new Generator(1), 3, 7, 1000);
        int[] seen = new int[7];
        for (int v : r.toArray()) {
            assertTrue(v >= 3 && v < 7);
            seen[v]++;
        }
        for (int v = 3; v < 7; v++) assertTrue(seen[v] > 200, "value " + v + " appears " + seen[v] + " times");
        assertThrows(IllegalArgumentException.class, () -> Tensor.randint(new Generator(1), 3, 3, 2));
    }

    @Test
    void generatorStateRestoresTheExactSequence() {
        Generator g = new Generator(5);
        g.nextGaussian();                       // leaves a cached deviate
        long[] saved = g.state();
        float[] expected = {g.nextGaussian(), g.nextGaussian(), g.nextFloat()};
        Generator r = Generator.restore(saved);
        assertArrayEquals(expected, new float[] {r.nextGaussian(), r.nextGaussian(), r.nextFloat()});
        assertThrows(IllegalArgumentException.class, () -> Generator.restore(new long[1]));
    }

    @Test
    void permutationIsAPermutation() {
        int[] p = new Generator(9).permutation(50);
        boolean[] hit = new boolean[50];
        for (int i : p) hit[i] = true;
        for (boolean h : hit) assertTrue(h);
    }

    @Test
    void itemAndGetCheckTheirArguments() {
        Tensor t = Tensor.arange(6).reshape(2, 3);
        assertEquals(5f, t.get(1, 2));
        assertThrows(IllegalStateException.class, t::item);
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0));
        assertThrows(IllegalArgumentException.class, () -> t.get(1));
    }

    @Test
    void intTensorBasics() {
        IntTensor t = IntTensor.of(new int[] {3, 1, 4, 1, 5, 9}, 2, 3);
        assertEquals(9, t.get(1, 2));
        assertEquals(3, t.size(-1));
        assertArrayEquals(new int[] {3, 2}, t.reshape(3, -1).shape());
        assertEquals(2, t.countEqual(IntTensor.of(new int[] {3, 0, 4, 0, 0, 0}, 2, 3)));
        assertArrayEquals(new float[] {3, 1, 4, 1, 5, 9}, t.toFloat().toArray());
        assertEquals(IntTensor.of(new int[] {1, 2}, 2), IntTensor.of(new int[] {1, 2}, 2));
        assertTrue(t.toString().contains("dtype=int32"), t.toString());
    }

    @Test
    void toStringLooksLikePyTorch() {
        Tensor t = Tensor.fromArray(new float[] {1.5f, -2f, 0.25f, 3f}, 2, 2);
        assertEquals("tensor([[ 1.5000, -2.0000],\n        [ 0.2500,  3.0000]], shape=[2, 2])", t.toString());
        assertEquals("tensor([0, 1, 2], shape=[3])", Tensor.arange(3).toString());
        assertEquals("tensor(2.5000, shape=[])", Tensor.scalar(2.5f).toString());
        Tensor w = Tensor.ones(2).requiresGrad(true);
        assertTrue(w.toString().endsWith("requires_grad=true)"), w.toString());
        assertTrue(w.mul(2f).toString().contains("grad_fn=<mul>"));
    }

    @Test
    void largeTensorsAreElided() {
        String s = Tensor.arange(5000).toString();
        assertTrue(s.startsWith("tensor([   0,    1,    2, ..., 4997, 4998, 4999]"), s);
        assertTrue(s.length() < 200, "elided output stays short: " + s.length());
        String m = Tensor.zeros(100, 100).toString();
        assertTrue(m.contains("...") && m.split("\n").length < 12, m);
    }
}
