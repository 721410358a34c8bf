package dev.tersor.search;

import dev.tersor.tensor.backend.Parallel;
import java.nio.file.Path;

/**
 * Builds (or resumes) the ground-truth runs of a tiny space on Fashion-MNIST, one thread:
 * <pre>
 * java ... dev.tersor.search.GroundTruthRecipe SPACE RUNS.csv [SHARD SHARDS] [DATA]
 * </pre>
 * SPACE is {@code fashion-chain-4x4} or {@code fashion-cell-3}.
 */
public final class GroundTruthRecipe {
    public static void main(String[] args) throws Exception {
        SearchSpace space = Spaces.named(args[0]);
        Path csv = Path.of(args[1]);
        int shard = args.length > 2 ? Integer.parseInt(args[2]) : 0, shards = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        Path data = Path.of(args.length > 4 ? args[4] : "/usr/share/datasets/fashion-mnist");
        Parallel.setThreads(1);
        GroundTruth.build(space, Experiment.all(space), SearchData.fashion(data, 10_000), GroundTruth.Protocol.benchmark(), csv, shard, shards, System.out);
    }
}
