package dev.tersor.search;

import dev.tersor.nn.Module;
import dev.tersor.nn.ModuleList;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.Rng;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The continuous relaxation of a {@link CellSpace} (DARTS, Liu et al., arXiv 1806.09055, and
 * PC-DARTS, Xu et al., arXiv 1907.05737): every edge runs all its candidates and sums them
 * weighted by a softmax over architecture parameters {@code alpha} [edges, ops], shared by the
 * cells of every stage (as DARTS shares one α among its normal cells):
 * <pre>
 * mixed_e(x)  = Σ_o softmax(α_e)_o · op_o(x)                               DARTS (K = 1)
 * mixed_e(x)  = shuffle_K(cat(Σ_o softmax(α_e)_o · op_o(x[:, :C/K]), x[:, C/K:]))   PC-DARTS partial channels
 * node_j      = Σ_{e into j} mixed_e(node_from(e))                         no edge normalisation
 * node_j      = Σ_{e into j} softmax(β_{into j})_e · mixed_e(node_from(e))  PC-DARTS edge normalisation
 * </pre>
 * {@code shuffle_K} is the channel shuffle of ShuffleNet with K groups. A {@code none}
 * candidate adds nothing but keeps its share of the softmax. The candidates of edge e in cell
 * k sit at {@code cells.k.edges.e.o}, built on C/K channels; α and β are the parameters
 * {@code alpha} and {@code beta} of this module (in its state dict), kept out of
 * {@link #weights()}. Both start at 10⁻³·N(0, 1) as in the papers' code.
 */
public final class MixedCellSupernet extends Module {
    /**
     * @param partialChannels   K: the share 1/K of channels that go through the ops (1: all, DARTS)
     * @param edgeNormalization weight each node's incoming edges by a softmax over β (PC-DARTS)
     */
    public record Relaxation(int partialChannels, boolean edgeNormalization) {
        public Relaxation {
            if (partialChannels < 1) throw new IllegalArgumentException("MixedCellSupernet: partialChannels K must be >= 1, got " + partialChannels);
        }

        /** DARTS: all channels, no edge normalisation. */
        public static Relaxation darts() {
            return new Relaxation(1, false);
        }

        /** PC-DARTS: K = 4, edge normalisation. */
        public static Relaxation pcDarts() {
            return new Relaxation(4, true);
        }
    }

    private final CellSpace space;
    private final Relaxation relaxation;
    private final Module stem, head;
    private final ModuleList cells = new ModuleList(), reductions;
    private final Parameter alpha, beta;

    /** The relaxation of {@code space}; every stage's channels must be divisible by K. */
    public MixedCellSupernet(CellSpace space, Relaxation relaxation) {
        this.space = space;
        this.relaxation = relaxation;
        int k = relaxation.partialChannels();
        for (int c : space.stageChannels()) {
            if (c % k != 0) throw new IllegalArgumentException("MixedCellSupernet: stage channels " + space.stageChannels() + " are not all divisible by K = " + k);
        }
        this.stem = register("stem", space.stem());
        register("cells", cells);
        for (int c : space.stageChannels()) cells.add(new CandidateCell(space, c / k));
        this.reductions = register("reductions", new ModuleList(space.reductions().toArray(Module[]::new)));
        this.head = register("head", space.head());
        int edges = space.graph().edges(), ops = space.candidates().size();
        this.alpha = registerParameter("alpha", Tensor.randn(Rng.global(), edges, ops).mul(1e-3f));
        this.beta = registerParameter("beta", Tensor.randn(Rng.global(), edges).mul(1e-3f));
    }

    /** The space. */
    public CellSpace space() {
        return space;
    }

    /** The relaxation. */
    public Relaxation relaxation() {
        return relaxation;
    }

    /** α [edges, ops]. */
    public Parameter alpha() {
        return alpha;
    }

    /** β [edges] (used only with edge normalisation). */
    public Parameter beta() {
        return beta;
    }

    /** The architecture parameters: α, and β with edge normalisation. */
    public List<Parameter> architectureParameters() {
        return relaxation.edgeNormalization() ? List.of(alpha, beta) : List.of(alpha);
    }

    /** Every other parameter: the ops' and the skeleton's weights. */
    public List<Parameter> weights() {
        List<Parameter> out = new ArrayList<>(parameters());
        out.remove(alpha);
        out.remove(beta);
        return out;
    }

    /** softmax(α) along the ops, [edges, ops]. */
    public Tensor opWeights() {
        return alpha.value().softmax(1);
    }

    /** Per edge, its weight among the edges into the same node: softmax of β over them; all 1 without edge normalisation. */
    public Tensor edgeWeights() {
        CellGraph g = space.graph();
        if (!relaxation.edgeNormalization()) return Tensor.ones(g.edges());
        Tensor[] parts = new Tensor[g.nodes() - 1];
        for (int j = 1; j < g.nodes(); j++) {
            List<Integer> in = g.into(j);
            parts[j - 1] = beta.value().narrow(0, in.get(0), in.size()).softmax(0);
        }
        return Tensor.cat(0, parts);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor w = opWeights(), b = edgeWeights();
        CellGraph g = space.graph();
        return CellNetwork.run(stem, reductions, head, cells.size(), (k, h) -> g.run(h, (e, in) -> {
            Tensor y = mixed(k, e, in, w);
            if (y == null || !relaxation.edgeNormalization()) return y;
            return y.mul(b.narrow(0, e, 1).reshape(1, 1, 1, 1));
        }), x);
    }

    /** Edge e of cell k on {@code in}: the weighted sum of its candidates on the first C/K channels, the rest passed by and shuffled in (null when every candidate is none). */
    Tensor mixed(int cellIndex, int e, Tensor in, Tensor w) {
        CandidateCell cell = (CandidateCell) cells.get(cellIndex);
        int k = relaxation.partialChannels(), c = in.size(1), part = c / k;
        Tensor x = k == 1 ? in : in.narrow(1, 0, part);
        Tensor sum = null;
        ModuleList ops = cell.candidates(e);
        for (int o = 0; o < ops.size(); o++) {
            if (ops.get(o) instanceof Zero) continue;
            Tensor y = ops.get(o).call(x).mul(w.narrow(0, e, 1).narrow(1, o, 1).reshape(1, 1, 1, 1));
            sum = sum == null ? y : sum.add(y);
        }
        if (sum == null || k == 1) return sum;
        return channelShuffle(Tensor.cat(1, sum, in.narrow(1, part, c - part)), k);
    }

    /** ShuffleNet's channel shuffle: [N, C, H, W] viewed as [N, groups, C/groups, H, W], the two channel axes swapped. */
    static Tensor channelShuffle(Tensor x, int groups) {
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3);
        return x.reshape(n, groups, c / groups, h, wd).transpose(1, 2).contiguous().reshape(n, c, h, wd);
    }

    @Override
    protected String extraRepr() {
        return "space=" + space.name() + ", K=" + relaxation.partialChannels() + (relaxation.edgeNormalization() ? ", edge normalisation" : "");
    }
}
