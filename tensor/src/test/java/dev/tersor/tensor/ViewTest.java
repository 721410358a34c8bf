package dev.tersor.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ViewTest {
    private final Tensor t = Tensor.arange(24).reshape(2, 3, 4);

    @Test
    void reshapeSharesStorageAndInfersMinusOne() {
        Tensor r = t.reshape(4, -1);
        assertArrayEquals(new int[] {4, 6}, r.shape());
        assertSame(t.storage, r.storage);
        assertThrows(IllegalArgumentException.class, () -> t.reshape(5, -1));
        assertThrows(IllegalArgumentException.class, () -> t.reshape(-1, -1));
    }

    @Test
    void viewOfTransposeFailsButReshapeCopies() {
        Tensor tr = t.transpose(1, 2);
        assertFalse(tr.isContiguous());
        var e = assertThrows(IllegalArgumentException.class, () -> tr.view(24));
        assertTrue(e.getMessage().contains("reshape"), e.getMessage());
        Tensor flat = tr.reshape(24);
        assertEquals(4f, flat.toArray()[1]);
        assertTrue(flat.isContiguous());
        Tensor split = tr.view(2, 2, 2, 3);   // splitting a strided axis is still a view
        assertArrayEquals(new int[] {12, 2, 1, 4}, split.strides());
        assertSame(t.storage, split.storage);
    }

    @Test
    void permuteTransposeAndContiguous() {
        Tensor p = t.permute(2, 0, 1);
        assertArrayEquals(new int[] {4, 2, 3}, p.shape());
        assertEquals(t.get(1, 2, 3), p.get(3, 1, 2));
        assertArrayEquals(new float[] {0, 4, 8, 12, 16, 20}, java.util.Arrays.copyOf(p.contiguous().toArray(), 6));
        assertThrows(IllegalArgumentException.class, () -> t.permute(0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> t.permute(0, 1));
    }

    @Test
    void sliceWithStepAndNegativeBounds() {
        Tensor s = t.slice(2, 1, 4, 2);
        assertArrayEquals(new int[] {2, 3, 2}, s.shape());
        assertArrayEquals(new float[] {1, 3, 5, 7}, java.util.Arrays.copyOf(s.toArray(), 4));
        Tensor last = t.slice(1, -1, 3, 1);
        assertArrayEquals(new float[] {8, 9, 10, 11, 20, 21, 22, 23}, last.toArray());
        assertArrayEquals(new int[] {2, 0, 4}, t.slice(1, 5, 9, 1).shape(), "Python slicing clamps");
        assertThrows(IllegalArgumentException.class, () -> t.slice(1, 0, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> t.narrow(1, 2, 2));
    }

    @Test
    void selectSqueezeUnsqueeze() {
        assertArrayEquals(new float[] {4, 5, 6, 7}, t.select(1, 1).select(0, 0).toArray());
        assertArrayEquals(new int[] {2, 1, 3, 4}, t.unsqueeze(1).shape());
        assertArrayEquals(new int[] {2, 3, 4, 1}, t.unsqueeze(-1).shape());
        assertArrayEquals(new int[] {2, 3, 4}, t.unsqueeze(0).squeeze().shape());
        assertArrayEquals(new int[] {3}, Tensor.zeros(1, 3, 1).squeeze(0, 2).shape());
        assertArrayEquals(new int[] {1, 3}, Tensor.zeros(1, 3, 1).squeeze(2).shape());
    }

    @Test
    void expandUsesZeroStrides() {
        Tensor col = Tensor.fromArray(new float[] {1, 2}, 2, 1);
        Tensor e = col.expand(3, 2, 4);
        assertArrayEquals(new int[] {3, 2, 4}, e.shape());
        assertEquals(0, e.strides()[0]);
        assertEquals(2f, e.get(2, 1, 3));
        assertArrayEquals(new int[] {2, 5}, col.expand(-1, 5).shape());
        assertThrows(IllegalArgumentException.class, () -> col.expand(3, 4));
    }

    @Test
    void catStackSplitChunk() {
        Tensor a = Tensor.ones(2, 2), b = Tensor.zeros(2, 3);
        Tensor c = Tensor.cat(1, a, b);
        assertArrayEquals(new int[] {2, 5}, c.shape());
        assertArrayEquals(new float[] {1, 1, 0, 0, 0, 1, 1, 0, 0, 0}, c.toArray());
        assertArrayEquals(new int[] {2, 2, 2}, Tensor.stack(1, a, a).shape());
        Tensor[] parts = c.split(new int[] {1, 4}, 1);
        assertArrayEquals(new int[] {2, 4}, parts[1].shape());
        assertEquals(3, Tensor.arange(10).split(4, 0).length);
        assertEquals(2, Tensor.arange(10).split(4, 0)[2].numel());
        assertEquals(3, Tensor.arange(5).chunk(3, 0).length);
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.cat(0, a, b));
        assertTrue(e.getMessage().contains("[2, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.stack(0, a, b));
    }

    @Test
    void constantPadFromTheLastAxis() {
        Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor p = x.pad(new int[] {1, 0, 0, 1}, -1f);
        assertArrayEquals(new int[] {3, 3}, p.shape());
        assertArrayEquals(new float[] {-1, 1, 2, -1, 3, 4, -1, -1, -1}, p.toArray());
        assertThrows(IllegalArgumentException.class, () -> x.pad(new int[] {1}, 0f));
    }

    @Test
    void viewGradients() {
        GradCheck.check(in -> in[0].reshape(6, 4), GradCheck.leaf(1, 2, 3, 4));
        GradCheck.check(in -> in[0].transpose(0, 2).reshape(-1), GradCheck.leaf(2, 2, 3, 4));
        GradCheck.check(in -> in[0].permute(1, 2, 0), GradCheck.leaf(3, 2, 3, 4));
        GradCheck.check(in -> in[0].slice(1, 0, 3, 2), GradCheck.leaf(4, 2, 3, 4));
        GradCheck.check(in -> in[0].narrow(2, 1, 2).unsqueeze(0), GradCheck.leaf(5, 2, 3, 4));
        GradCheck.check(in -> in[0].expand(5, 2, 3), GradCheck.leaf(6, 2, 1));
        GradCheck.check(in -> in[0].select(0, 1).squeeze(), GradCheck.leaf(7, 2, 1, 4));
        GradCheck.check(in -> Tensor.cat(0, in[0], in[1].transpose(0, 1)), GradCheck.leaf(8, 2, 3), GradCheck.leaf(9, 3, 4));
        GradCheck.check(in -> Tensor.stack(2, in[0], in[1]), GradCheck.leaf(10, 2, 3), GradCheck.leaf(11, 2, 3));
        GradCheck.check(in -> in[0].split(new int[] {1, 2}, 1)[1], GradCheck.leaf(12, 2, 3));
        GradCheck.check(in -> in[0].pad(new int[] {2, 1, 1, 0}, 3f), GradCheck.leaf(13, 2, 3));
        GradCheck.check(in -> in[0].flatten(1, 2), GradCheck.leaf(14, 2, 3, 4));
    }

    @Test
    void writesThroughAViewAreSeenByTheBase() {
        Tensor base = Tensor.zeros(3, 3);
        base.slice(1, 1, 3, 1).fillInPlace(7f);
        assertArrayEquals(new float[] {0, 7, 7, 0, 7, 7, 0, 7, 7}, base.toArray());
        base.select(0, 2).copyInPlace(Tensor.arange(3));
        assertArrayEquals(new float[] {0, 1, 2}, base.select(0, 2).toArray());
    }
}
