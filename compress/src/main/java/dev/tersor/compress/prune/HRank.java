package dev.tersor.compress.prune;

import dev.tersor.compress.prune.ChannelGraph.Kind;
import dev.tersor.compress.prune.ChannelGraph.Node;
import dev.tersor.nn.Module;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * HRank (Lin et al., CVPR 2020, arXiv 2002.10179; lmbxmu/HRank {@code rank_generation.py}): a
 * filter whose feature maps have a high average rank carries more information. For each output
 * channel k of each producing layer, the score is the rank of the H×W feature map
 * ReLU(BN(conv(x)))[n, k] ({@link MatrixRank}, matrix_rank's tolerance), averaged over every image
 * of the first {@code batches} batches (the official code: 5 batches of 128 training images). The
 * batch norm is the one that directly follows the layer (as batch-norm folding finds it), else
 * the layer's own output is used. For a linear layer (a 1×1 "map") the rank is 1 where the
 * activation is positive, so its score is the fraction of images that activate it.
 */
public final class HRank implements ChannelCriterion {
    private final Iterable<Tensor> inputs;
    private final int batches;
    private final IntConsumer progress;

    /**
     * @param inputs batches of model inputs (e.g. normalised training images)
     * @param batches how many batches to use (5 in the paper's code)
     * @param progress told the number of each finished batch (may be null)
     */
    public HRank(Iterable<Tensor> inputs, int batches, IntConsumer progress) {
        if (batches < 1) throw new IllegalArgumentException("HRank: batches must be >= 1, got " + batches);
        this.inputs = inputs;
        this.batches = batches;
        this.progress = progress;
    }

    @Override
    public double[] scores(Module model, ChannelGraph graph) {
        Iterator<Tensor> it = inputs.iterator();
        if (!it.hasNext()) throw new IllegalArgumentException("HRank: no input batches");
        Tensor first = it.next();
        Map<String, String> bnAfter = Criteria.batchNormAfter(model, first);
        Map<String, double[]> sums = new LinkedHashMap<>();
        List<Module.HookHandle> handles = new ArrayList<>();
        long[] images = {0};
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var g = Tensor.noGrad()) {
            for (Node n : graph.nodes()) {
                if (n.kind() != Kind.MIXING || !prunable(graph, n.path())) continue;
                double[] acc = new double[n.outChannels()];
                sums.put(n.path(), acc);
                Module feature = model.get(bnAfter.getOrDefault(n.path(), n.path()));
                handles.add(feature.registerForwardHook((m, x, y) -> {
                    accumulate(y, acc);
                    return null;
                }));
            }
            Tensor batch = first;
            for (int b = 0; b < batches; b++) {
                model.call(batch);
                images[0] += batch.size(0);
                if (progress != null) progress.accept(b + 1);
                if (b + 1 < batches) {
                    if (!it.hasNext()) break;
                    batch = it.next();
                }
            }
        } finally {
            for (Module.HookHandle h : handles) h.close();
            if (wasTraining) model.train();
        }
        for (double[] s : sums.values()) for (int k = 0; k < s.length; k++) s[k] /= images[0];
        return GroupScores.of(graph, sums, true);
    }

    private static boolean prunable(ChannelGraph graph, String path) {
        int g = graph.groupOf(path, 0);
        return g >= 0 && graph.group(g).prunable();
    }

    /** Adds the rank of ReLU(y)[n, k] over the batch to {@code acc[k]}. */
    static void accumulate(Tensor y, double[] acc) {
        float[] v = y.contiguous().toArray();
        int n = y.size(0), c = y.size(1);
        int h = y.dim() == 4 ? y.size(2) : 1, w = y.dim() == 4 ? y.size(3) : 1;
        for (int i = 0; i < v.length; i++) if (v[i] < 0) v[i] = 0;
        double[] work = new double[h * w];
        for (int s = 0; s < n; s++) {
            for (int k = 0; k < c; k++) acc[k] += MatrixRank.of(v, (s * c + k) * h * w, h, w, work);
        }
    }
}
