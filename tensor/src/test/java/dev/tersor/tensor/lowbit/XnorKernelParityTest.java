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
    void planarFormMatchesTheDefinition() {
        Random rnd = new Random(4);
        for (XnorKernel kernel : XnorKernels.available()) {
            for (int k : new int[] {1, 3, 4, 6, 17}) {
                for (int np : new int[] {1, 5, 8, 9, 16, 23}) {
                    int[] tapOff = {0, 3, 40};
                    int words = 2, wordStride = 70, base = 2;
                    int steps = tapOff.length * words, kRows = (k + 3) / 4 * 4;
                    int npr = (np + kernel.positionBlock() - 1) / kernel.positionBlock() * kernel.positionBlock();
                    long[] act = new long[base + 40 + wordStride + npr];
                    for (int i = 0; i < act.length; i++) act[i] = rnd.nextLong();
                    long[] rows = new long[kRows * steps];
                    for (int i = 0; i < k * steps; i++) rows[i] = rnd.nextLong();
                    int accStride = npr + 3;
                    int[] acc = new int[kRows * accStride];
                    kernel.accumulatePlanar(act, base, tapOff, words, wordStride, np, rows, k, acc, accStride);
                    for (int o = 0; o < k; o++) {
                        for (int p = 0; p < np; p++) {
                            int sum = 0;
                            for (int t = 0; t < tapOff.length; t++) {
                                for (int j = 0; j < words; j++) {
                                    sum += Long.bitCount(act[base + tapOff[t] + j * wordStride + p] ^ rows[o * steps + t * words + j]);
                                }
                            }
                            assertEquals(sum, acc[o * accStride + p], kernel.name() + " k=" + k + " np=" + np + " o=" + o + " p=" + p);
                        }
                    }
                }
            }
        }
    }

    @Test
    void packingMatchesTheScalarReferenceIncludingSpecialValues() {
        Random rnd = new Random(5);
        for (XnorKernel kernel : XnorKernels.available()) {
            for (int c : new int[] {1, 3, 63, 64, 65, 130}) {
                for (int plane : new int[] {1, 7, 16, 33, 100}) {
                    float[] x = new float[c * plane + 3];
                    for (int i = 0; i < x.length; i++) {
                        int r = rnd.nextInt(20);
                        x[i] = r == 0 ? -0f : r == 1 ? 0f : r == 2 ? Float.NaN : (float) rnd.nextGaussian();
                    }
                    int words = PackedBits.words(c), wordStride = plane + 5;
                    int[] dstPix = new int[plane];
                    for (int p = 0; p < plane; p++) dstPix[p] = p + 2;
                    long[] want = new long[2 + words * wordStride + 8], got = new long[want.length];
                    PackedBits.packPixels(x, 3, plane, c, 0, plane, want, 1, dstPix, wordStride);
                    kernel.packPixels(x, 3, plane, c, 0, plane, got, 1, dstPix, wordStride);
                    assertArrayEquals(want, got, kernel.name() + " C=" + c + " plane=" + plane);
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
