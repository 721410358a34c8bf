package dev.tersor.tensor.lowbit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tersor.tensor.Generator;
import dev.tersor.tensor.Tensor;
import org.junit.jupiter.api.Test;

class XnorGemmTest {

    @Test
    void matchesSignDotProductsOnOddSizes() {
        for (XnorKernel kernel : XnorKernels.available()) {
            for (int k : new int[] {1, 3, 63, 64, 65, 130, 1000}) {
                int m = 5, n = 19;
                float[] a = Tensor.randn(new Generator(k), m, k).toArray();
                float[] b = Tensor.randn(new Generator(k + 1), n, k).toArray();
                int[] c = XnorGemm.gemm(kernel, PackedBits.packRows(a, 0, m, k), PackedBits.packRows(b, 0, n, k), m, n, k);
                int[] want = new int[m * n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        int s = 0;
                        for (int p = 0; p < k; p++) s += (a[i * k + p] >= 0 ? 1 : -1) * (b[j * k + p] >= 0 ? 1 : -1);
                        want[i * n + j] = s;
                    }
                }
                assertArrayEquals(want, c, kernel.name() + " k=" + k);
            }
        }
    }

    @Test
    void publicEntryUsesTheCurrentKernel() {
        long[] a = {0b1011L}, b = {0b0011L, 0b1011L};
        assertArrayEquals(new int[] {2, 4}, XnorGemm.gemm(a, b, 1, 2, 4));
    }

    @Test
    void rejectsShortOperands() {
        assertThrows(IllegalArgumentException.class, () -> XnorGemm.gemm(new long[1], new long[1], 2, 1, 10));
    }
}
