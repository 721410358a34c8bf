package dev.tersor.search;

import dev.tersor.nn.AdaptiveAvgPool2d;
import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Flatten;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.ReLU;
import dev.tersor.nn.Sequential;
import java.util.ArrayList;
import java.util.List;

/**
 * A cell search space in the style of NAS-Bench-201 (Dong and Yang, ICLR 2020): one cell
 * topology ({@link CellGraph}) whose every edge chooses one candidate op, repeated once per stage
 * with the same choices, stages joined by a fixed residual reduction block:
 * <pre>
 * stem          Conv 3×3 (C → c_0, stride s) → BN → ReLU
 * cells.0       the cell at c_0 channels, H/s×W/s
 * reductions.0  {@link ResidualReduction} c_0 → c_1, stride 2
 * cells.1       the cell at c_1 channels, H/2s×W/2s
 * ...
 * head          AdaptiveAvgPool 1×1 → Flatten → Linear(c_last, classes)
 * </pre>
 * Choice {@code e} is edge e of the cell; its op sits at {@code cells.k.edges.e} in every cell k
 * ({@link #paths}). Every candidate keeps the shape (stride 1, in = out channels); the choices
 * record the first cell's channels.
 *
 * @param name          the space's name
 * @param channels      input channels C
 * @param height        input height H
 * @param width         input width W
 * @param classes       output classes
 * @param stemStride    the stem's stride (1 or 2)
 * @param stageChannels channels of each stage's cell, c_0, c_1, ...
 * @param graph         the cell's wiring
 * @param candidates    the ops every edge chooses from
 */
public record CellSpace(String name, int channels, int height, int width, int classes, int stemStride, List<Integer> stageChannels,
                        CellGraph graph, List<OpSpec> candidates) implements SearchSpace {
    public CellSpace {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("CellSpace: name must be non-empty");
        if (channels < 1 || height < 1 || width < 1 || classes < 1) {
            throw new IllegalArgumentException("CellSpace " + name + ": input shape and classes must be positive, got [" + channels + ", " + height + ", " + width + "], " + classes);
        }
        if (stemStride != 1 && stemStride != 2) throw new IllegalArgumentException("CellSpace " + name + ": stemStride must be 1 or 2, got " + stemStride);
        if (stageChannels == null || stageChannels.isEmpty() || stageChannels.stream().anyMatch(c -> c == null || c < 1)) {
            throw new IllegalArgumentException("CellSpace " + name + ": needs at least one stage, each with positive channels, got " + stageChannels);
        }
        if (graph == null) throw new IllegalArgumentException("CellSpace " + name + ": graph must not be null");
        stageChannels = List.copyOf(stageChannels);
        candidates = new Choice("edges.0", 1, 1, 1, candidates).candidates();   // checks: non-empty, no name twice
    }

    /**
     * The cell space of the Fashion-MNIST benchmark, {@code fashion-cell-3}: a 3-node cell (edges
     * 0→1, 0→2, 1→2), each edge one of {@code none}, {@code skip_connect}, {@code conv_1x1},
     * {@code conv_3x3}, {@code avg_pool_3x3} (NAS-Bench-201's five ops), on 1×28×28 inputs: a
     * stride-2 stem, then cells of 8 channels at 14×14, 16 at 7×7 and 32 at 4×4: 125 networks.
     */
    public static CellSpace fashionCell() {
        return new CellSpace("fashion-cell-3", 1, 28, 28, 10, 2, List.of(8, 16, 32), new CellGraph(3),
                List.of(OpSpec.zero(), OpSpec.skip(), OpSpec.parse("conv_1x1"), OpSpec.parse("conv_3x3"), OpSpec.parse("avg_pool_3x3")));
    }

    @Override
    public int[] inputShape() {
        return new int[] {channels, height, width};
    }

    @Override
    public List<Choice> choices() {
        List<Choice> out = new ArrayList<>();
        int c = stageChannels.get(0);
        for (int e = 0; e < graph.edges(); e++) out.add(new Choice("edges." + e, c, c, 1, candidates));
        return out;
    }

    @Override
    public List<String> paths(int choice) {
        if (choice < 0 || choice >= graph.edges()) throw new IllegalArgumentException("CellSpace " + name + ": choice must be in [0, " + graph.edges() + "), got " + choice);
        List<String> out = new ArrayList<>();
        for (int k = 0; k < stageChannels.size(); k++) out.add("cells." + k + ".edges." + choice);
        return out;
    }

    @Override
    public CellNetwork build(Architecture arch) {
        validate(arch);
        List<Module> cells = new ArrayList<>();
        for (int c : stageChannels) {
            List<Module> ops = new ArrayList<>();
            for (int e = 0; e < graph.edges(); e++) ops.add(candidates.get(arch.op(e)).build(c, c, 1));
            cells.add(new Cell(graph, ops));
        }
        return new CellNetwork(this, cells);
    }

    @Override
    public CellSupernet supernet() {
        return new CellSupernet(this);
    }

    Module stem() {
        return new Sequential(new Conv2d(channels, stageChannels.get(0), 3, stemStride, 1, false), new BatchNorm2d(stageChannels.get(0)), new ReLU());
    }

    List<Module> reductions() {
        List<Module> out = new ArrayList<>();
        for (int s = 1; s < stageChannels.size(); s++) out.add(new ResidualReduction(stageChannels.get(s - 1), stageChannels.get(s)));
        return out;
    }

    Module head() {
        return new Sequential(new AdaptiveAvgPool2d(1), new Flatten(), new Linear(stageChannels.get(stageChannels.size() - 1), classes));
    }
}
