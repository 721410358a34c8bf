package dev.tersor.tensor.lowbit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.tensor.Conv2dOptions;
import dev.tersor.tensor.Tensor;
import dev.tersor.tensor.backend.Backends;
import dev.tersor.tensor.backend.PlanDecision;
import dev.tersor.tensor.backend.PlanMode;
import dev.tersor.tensor.backend.PlanSandbox;
import dev.tersor.tensor.backend.Plans;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The int8 layers' choice between the integer kernels and the exact float product is a kernel
 * plan: the heuristic's size threshold, measured and cached in measure mode, read back in cached
 * mode, a hand-written entry obeyed; every path gives the integer reference's output bit for bit.
 */
class Int8PathsTest {
    @TempDir
    Path dir;
    private PlanSandbox sandbox;

    @BeforeEach
    void setUp() {
        sandbox = PlanSandbox.open(dir, 1, Backends.current());
    }

    @AfterEach
    void tearDown() {
        sandbox.close();
    }

    private static byte[] weights(Random r, int n) {
        byte[] w = new byte[n];
        for (int i = 0; i < w.length; i++) w[i] = (byte) (r.nextInt(255) - 127);
        return w;
    }

    private static float[] inputs(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    private static List<PlanDecision> int8Decisions() {
        return Plans.decisions().stream().filter(d -> d.op().equals("int8")).toList();
    }

    @Test
    void theHeuristicIsTheSizeThresholdAndNeverMeasures() {
        Plans.setMode(PlanMode.HEURISTIC);
        Random r = new Random(1);
        int in = 40, out = 24;
        Int8Linear fc = Int8Linear.pack(weights(r, out * in), out, in, new float[] {0.01f}, Int8Input.int8(0.02f, 0), null, false);
        long measured = Plans.measurements();
        for (int rows : new int[] {1, ExactFloatProduct.MIN_ROWS}) fc.apply(Tensor.fromArray(inputs(r, rows * in), rows, in));
        assertEquals(measured, Plans.measurements());
        List<PlanDecision> d = int8Decisions();
        assertEquals(List.of("linear 1x40->24 t1", "linear 32x40->24 t1"), d.stream().map(PlanDecision::shape).toList());
        assertEquals(List.of("INTEGER", "FLOAT_PRODUCT"), d.stream().map(PlanDecision::chosen).toList());
    }

    @Test
    void measuredCachedAndHandWrittenPathsAllGiveTheReferenceOutput() throws IOException {
        Random r = new Random(2);
        int rows = 48, in = 72, out = 20;
        byte[] w = weights(r, out * in);
        float[] scale = {0.004f}, bias = inputs(r, out);
        Int8Input input = Int8Input.uint8(0.03f, 128);
        float[] x = inputs(r, rows * in);
        float[] want = Int8Reference.linear(x, rows, w, out, in, scale, input, bias, true);
        Int8Linear fc = Int8Linear.pack(w, out, in, scale, input, bias, true);
        Plans.setMode(PlanMode.MEASURE);
        for (int call = 0; call < Plans.MEASURE_ON_CALL + 1; call++) {
            assertArrayEquals(want, fc.apply(Tensor.fromArray(x, rows, in)).toArray(), 0f, "call " + call);
        }
        String file = Files.readString(Plans.file());
        assertTrue(file.contains("int8\tlinear 48x72->20 t1\t"), file);

        Plans.setMode(PlanMode.CACHED);   // forgets the memory: the file's plan is read back
        assertArrayEquals(want, fc.apply(Tensor.fromArray(x, rows, in)).toArray(), 0f);
        assertEquals("cached", int8Decisions().get(int8Decisions().size() - 1).source());

        for (String path : new String[] {"INTEGER", "FLOAT_PRODUCT"}) {
            Files.writeString(Plans.file(), file.replaceAll("(int8\tlinear 48x72->20 t1\t)\\w+", "$1" + path));
            Plans.setMode(PlanMode.CACHED);
            assertArrayEquals(want, fc.apply(Tensor.fromArray(x, rows, in)).toArray(), 0f, path);
            PlanDecision last = int8Decisions().get(int8Decisions().size() - 1);
            assertEquals(path, last.chosen(), "the hand-written entry is the one run");
        }
    }

    @Test
    void aConvolutionsPathIsPlannedPerInputSize() {
        Plans.setMode(PlanMode.HEURISTIC);
        Random r = new Random(3);
        int k = 8, c = 3;
        byte[] w = weights(r, k * c * 9);
        Conv2dOptions o = Conv2dOptions.of(1, 1);
        Int8Input input = Int8Input.int8(0.05f, 0);
        Int8Conv2d conv = Int8Conv2d.pack(w, new int[] {k, c, 3, 3}, o, new float[] {0.01f}, input, null, false);
        for (int[] s : new int[][] {{1, 6, 7}, {8, 16, 16}}) {
            float[] x = inputs(r, s[0] * c * s[1] * s[2]);
            float[] want = Int8Reference.conv2d(x, s[0], c, s[1], s[2], w, new int[] {k, c, 3, 3}, o, new float[] {0.01f}, input, null, false);
            assertArrayEquals(want, conv.apply(Tensor.fromArray(x, s[0], c, s[1], s[2])).toArray(), 0f);
        }
        List<PlanDecision> d = int8Decisions();
        assertEquals(List.of("conv 3x6x7->8x6x7 k3x3 s1x1 p1x1 d1x1 g1 n1 t1", "conv 3x16x16->8x16x16 k3x3 s1x1 p1x1 d1x1 g1 n8 t1"),
                d.stream().map(PlanDecision::shape).toList());
        assertEquals(List.of("INTEGER", "FLOAT_PRODUCT"), d.stream().map(PlanDecision::chosen).toList(), "2048 positions and more: the float product");
    }
}
