package dev.tersor.search;

import dev.tersor.nn.Rng;
import dev.tersor.tensor.Generator;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures a space's latency table ({@link LatencyTable.Options#defaults}) and checks it against
 * whole networks of random architectures, printing each prediction beside its measurement:
 * <pre>
 * java --add-modules jdk.incubator.vector -cp search/target/test-classes:... dev.tersor.search.LatencyCheckRecipe SPACE [COUNT]
 * </pre>
 * Run it on a quiet machine: the whole networks are timed one after another, so a change of load
 * between them reads as a prediction error.
 */
public final class LatencyCheckRecipe {
    public static void main(String[] args) {
        Rng.manualSeed(1);
        SearchSpace space = Spaces.named(args[0]);
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Supernet net = space.supernet();
        LatencyTable.Options o = LatencyTable.Options.defaults();
        long start = System.nanoTime();
        CostTable table = LatencyTable.measure(net, o);
        System.out.printf("%s: table measured in %.1f s, skeleton %.3f ms%n", space.name(), (System.nanoTime() - start) / 1e9, table.base());
        List<Architecture> archs = new ArrayList<>();
        for (int i = 0; i < count; i++) archs.add(space.random(new Generator(100 + i)));
        LatencyTable.Check c = LatencyTable.check(net, table, archs, o);
        for (int i = 0; i < archs.size(); i++) {
            System.out.printf("%-12s predicted %.3f ms  measured %.3f ms  %+.0f%%%n", archs.get(i).key(), c.predicted()[i], c.measured()[i],
                    100 * (c.predicted()[i] / c.measured()[i] - 1));
        }
        System.out.printf("within ±10%%: %.0f%% of %d%n", 100 * c.shareWithin10Percent(), count);
    }
}
