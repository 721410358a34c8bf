package dev.tersor.tensor.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CsrMatrixTest {
    @Test
    void fromDenseMatchesTheHandWrittenForm() {
        CsrMatrix m = CsrMatrix.fromDense(new float[] {0, 2, 0, 0, 0, 0, 5, -0f, 7}, 3, 3);
        assertArrayEquals(new int[] {0, 1, 1, 3}, m.rowPointers());
        assertArrayEquals(new int[] {1, 0, 2}, m.columns());
        assertArrayEquals(new float[] {2, 5, 7}, m.values());
        assertEquals(3.0 / 9, m.density(), 1e-12);
        assertArrayEquals(new float[] {0, 2, 0, 0, 0, 0, 5, 0, 7}, m.toDense());
    }

    @Test
    void rowRangeKeepsTheRowsOfAGroup() {
        CsrMatrix m = CsrMatrix.fromDense(new float[] {1, 0, 0, 2, 3, 0, 0, 0, 0, 4, 5, 6}, 4, 3);
        CsrMatrix tail = m.rowRange(2, 4);
        assertArrayEquals(new int[] {0, 0, 3}, tail.rowPointers());
        assertArrayEquals(new float[] {0, 0, 0, 4, 5, 6}, tail.toDense());
        assertArrayEquals(new int[] {0, 1, 3}, m.rowRange(0, 2).rowPointers());
    }

    @Test
    void brokenInvariantsAreNamed() {
        float[] v = {1, 2, 3};
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new CsrMatrix(2, 3, new int[] {0, 2, 1}, new int[] {0, 1, 2}, v))
                .getMessage().contains("not monotone"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new CsrMatrix(2, 3, new int[] {0, 2, 3}, new int[] {0, 3, 2}, v))
                .getMessage().contains("column index 3 at position 1 (row 0) is outside [0, 3)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new CsrMatrix(2, 3, new int[] {0, 2, 3}, new int[] {1, 1, 2}, v))
                .getMessage().contains("not increasing"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new CsrMatrix(2, 3, new int[] {1, 2, 3}, new int[] {0, 1, 2}, v))
                .getMessage().contains("row pointer 0 is 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new CsrMatrix(2, 3, new int[] {0, 1, 2}, new int[] {0, 1, 2}, v))
                .getMessage().contains("last row pointer is 2 but there are 3 values"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new CsrMatrix(2, 3, new int[] {0, 9, 9}, new int[] {0, 1, 2}, v))
                .getMessage().contains("past the 3 values"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new CsrMatrix(2, 3, new int[] {0, 3}, new int[] {0, 1, 2}, v))
                .getMessage().contains("need 3 row pointers"));
    }
}
