package dev.tersor.tensor.lowbit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every available XNOR loop against a direct evaluation of its contract. */
class XnorKernelParityTest {

    @Test
    void everyKernelMatchesTheDefinition() {
        Random rnd = new Random(3);
        for (XnorKernel kernel : XnorKernels.available()) {
            for (int k : new int[] {1, 2, 7, 16, 17, 33}) {
                for (int np : new int[] {1, 2, 3, 4, 5, 9}) {
                    for (int segLen : new int[] {1, 3}) {
                        int[] segOff = {0, 5, 11};
                        int pixStep = 2, base = 1;
                        int steps = segOff.length * segLen;
                        long[] act = new long[base + (np - 1) * pixStep + 11 + segLen];
                        for (int i = 0; i < act.length; i++) act[i] = rnd.nextLong();
                        long[] rows = new long[k * steps];
                        for (int i = 0; i < rows.length; i++) rows[i] = rnd.nextLong();
                        int stride = kernel.accStride(k);
                        int[] acc = new int[np * stride];
                        kernel.accumulate(act, base, pixStep, np, segOff, segLen, kernel.layout(rows, k, steps), k, acc);
                        int[] got = new int[np * k], want = new int[np * k];
                        for (int p = 0; p < np; p++) {
                            for (int o = 0; o < k; o++) {
                                got[p * k + o] = acc[p * stride + o];
                                int sum = 0;
                                for (int s = 0; s < segOff.length; s++) {
                                    for (int j = 0; j < segLen; j++) {
                                        sum += Long.bitCount(act[base + p * pixStep + segOff[s] + j] ^ rows[o * steps + s * segLen + j]);
                                    }
                                }
                                want[p * k + o] = sum;
                            }
                        }
                        assertArrayEquals(want, got, kernel.name() + " k=" + k + " np=" + np + " segLen=" + segLen);
                    }
                }
            }
        }
    }

    @Test
    void scalarIsAlwaysAvailableAndSimdFromJdk19() {
        assertEquals("scalar", XnorKernels.available().get(0).name());
        boolean vectorModule = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        if (vectorModule && Runtime.version().feature() >= 19) {
            assertEquals("vector-bitcount", XnorKernels.vector().name());
        }
    }
}
