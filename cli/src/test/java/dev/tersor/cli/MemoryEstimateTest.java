package dev.tersor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tersor.cli.MemoryEstimate.ConvKind;
import dev.tersor.cli.MainTest.Run;
import dev.tersor.nn.Summary;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The heap estimates of the bench jobs (hand-counted bytes) and the up-front refusal of jobs that cannot fit. */
class MemoryEstimateTest {
    private static final long GIB = 1L << 30;

    @Test
    void gemmCountsThreeSquareMatrices() {
        assertEquals(3L * 64 * 64 * 4, MemoryEstimate.gemm(64).bytes());            // 49,152
        assertEquals(10_800_000_000L, MemoryEstimate.gemm(30_000).bytes());        // 3 × 9·10⁸ floats
        // 0.75 GiB = 805,306,368 bytes = 12 · 8192²: exactly --size 8192 fits.
        assertEquals(8192, MemoryEstimate.gemm(1).largestFitting().applyAsLong(MemoryEstimate.budget(GIB)));
        assertEquals(GemmBench.MAX_SIZE, MemoryEstimate.gemm(1).largestFitting().applyAsLong(Long.MAX_VALUE / 2));
    }

    @Test
    void linearCountsInputWeightBiasOutputAndTheInt8Copies() {
        // x [8, 70] 560, w [33, 70] 2310, b 33, y [8, 33] 264 floats: 3167 · 4.
        assertEquals(12_668, MemoryEstimate.linear(8, 70, 33, false).bytes());
        // int8: + 2310 int8 weights + x quantized to 4-byte ints (560 · 4).
        assertEquals(12_668 + 2310 + 2240, MemoryEstimate.linear(8, 70, 33, true).bytes());
        // Weights and bias 4·(2310 + 33) = 9372 fixed, 4·(70 + 33) = 412 a row: a 20,000-byte budget fits 25 rows.
        assertEquals(25, MemoryEstimate.linear(8, 70, 33, false).largestFitting().applyAsLong(20_000));
        assertEquals(0, MemoryEstimate.linear(8, 70, 33, false).largestFitting().applyAsLong(9_000));
    }

    @Test
    void conv2dCountsEachMode() {
        // x [2, 3, 8, 8] 384, w [4, 3, 3, 3] 108, b 4, y [2, 4, 8, 8] 512 floats (pad 1 keeps 8×8).
        assertEquals(4 * (384 + 108 + 4 + 512), conv(ConvKind.FLOAT));                      // 4032
        // backward: + the ones gradient 512, and x, w, b gradients twice each: 2·(384 + 108 + 4).
        assertEquals(4 * (384 + 108 + 4 + 512 + 512 + 2 * 496), conv(ConvKind.FLOAT_BACKWARD));   // 10,048
        // int8: + 108 int8 weights + x as 4-byte ints.
        assertEquals(4032 + 108 + 4 * 384, conv(ConvKind.INT8));
        // binary: one 8-byte word (3 channels ≤ 64) per padded pixel, 10×10, per sample.
        assertEquals(4032 + 2 * 8 * 100, conv(ConvKind.BINARY));
        // adder: the unfolded input 3·9·64 floats a sample, and a second y (batch 2).
        assertEquals(4032 + 4 * 2 * 3 * 9 * 64 + 4 * 512, conv(ConvKind.ADDER));
        // grouped and strided: x [1, 4, 9, 9] 324, w [6, 2, 3, 3] 108, b 6, y [1, 6, 4, 4] 96.
        assertEquals(4 * (324 + 108 + 6 + 96), MemoryEstimate.conv2d(ConvKind.FLOAT, 1, 4, 6, 9, 3, 2, 0, 2, 4).bytes());
    }

    private static long conv(ConvKind kind) {
        return MemoryEstimate.conv2d(kind, 2, 3, 4, 8, 3, 1, 1, 1, 8).bytes();
    }

    /** Leaf outputs of one sample: 6×28×28 = 4704, 6×14×14 = 1176 and 10, 5890 in all. */
    private static final List<Summary.Row> ROWS = List.of(
            new Summary.Row("conv", "Conv2d", new int[] {1, 6, 28, 28}, 156, 0),
            new Summary.Row("pool", "MaxPool2d", new int[] {1, 6, 14, 14}, 0, 0),
            new Summary.Row("fc", "Linear", new int[] {1, 10}, 11_770, 0));

    @Test
    void forwardAndTrainStepScaleTheLayerOutputsByTheBatch() {
        assertEquals(4704, MemoryEstimate.largestOutput(ROWS));
        assertEquals(5890, MemoryEstimate.allOutputs(ROWS));
        // 1000 weight bytes + 4 samples · 4 bytes · (784 input + 3 · 4704).
        assertEquals(1000 + 16 * (784 + 3 * 4704), MemoryEstimate.forward(1000, 784, ROWS, 4).bytes());   // 239,336
        // 100 parameters × (value, gradient, momentum) + 10 buffer floats, then per sample: the input, an int
        // label, 4 × all outputs and the gradient of the largest.
        long perSample = 4 * 784 + 4 + 4 * (4 * 5890 + 4704);
        assertEquals(4 * (100 * 3 + 10) + 4 * perSample, MemoryEstimate.trainStep(100, 1, 10, 784, 4, ROWS, 4).bytes());
        assertEquals(466_024, MemoryEstimate.trainStep(100, 1, 10, 784, 4, ROWS, 4).bytes());
        assertEquals(2, MemoryEstimate.stateSlots("adam", 0.9));
        assertEquals(2, MemoryEstimate.stateSlots("adamw", 0));
        assertEquals(1, MemoryEstimate.stateSlots("sgd", 0.9));
        assertEquals(0, MemoryEstimate.stateSlots("sgd", 0));
        assertEquals(Long.MAX_VALUE, MemoryEstimate.batched(1, Long.MAX_VALUE / 2, 3, "x").bytes(), "saturates");
    }

    private static CommandLine gemmCommand() {
        return Main.commandLine().getSubcommands().get("bench").getSubcommands().get("gemm");
    }

    @Test
    void aJobOverThreeQuartersOfTheHeapIsRefusedWithWhatToDo() {
        CommandLine cl = gemmCommand();
        MemoryEstimate.gemm(8192).requireFits(cl, GIB);   // exactly the budget: fits
        ParameterException e = assertThrows(ParameterException.class, () -> MemoryEstimate.gemm(10_000).requireFits(cl, GIB));
        String m = e.getMessage();
        assertTrue(m.startsWith("this job needs about 1.12 GiB of heap (A, B and C: 3 × 10000×10000 floats), more than the"
                + " 768.0 MiB a job may use here (75% of the JVM's maximum heap, 1.00 GiB); use --size 8192 or less"), m);
        // 1.2e9 bytes / 0.75 = 1.49 GiB: -Xmx2g.
        assertTrue(m.contains("the ./tersor launcher takes JVM options from TERSOR_JAVA_OPTS, e.g. TERSOR_JAVA_OPTS=-Xmx2g"
                + " ./tersor bench gemm ..."), m);
        assertTrue(m.contains("java -Xmx2g --add-modules jdk.incubator.vector -jar cli/target/tersor.jar bench gemm ..."), m);
        MemoryEstimate.gemm(GemmBench.MAX_SIZE).requireFits(cl, Long.MAX_VALUE);   // no heap limit: never refused

        String weights = assertThrows(ParameterException.class,
                () -> MemoryEstimate.linear(1, 40_000, 40_000, false).requireFits(cl, GIB)).getMessage();
        assertTrue(weights.contains("; even --batch 1 does not fit, or give the JVM more heap with -Xmx"), weights);
    }

    @Test
    void anImpossibleTrainStepIsAUsageErrorBeforeAnythingRuns() {
        // LeNet-5 at 10⁸ images: terabytes of activations on any machine.
        Run r = MainTest.run("bench", "train-step", "--model", "lenet5", "--batch", "100000000", "--threads", "1");
        assertEquals(Main.EXIT_USAGE, r.code(), r.err());
        assertTrue(r.err().startsWith("tersor bench train-step: this job needs about "), r.err());
        assertTrue(r.err().contains("use --batch ") && r.err().contains("TERSOR_JAVA_OPTS=-Xmx"), r.err());
        assertTrue(!r.err().contains("tersor bench train-step: lenet5"), "nothing ran: " + r.err());
        assertTrue(r.out().isEmpty(), r.out());

        Run f = MainTest.run("bench", "forward", "--model", "lenet5", "--batch", "2000000000");
        assertEquals(Main.EXIT_USAGE, f.code(), f.err());
        assertTrue(f.err().startsWith("tersor bench forward: this job needs about "), f.err());
    }

    @Test
    void anImpossibleGemmLinearOrConv2dIsAUsageError() {
        // The largest arrays Java allows: about 24, 36 and 20 GiB, refused unless the heap is over 4/3 of that.
        long budget = MemoryEstimate.budget(Runtime.getRuntime().maxMemory());
        assumeTrue(MemoryEstimate.gemm(GemmBench.MAX_SIZE).bytes() > budget
                && MemoryEstimate.linear(46_000, 46_000, 46_000, true).bytes() > budget
                && MemoryEstimate.conv2d(ConvKind.FLOAT_BACKWARD, 4096, 256, 256, 32, 1, 1, 0, 1, 32).bytes() > budget,
                "this heap fits the largest jobs");
        Run g = MainTest.run("bench", "gemm", "--size", Integer.toString(GemmBench.MAX_SIZE));
        assertEquals(Main.EXIT_USAGE, g.code(), g.err());
        assertTrue(g.err().startsWith("tersor bench gemm: this job needs about 24.00 GiB of heap"), g.err());

        Run l = MainTest.run("bench", "linear", "--in", "46000", "--out", "46000", "--batch", "46000", "--mode", "int8");
        assertEquals(Main.EXIT_USAGE, l.code(), l.err());
        assertTrue(l.err().startsWith("tersor bench linear: this job needs about "), l.err());

        Run c = MainTest.run("bench", "conv2d", "--batch", "4096", "--in", "256", "--out", "256", "--hw", "32",
                "--kernel", "1", "--backward");
        assertEquals(Main.EXIT_USAGE, c.code(), c.err());
        assertTrue(c.err().startsWith("tersor bench conv2d: this job needs about "), c.err());
    }
}
