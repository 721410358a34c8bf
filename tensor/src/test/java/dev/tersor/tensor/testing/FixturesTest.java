package dev.tersor.tensor.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fixture reader against the committed PyTorch fixtures and against corrupt files built here. */
class FixturesTest {

    // ------------------------------------------------------------------ the committed fixtures

    @ParameterizedTest
    @ValueSource(strings = {"conv2d.safetensors", "conv_transpose2d.safetensors", "pool.safetensors",
            "interpolate.safetensors", "softmax.safetensors", "matmul.safetensors", "misc.safetensors"})
    void everyFixtureLoadsWithConsistentShapes(String file) {
        Fixtures f = Fixtures.load(file);
        assertTrue(f.cases() > 0, file + " has no cases");
        assertTrue(f.metadata().containsKey("torch"), file + " does not record the torch version");
        boolean matmul = file.startsWith("matmul");
        for (int c = 0; c < f.cases(); c++) {
            String what = file + " case " + c;
            assertFalse(f.params(c).isEmpty(), what + " has no params");
            Set<String> expected = new TreeSet<>();
            if (matmul) {
                expected.addAll(Set.of("a", "b", "grad_output", "output", "grad_a", "grad_b"));
            } else {
                expected.addAll(Set.of("input", "grad_output", "output", "grad_input"));
            }
            if (file.startsWith("conv")) {
                expected.addAll(Set.of("weight", "grad_weight"));
                if (f.ints(c, "bias")[0] == 1) {
                    expected.addAll(Set.of("bias", "grad_bias"));
                }
            }
            assertEquals(expected, f.tensors(c), what + " tensors");
            for (String t : f.tensors(c)) {
                assertTrue(f.has(c, t));
                assertEquals(numel(f.shape(c, t)), f.data(c, t).length, what + " " + t + " length vs shape");
                if (t.startsWith("grad_")) {
                    String of = t.equals("grad_output") ? "output" : t.substring("grad_".length());
                    assertArrayEquals(f.shape(c, of), f.shape(c, t), what + " " + t + " shape");
                }
                for (float v : f.data(c, t)) {
                    assertTrue(Float.isFinite(v), what + " " + t + " holds a non-finite value");
                }
            }
        }
    }

    @Test
    void paramsAndShapesOfKnownCases() {
        Fixtures conv = Fixtures.load("conv2d.safetensors");
        assertEquals(16, conv.cases());
        assertArrayEquals(new int[] {2, 1}, conv.ints(2, "stride"));
        assertArrayEquals(new int[] {1, 0}, conv.ints(2, "padding"));
        assertArrayEquals(new int[] {2}, conv.ints(2, "groups"));
        assertEquals("conv2d", conv.param(2, "op"));
        assertArrayEquals(new int[] {1, 4, 6, 5}, conv.shape(2, "input"));
        assertArrayEquals(new int[] {6, 2, 3, 2}, conv.shape(2, "weight"));
        assertArrayEquals(new int[] {1, 6, 3, 4}, conv.shape(2, "output"));
        assertFalse(conv.has(3, "bias"));

        Fixtures interp = Fixtures.load("interpolate.safetensors");
        assertEquals(Map.of("mode", "nearest", "size", "6,8", "scale", "2"), interp.params(2));

        Fixtures matmul = Fixtures.load("matmul.safetensors");
        assertArrayEquals(new int[0], matmul.shape(0, "output"), "1-D . 1-D gives a scalar");
        assertEquals(1, matmul.data(0, "output").length);
        assertArrayEquals(new int[] {2, 5, 3, 2}, matmul.shape(5, "output"));
    }

    @Test
    void dataIsACopy() {
        Fixtures f = Fixtures.load("softmax.safetensors");
        float[] first = f.data(0, "input");
        float keep = first[0];
        first[0] = 1e9f;
        assertEquals(keep, f.data(0, "input")[0]);
        int[] shape = f.shape(0, "input");
        shape[0] = 99;
        assertEquals(3, f.shape(0, "input")[0]);
    }

    @Test
    void missingThingsFailClearly() {
        Fixtures f = Fixtures.load("conv2d.safetensors");
        assertMessage(() -> f.data(3, "bias"), "case 3 has no tensor 'bias'");
        assertMessage(() -> f.data(16, "input"), "case 16 out of range [0, 16)");
        assertMessage(() -> f.ints(0, "nope"), "case 0 has no param 'nope'");
        assertMessage(() -> f.ints(0, "op"), "is not an integer list");
        assertMessage(() -> Fixtures.load("no-such.safetensors"), "not found");
    }

    // ------------------------------------------------------------------ values recomputed in Java

    /** softmax / log_softmax and their gradients, recomputed in double from the stored inputs. */
    @Test
    void softmaxCasesMatchJava() {
        Fixtures f = Fixtures.load("softmax.safetensors");
        for (int c = 0; c < f.cases(); c++) {
            int[] shape = f.shape(c, "input");
            int dim = f.ints(c, "dim")[0];
            if (dim < 0) {
                dim += shape.length;
            }
            boolean log = f.param(c, "op").equals("log_softmax");
            float[] x = f.data(c, "input");
            float[] g = f.data(c, "grad_output");
            int n = shape[dim];
            int inner = numel(Arrays.copyOfRange(shape, dim + 1, shape.length));
            int outer = x.length / (n * inner);
            double[] y = new double[x.length];
            double[] dx = new double[x.length];
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    int base = o * n * inner + i;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < n; k++) {
                        max = Math.max(max, x[base + k * inner]);
                    }
                    double sum = 0;
                    for (int k = 0; k < n; k++) {
                        sum += Math.exp(x[base + k * inner] - max);
                    }
                    double gsum = 0;
                    double gy = 0;
                    for (int k = 0; k < n; k++) {
                        int at = base + k * inner;
                        y[at] = log ? x[at] - max - Math.log(sum) : Math.exp(x[at] - max) / sum;
                        gsum += g[at];
                        gy += g[at] * y[at];
                    }
                    for (int k = 0; k < n; k++) {
                        int at = base + k * inner;
                        dx[at] = log ? g[at] - Math.exp(y[at]) * gsum : y[at] * (g[at] - gy);
                    }
                }
            }
            Fixtures.assertClose(f.data(c, "output"), toFloat(y), 1e-6, 1e-5, "softmax case " + c + " output");
            Fixtures.assertClose(f.data(c, "grad_input"), toFloat(dx), 1e-6, 1e-5, "softmax case " + c + " grad_input");
        }
    }

    /** torch.matmul semantics (1-D promotion, broadcast batch dims), forward and both gradients. */
    @Test
    void matmulCasesMatchJava() {
        Fixtures f = Fixtures.load("matmul.safetensors");
        for (int c = 0; c < f.cases(); c++) {
            int[] sa = f.shape(c, "a");
            int[] sb = f.shape(c, "b");
            float[] a = f.data(c, "a");
            float[] b = f.data(c, "b");
            float[] g = f.data(c, "grad_output");
            int m = sa.length == 1 ? 1 : sa[sa.length - 2];
            int k = sa[sa.length - 1];
            int n = sb.length == 1 ? 1 : sb[sb.length - 1];
            assertEquals(k, sb.length == 1 ? sb[0] : sb[sb.length - 2], "matmul case " + c + " inner dims");
            int[] ba = sa.length > 2 ? Arrays.copyOf(sa, sa.length - 2) : new int[0];
            int[] bb = sb.length > 2 ? Arrays.copyOf(sb, sb.length - 2) : new int[0];
            int rank = Math.max(ba.length, bb.length);
            int[] batch = new int[rank];
            for (int d = 0; d < rank; d++) {
                int da = d - (rank - ba.length) >= 0 ? ba[d - (rank - ba.length)] : 1;
                int db = d - (rank - bb.length) >= 0 ? bb[d - (rank - bb.length)] : 1;
                batch[d] = Math.max(da, db);
            }
            double[] y = new double[numel(batch) * m * n];
            double[] da = new double[a.length];
            double[] db = new double[b.length];
            int[] index = new int[rank];
            for (int p = 0; p < numel(batch); p++) {
                unravel(p, batch, index);
                int offA = broadcastOffset(index, ba) * m * k;
                int offB = broadcastOffset(index, bb) * k * n;
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        int at = (p * m + i) * n + j;
                        double s = 0;
                        for (int q = 0; q < k; q++) {
                            s += (double) a[offA + i * k + q] * b[offB + q * n + j];
                            da[offA + i * k + q] += (double) g[at] * b[offB + q * n + j];
                            db[offB + q * n + j] += (double) a[offA + i * k + q] * g[at];
                        }
                        y[at] = s;
                    }
                }
            }
            String what = "matmul case " + c + " " + Arrays.toString(sa) + "." + Arrays.toString(sb);
            Fixtures.assertClose(f.data(c, "output"), toFloat(y), 1e-6, 1e-5, what + " output");
            Fixtures.assertClose(f.data(c, "grad_a"), toFloat(da), 1e-6, 1e-5, what + " grad_a");
            Fixtures.assertClose(f.data(c, "grad_b"), toFloat(db), 1e-6, 1e-5, what + " grad_b");
        }
    }

    /** Direct conv2d forward (stride, padding, dilation, groups, bias) and grad_bias, in double. */
    @Test
    void conv2dCasesMatchJava() {
        Fixtures f = Fixtures.load("conv2d.safetensors");
        for (int c = 0; c < f.cases(); c++) {
            int[] xs = f.shape(c, "input");
            int[] ws = f.shape(c, "weight");
            int[] ys = f.shape(c, "output");
            int[] stride = f.ints(c, "stride");
            int[] pad = f.ints(c, "padding");
            int[] dil = f.ints(c, "dilation");
            int groups = f.ints(c, "groups")[0];
            assertArrayEquals(new int[] {ws[2], ws[3]}, f.ints(c, "kernel"));
            float[] x = f.data(c, "input");
            float[] w = f.data(c, "weight");
            float[] bias = f.has(c, "bias") ? f.data(c, "bias") : null;
            int n = xs[0], cin = xs[1], h = xs[2], wd = xs[3];
            int cout = ws[0], cpg = ws[1], kh = ws[2], kw = ws[3];
            int oh = (h + 2 * pad[0] - dil[0] * (kh - 1) - 1) / stride[0] + 1;
            int ow = (wd + 2 * pad[1] - dil[1] * (kw - 1) - 1) / stride[1] + 1;
            assertArrayEquals(new int[] {n, cout, oh, ow}, ys, "conv2d case " + c + " output shape");
            assertEquals(cin / groups, cpg);
            double[] y = new double[n * cout * oh * ow];
            for (int b = 0; b < n; b++) {
                for (int co = 0; co < cout; co++) {
                    int g0 = co / (cout / groups) * cpg;
                    for (int i = 0; i < oh; i++) {
                        for (int j = 0; j < ow; j++) {
                            double s = bias == null ? 0 : bias[co];
                            for (int ci = 0; ci < cpg; ci++) {
                                for (int u = 0; u < kh; u++) {
                                    int r = i * stride[0] - pad[0] + u * dil[0];
                                    for (int v = 0; v < kw; v++) {
                                        int q = j * stride[1] - pad[1] + v * dil[1];
                                        if (r >= 0 && r < h && q >= 0 && q < wd) {
                                            s += (double) x[((b * cin + g0 + ci) * h + r) * wd + q]
                                                    * w[((co * cpg + ci) * kh + u) * kw + v];
                                        }
                                    }
                                }
                            }
                            y[((b * cout + co) * oh + i) * ow + j] = s;
                        }
                    }
                }
            }
            Fixtures.assertClose(f.data(c, "output"), toFloat(y), 1e-5, 1e-5, "conv2d case " + c + " output");
            if (bias != null) {
                float[] go = f.data(c, "grad_output");
                double[] gb = new double[cout];
                for (int i = 0; i < go.length; i++) {
                    gb[i / (oh * ow) % cout] += go[i];
                }
                Fixtures.assertClose(f.data(c, "grad_bias"), toFloat(gb), 1e-5, 1e-5, "conv2d case " + c + " grad_bias");
            }
        }
    }

    // ------------------------------------------------------------------ corrupt files

    private static final String META = "\"__metadata__\":{\"cases\":\"1\",\"0.params\":\"op=x;k=2,1\"}";
    private static final String INPUT = "\"0.input\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
    private static final String OUTPUT = "\"0.output\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}";
    private static final float[] VALUES = {1.5f, -2f, 0.25f};

    @Test
    void parsesAHandBuiltFile() {
        Fixtures f = Fixtures.parse(file("{" + META + "," + INPUT + "," + OUTPUT + "}", VALUES), "ok.safetensors");
        assertEquals(1, f.cases());
        assertEquals(Map.of("op", "x", "k", "2,1"), f.params(0));
        assertArrayEquals(new int[] {2, 1}, f.ints(0, "k"));
        assertArrayEquals(new float[] {1.5f, -2f}, f.data(0, "input"));
        assertArrayEquals(new int[0], f.shape(0, "output"));
        assertArrayEquals(new float[] {0.25f}, f.data(0, "output"));
        assertEquals(Set.of("input", "output"), f.tensors(0));
    }

    @Test
    void jsonEscapesAndWhitespace() {
        String header = "{ \"__metadata__\" : { \"cases\" : \"1\", \"0.params\" : \"op=x\","
                + " \"note\" : \"q\\\"b\\\\s\\/\\u00e9\\n\\t\" } ,\n " + INPUT + " , " + OUTPUT + " }";
        Fixtures f = Fixtures.parse(file(header, VALUES), "escapes.safetensors");
        assertEquals("q\"b\\s/\u00e9\n\t", f.metadata().get("note"));
    }

    @Test
    void corruptFilesFailWithClearMessages() {
        String good = "{" + META + "," + INPUT + "," + OUTPUT + "}";
        byte[] valid = file(good, VALUES);

        assertCorrupt(Arrays.copyOf(valid, 5), "too short");
        assertCorrupt(Arrays.copyOf(valid, valid.length - 4), "out of range");        // data truncated
        assertCorrupt(Arrays.copyOf(valid, 40), "exceeds");                              // header truncated
        byte[] huge = valid.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, valid.length);
        assertCorrupt(huge, "header length " + valid.length + " (at file offset 0) exceeds");
        byte[] negative = valid.clone();
        ByteBuffer.wrap(negative).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        assertCorrupt(negative, "header length 18446744073709551615");
        assertCorrupt(file("{" + META + "," + INPUT.replace("[0,8]", "[0,8000]") + "," + OUTPUT + "}", VALUES),
                "data_offsets [0,8000] out of range");
        assertCorrupt(file("{" + META + "," + INPUT.replace("[0,8]", "[8,0]") + "," + OUTPUT + "}", VALUES),
                "out of range");
        assertCorrupt(file("{" + META + "," + INPUT.replace("F32", "F16") + "," + OUTPUT + "}", VALUES),
                "dtype F16; only F32 is supported");
        assertCorrupt(file("{" + META + "," + INPUT.replace("[2]", "[3]") + "," + OUTPUT + "}", VALUES),
                "needs 12 bytes but data_offsets [0,8] span 8");
        assertCorrupt(file("{" + META + "," + INPUT + "," + OUTPUT.replace("[8,12]", "[4,8]") + "}", VALUES),
                "'0.output' starts at data offset 4 (file offset ");
        assertCorrupt(file("{" + META + "," + INPUT + "," + OUTPUT.replace("[8,12]", "[4,8]") + "}", VALUES),
                "overlap");
        assertCorrupt(file("{" + META + "," + INPUT + "," + OUTPUT.replace("[8,12]", "[12,16]") + "}",
                new float[] {1, 2, 3, 4}), "gap");
        assertCorrupt(file(good, new float[] {1, 2, 3, 4}), "unaccounted");             // trailing bytes
        assertCorrupt(file("{" + META + "," + INPUT + "}", VALUES), "unaccounted");
        assertCorrupt(file("{" + META + "," + INPUT + "," + OUTPUT.replace("\"0.output", "\"1.output") + "}", VALUES),
                "declares cases=1");
        assertCorrupt(file("{" + META.replace("\"cases\":\"1\",", "") + "," + INPUT + "," + OUTPUT + "}", VALUES),
                "no 'cases'");
        assertCorrupt(file("{" + META.replace("\"0.params\"", "\"0.parms\"") + "," + INPUT + "," + OUTPUT + "}",
                VALUES), "no key '0.params'");
        assertCorrupt(file("{" + META.replace("op=x", "op") + "," + INPUT + "," + OUTPUT + "}", VALUES),
                "is not key=value");
        assertCorrupt(file("{" + INPUT + "," + OUTPUT + "}", VALUES), "no '__metadata__'");
        assertCorrupt(file("{" + META + "," + INPUT.replace("[0,8]", "[0.0,8]") + "," + OUTPUT + "}", VALUES),
                "only integers");
        assertCorrupt(file("{" + META + "," + INPUT + "," + OUTPUT, VALUES), "not valid JSON");
        assertCorrupt(file("{" + META + "," + INPUT + "," + INPUT + "}", VALUES), "duplicate key '0.input'");
        assertCorrupt(file("[1,2]", new float[0]), "must be an object");
        assertCorrupt(file("{" + META + "," + INPUT.replace("\"shape\"", "\"shap\"") + "," + OUTPUT + "}", VALUES),
                "unexpected key 'shap'");
        assertCorrupt(file("[".repeat(100) + "]".repeat(100), new float[0]), "nesting deeper");
        byte[] notUtf8 = valid.clone();
        notUtf8[9] = (byte) 0xff;
        assertCorrupt(notUtf8, "not valid UTF-8");
    }

    @Test
    void truncatedRealFixtureFails() {
        byte[] bytes = Fixtures.resourceBytes("conv2d.safetensors");
        assertCorrupt(Arrays.copyOf(bytes, bytes.length / 2), "out of range");
        assertCorrupt(Arrays.copyOf(bytes, 100), "exceeds");
    }

    // ------------------------------------------------------------------ assertClose

    @Test
    void assertCloseReportsTheFirstMismatch() {
        float[] expected = {1f, 2f, 3f, 4f};
        Fixtures.assertClose(expected, new float[] {1f, 2.0000005f, 3f, 4f}, 1e-6, 0, "close");
        Fixtures.assertClose(new float[] {Float.NaN}, new float[] {Float.NaN}, 0, 0, "nan");
        AssertionError e = assertThrows(AssertionError.class,
                () -> Fixtures.assertClose(expected, new float[] {1f, 2f, 3.5f, 6f}, 1e-3, 1e-3, "thing"));
        String m = e.getMessage();
        assertTrue(m.startsWith("thing: 2 of 4 elements differ"), m);
        assertTrue(m.contains("first at index 2: expected 3.0, actual 3.5"), m);
        assertTrue(m.contains("max abs error 2.00000 at index 3"), m);
        AssertionError len = assertThrows(AssertionError.class,
                () -> Fixtures.assertClose(expected, new float[3], 1, 1, "short"));
        assertTrue(len.getMessage().contains("length mismatch"), len.getMessage());
        assertThrows(AssertionError.class,
                () -> Fixtures.assertClose(new float[] {1f}, new float[] {Float.NaN}, 1, 1, "nan vs number"));
    }

    // ------------------------------------------------------------------ helpers

    /** A safetensors file: length, header padded with spaces to a multiple of 8, little-endian floats. */
    private static byte[] file(String header, float[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        for (float v : data) {
            out.putFloat(v);
        }
        return out.array();
    }

    private static void assertCorrupt(byte[] bytes, String expectedInMessage) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fixtures.parse(bytes, "bad.safetensors"), "expected failure: " + expectedInMessage);
        assertTrue(e.getMessage().startsWith("fixture bad.safetensors: "), e.getMessage());
        assertTrue(e.getMessage().contains(expectedInMessage),
                "message '" + e.getMessage() + "' should contain '" + expectedInMessage + "'");
    }

    private static void assertMessage(Runnable r, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' should contain '" + expected + "'");
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static void unravel(int flat, int[] shape, int[] index) {
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
    }

    /** Flat matrix index into an operand with batch shape {@code own}, right-aligned and broadcast. */
    private static int broadcastOffset(int[] index, int[] own) {
        int flat = 0;
        int shift = index.length - own.length;
        for (int d = 0; d < own.length; d++) {
            flat = flat * own[d] + (own[d] == 1 ? 0 : index[d + shift]);
        }
        return flat;
    }

    private static float[] toFloat(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }
}
