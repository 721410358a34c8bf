package dev.tersor.tensor;

import static dev.tersor.tensor.ConvolutionTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IndexingTest {

    @Test
    void gatherHandComputed() {
        // torch.gather([[1, 2], [3, 4]], 1, [[0, 0], [1, 0]]) = [[1, 1], [4, 3]]
        Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        Tensor y = Functional.gather(x, 1, IntTensor.of(new int[] {0, 0, 1, 0}, 2, 2));
        assertArrayEquals(new float[] {1, 1, 4, 3}, y.toArray());
        y.sum().backward();
        assertArrayEquals(new float[] {2, 0, 1, 1}, x.grad().toArray());   // scatter-add: index 0 of row 0 read twice
        // along axis 0 with a smaller index: [[x[1,0], x[0,1]]]
        assertArrayEquals(new float[] {3, 2}, Functional.gather(x.detach(), 0, IntTensor.of(new int[] {1, 0}, 1, 2)).toArray());
    }

    @Test
    void gatherGradients() {
        IntTensor idx = Tensor.randint(new Generator(1), 0, 4, 3, 2, 5);
        GradCheck.check(in -> Functional.gather(in[0], 1, idx), GradCheck.leaf(2, 3, 4, 5));
        GradCheck.check(in -> Functional.gather(in[0].permute(2, 0, 1), -1, Tensor.randint(new Generator(3), 0, 3, 2, 2, 5)),
                GradCheck.leaf(4, 2, 3, 5));
    }

    @Test
    void indexSelectHandComputed() {
        Tensor x = Tensor.arange(6).reshape(2, 3).requiresGrad(true);
        Tensor y = Functional.indexSelect(x, 1, IntTensor.of(new int[] {2, 0, 2}, 3));
        assertArrayEquals(new int[] {2, 3}, y.shape());
        assertArrayEquals(new float[] {2, 0, 2, 5, 3, 5}, y.toArray());
        y.sum().backward();
        assertArrayEquals(new float[] {1, 0, 2, 1, 0, 2}, x.grad().toArray());   // index-add: column 2 chosen twice
        assertArrayEquals(new float[] {3, 4, 5}, Functional.indexSelect(x.detach(), 0, IntTensor.of(new int[] {1}, 1)).toArray());
    }

    @Test
    void indexSelectGradients() {
        IntTensor idx = IntTensor.of(new int[] {3, 0, 3, 1}, 4);
        GradCheck.check(in -> Functional.indexSelect(in[0], 1, idx), GradCheck.leaf(5, 2, 4, 3));
        GradCheck.check(in -> Functional.indexSelect(in[0].transpose(0, 2), 0, idx), GradCheck.leaf(6, 2, 3, 4));
    }

    @Test
    void oneHotExact() {
        Tensor y = Functional.oneHot(IntTensor.of(new int[] {2, 0, 1, 2}, 2, 2), 3);
        assertArrayEquals(new int[] {2, 2, 3}, y.shape());
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1}, y.toArray());
        assertArrayEquals(new int[] {3, 4}, Functional.oneHot(IntTensor.of(new int[] {0, 3, 1}, 3), -1).shape());
        assertFalse(y.requiresGrad());
    }

    @Test
    void badIndicesNameIndexAxisAndSize() {
        Tensor x = Tensor.zeros(2, 3);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Functional.gather(x, 1, IntTensor.of(new int[] {0, 3}, 1, 2)));
        assertContains(e.getMessage(), "gather", "index 3", "[0, 1]", "axis 1", "size 3", "[2, 3]");
        e = assertThrows(IndexOutOfBoundsException.class, () -> Functional.indexSelect(x, 0, IntTensor.of(new int[] {1, -1}, 2)));
        assertContains(e.getMessage(), "indexSelect", "index -1", "axis 0", "size 2");
        e = assertThrows(IndexOutOfBoundsException.class, () -> Functional.oneHot(IntTensor.of(new int[] {0, 5}, 2), 3));
        assertContains(e.getMessage(), "oneHot", "label 5", "3 classes");
        assertMessage(() -> Functional.gather(x, 0, IntTensor.of(new int[] {0}, 1)), "gather", "[1]", "[2, 3]", "rank");
        assertMessage(() -> Functional.gather(x, 0, IntTensor.of(new int[] {0, 0, 0, 0}, 1, 4)), "gather", "[1, 4]", "[2, 3]");
        assertMessage(() -> Functional.indexSelect(x, 0, IntTensor.of(new int[] {0, 0}, 1, 2)), "indexSelect", "1-D");
        assertMessage(() -> Functional.indexSelect(x, 2, IntTensor.of(new int[] {0}, 1)), "indexSelect", "axis 2");
        assertMessage(() -> Functional.oneHot(IntTensor.of(new int[] {0}, 1), 0), "oneHot", "numClasses");
    }

    private static void assertContains(String message, String... fragments) {
        for (String f : fragments) assertTrue(message.contains(f), "message '" + message + "' lacks '" + f + "'");
    }
}
