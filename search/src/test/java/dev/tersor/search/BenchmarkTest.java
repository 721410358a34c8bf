package dev.tersor.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.data.TensorDataset;
import dev.tersor.tensor.Generator;
import dev.tersor.tensor.IntTensor;
import dev.tersor.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkTest {
    /** 2 layers × 2 ops: 4 networks, on 1×4×4 inputs and 2 classes. */
    private static final ChainSpace SPACE = ChainSpace.of("bench-2x2", new int[] {1, 4, 4}, 2, 2, List.of(OpSpec.parse("conv_1x1"), OpSpec.skip()),
            new ChainSpace.Stage(2, 2, 1));

    private static Architecture arch(int a, int b) {
        return new Architecture(SPACE.name(), List.of(a, b));
    }

    @Test
    void kendallTauMatchesHandCountsWithAndWithoutTies() {
        assertEquals(4.0 / 6, KendallTau.of(new double[] {1, 2, 3, 4}, new double[] {1, 3, 2, 4}), 1e-12);
        assertEquals(-1, KendallTau.of(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-12);
        // C = 4, D = 0, one pair tied in x, one in y: 4 / √(5·5)  (scipy.stats.kendalltau gives 0.8)
        assertEquals(0.8, KendallTau.of(new double[] {1, 2, 2, 3}, new double[] {1, 2, 3, 3}), 1e-12);
        assertTrue(Double.isNaN(KendallTau.of(new double[] {1, 1}, new double[] {1, 2})));
        assertThrows(IllegalArgumentException.class, () -> KendallTau.of(new double[] {1, 2}, new double[] {1}));
    }

    private static List<GroundTruth.Run> runs() {
        // test accuracies per seed (1, 2); validation = test − 0.01 except where noted
        double[][] test = {{0.80, 0.82}, {0.70, 0.74}, {0.90, 0.86}, {0.60, 0.60}};
        List<GroundTruth.Run> out = new ArrayList<>();
        List<Architecture> all = Experiment.all(SPACE);
        for (int i = 0; i < 4; i++) {
            for (int s = 0; s < 2; s++) out.add(new GroundTruth.Run(all.get(i), s + 1, i == 3 ? 0.99 : test[i][s] - 0.01, test[i][s], 10 + i));
        }
        return out;
    }

    @Test
    void tableMeansRegretsAndShares() {
        Benchmark b = new Benchmark(SPACE, runs(), List.of(CostTable.macs(SPACE)));
        assertEquals(arch(1, 0), b.best().arch());                 // enumeration order: 0-0, 0-1, 1-0, 1-1
        assertEquals(0.88, b.best().testMean(), 1e-12);
        assertEquals(0.02, b.best().testStd(), 1e-12);
        assertEquals(0.88 - 0.81, b.regret(arch(0, 0)), 1e-12);
        assertEquals(0.25, b.shareBetter(arch(0, 0)), 1e-12);
        assertEquals(0.75, b.shareBetter(arch(1, 1)), 1e-12);
        assertEquals(11.5, b.meanTrainingSeconds(), 1e-12);
        // seed 1 ranks 0.80 0.70 0.90 0.60, seed 2 0.82 0.74 0.86 0.60: the same order
        assertEquals(1, b.seedToSeedTau(), 1e-12);
        assertEquals(1, b.tau(new double[] {3, 2, 4, 1}), 1e-12);
        String csv = b.csv();
        assertTrue(b.csv(Map.of("latency_ms", new double[] {1, 2, 3, 4.5})).contains(",4.5000,0.9900,0.6000,0.0000,2,13.0\n"), b.csv(Map.of("latency_ms", new double[] {1, 2, 3, 4.5})));
        assertTrue(csv.startsWith("arch,ops,macs,val_mean,test_mean,test_std,runs,seconds\n0-0,conv_1x1 conv_1x1,"), csv);
    }

    @Test
    void randomSearchPicksByValidationAccuracy() {
        Benchmark b = new Benchmark(SPACE, runs(), List.of());
        // every architecture drawn: 1-1 has the best validation accuracy (0.99) and the worst test accuracy
        double[] all = b.randomSearch(4, 20, new Generator(1));
        assertEquals(0.88 - 0.60, all[0], 1e-12);
        assertEquals(0.75, all[1], 1e-12);
        // one draw: the expected regret is the mean regret of the space
        double[] one = b.randomSearch(1, 20_000, new Generator(2));
        double meanRegret = (0.07 + 0.16 + 0 + 0.28) / 4;
        assertEquals(meanRegret, one[0], 0.005);
    }

    @Test
    void incompleteRunsAreRefused() {
        List<GroundTruth.Run> r = runs();
        r.remove(7);
        r.remove(6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Benchmark(SPACE, r, List.of()));
        assertTrue(e.getMessage().contains("3 of the 4") && e.getMessage().contains("1-1"), e.getMessage());
        List<GroundTruth.Run> r2 = runs();
        r2.remove(7);
        assertThrows(IllegalArgumentException.class, () -> new Benchmark(SPACE, r2, List.of()));
    }

    private static SearchData data() {
        Generator g = new Generator(4);
        int n = 32;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = g.nextInt(2);
        TensorDataset d = TensorDataset.of(Tensor.randn(g, n, 1, 4, 4), IntTensor.of(labels, n));
        return new SearchData(d, d, d, null);
    }

    @Test
    void groundTruthAppendsEachRunAndResumesWithoutRetraining(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("runs.csv");
        GroundTruth.Protocol p = new GroundTruth.Protocol(1, 16, 0.05, 0.9, 0, List.of(1L, 2L));
        List<Architecture> all = Experiment.all(SPACE);
        List<GroundTruth.Run> half = GroundTruth.build(SPACE, all, data(), p, csv, 0, 2, null);
        assertEquals(4, half.size());                                     // architectures 0 and 2, two seeds each
        assertEquals(List.of("0-0", "0-0", "1-0", "1-0"), half.stream().map(r -> r.arch().key()).toList());
        List<GroundTruth.Run> full = GroundTruth.build(SPACE, all, data(), p, csv, 1, 2, null);
        assertEquals(8, full.size());
        List<String> before = Files.readAllLines(csv);
        assertEquals(9, before.size());
        assertEquals(8, GroundTruth.build(SPACE, all, data(), p, csv, 0, 1, null).size());
        assertEquals(before, Files.readAllLines(csv));                    // nothing trained twice
        // the same seed trains the same network: a rerun in a new file gives the same accuracies
        Path again = dir.resolve("again.csv");
        GroundTruth.build(SPACE, all.subList(0, 1), data(), p, again, 0, 1, null);
        List<GroundTruth.Run> first = GroundTruth.read(again, SPACE);
        assertEquals(half.get(0).testAccuracy(), first.get(0).testAccuracy());
        assertEquals(half.get(1).validationAccuracy(), first.get(1).validationAccuracy());
        new Benchmark(SPACE, full, List.of());                             // complete
    }

    @Test
    void corruptRunsFilesNameTheLine(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, GroundTruth.HEADER + "\n0-0,1,0.5,0.5,1.0\n0-9,1,0.5,0.5,1.0\n");
        IOException e = assertThrows(IOException.class, () -> GroundTruth.read(csv, SPACE));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("op index 9"), e.getMessage());
        Files.writeString(csv, GroundTruth.HEADER + "\n0-0,1,1.5,0.5,1.0\n");
        assertTrue(assertThrows(IOException.class, () -> GroundTruth.read(csv, SPACE)).getMessage().contains("not in [0, 1]"));
        Files.writeString(csv, "arch,seed\n");
        assertTrue(assertThrows(IOException.class, () -> GroundTruth.read(csv, SPACE)).getMessage().contains("not a ground-truth runs file"));
    }
}
