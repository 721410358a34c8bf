package dev.tersor.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tersor.nn.Rng;
import dev.tersor.tensor.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatencyTableTest {
    private final ChainSpace space = ChainSpace.fashionTiny();
    private final LatencyTable.Options quick = new LatencyTable.Options(1, 1, 1, 3);

    private CostTable fake(double v) {
        double[][] per = new double[4][4];
        for (double[] r : per) java.util.Arrays.fill(r, v);
        return new CostTable(space.name(), "latency_ms", 7 * v, per);
    }

    @Test
    void aTableOfThisMachineIsReadBackAndAnotherMachinesIsMeasuredAgain(@TempDir Path dir) throws Exception {
        Rng.manualSeed(1);
        Supernet net = space.supernet();
        Path f = dir.resolve("latency.json");
        LatencyTable.write(f, fake(0.25), LatencyTable.Machine.current(quick));
        CostTable read = LatencyTable.loadOrMeasure(f, net, quick);
        assertEquals(0.25 * 7, read.base());
        assertEquals(0.25, read.cost(3, 2));
        assertEquals(7 * 0.25 + 4 * 0.25, read.of(new Architecture(space.name(), List.of(0, 1, 2, 3))));

        LatencyTable.Machine other = new LatencyTable.Machine("Some Other CPU", "Another JVM 1.0", 1, 1);
        LatencyTable.write(f, fake(0.25), other);
        CostTable measured = LatencyTable.loadOrMeasure(f, net, quick);
        assertNotEquals(0.25, measured.cost(3, 2));
        assertTrue(Files.readString(f).contains(Json.quote(LatencyTable.Machine.current(quick).cpu())));
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                boolean zero = net.candidates(i).get(j) instanceof Zero;
                assertTrue(zero ? measured.cost(i, j) == 0 : measured.cost(i, j) > 0, "choice " + i + " candidate " + j + ": " + measured.cost(i, j));
            }
        }
        assertTrue(measured.base() > 0, "the stem and head take time");
        List<Architecture> archs = List.of(space.random(new Generator(1)), space.random(new Generator(2)));
        LatencyTable.Check c = LatencyTable.check(net, measured, archs, quick);
        assertEquals(2, c.predicted().length);
        assertEquals(measured.of(archs.get(1)), c.predicted()[1]);
        assertTrue(c.measured()[0] > 0 && c.shareWithin10Percent() >= 0 && c.shareWithin10Percent() <= 1);
        assertEquals(null, net.fixedPath(), "the supernet samples again afterwards");
    }
}
