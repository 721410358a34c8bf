package dev.tersor.compress.cluster;

import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.train.LossFunction;
import dev.tersor.nn.train.Trainer;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Clustering-friendly training (DP-Net, arXiv 2003.09615, §3): a penalty that pulls each weight
 * towards the centre of its cluster, so that clustering after training loses little.
 * <pre>
 * R(w) = λ · Σ_layers Σ_i (w_i − c(w_i))²,      ∂R/∂w_i = 2λ·(w_i − c(w_i))
 * </pre>
 * where c(w_i) is the centre of w_i's cluster in the optimal k = 2^bits clustering
 * ({@link OptimalClustering}) of its layer. The targets c(w_i) are held fixed between calls of
 * {@link #update()} (e.g. once per epoch through {@link #everyEpoch()}); at an update they are the
 * cluster means, where the gradient above is also the exact gradient of the optimal SSE.
 * <pre>{@code
 * ClusterRegularizer reg = new ClusterRegularizer(model, 3, 1e-3, List.of());
 * Trainer t = new Trainer(model, sgd, null, reg.addTo(Losses::crossEntropy));
 * t.fit(train, test, Trainer.Options.epochs(5).onEpochStart(reg.everyEpoch()));
 * }</pre>
 * It reads the layers' weight parameters when built: build it before {@link Clustering#apply}
 * replaces them.
 *
 * <p>{@link #annealTo} makes λ grow geometrically over the epochs, λ_e = λ₀·(λ₁/λ₀)^((e−1)/(E−1))
 * for epoch e of E: weak at first, while the clusters still move, and strong at the end, so the
 * weights sit close to their centres when {@link Clustering#apply} replaces them and the
 * clustering itself costs little accuracy.
 */
public final class ClusterRegularizer {
    private final List<String> paths = new ArrayList<>();
    private final List<Parameter> weights = new ArrayList<>();
    private final int bits, k;
    private final double lambda;
    private double finalLambda, current;
    private int annealEpochs = 1;
    private Tensor[] targets;

    /**
     * A penalty of strength {@code lambda} (finite, ≥ 0) towards {@code bits}-bit clusterings of the
     * layers at {@code paths} (every plain Conv2d and Linear layer when empty).
     */
    public ClusterRegularizer(Module model, int bits, double lambda, List<String> paths) {
        this.k = LayerPaths.clustersFor(bits);
        if (!(lambda >= 0) || Double.isInfinite(lambda)) throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
        this.bits = bits;
        this.lambda = lambda;
        this.finalLambda = lambda;
        this.current = lambda;
        for (var e : LayerPaths.select(model, paths).entrySet()) {
            this.paths.add(e.getKey());
            this.weights.add(LayerPaths.weight(e.getValue()));
        }
    }

    /**
     * Grows λ geometrically from the constructor's value to {@code finalLambda} (finite, > 0, and
     * the start must then be > 0 too) over {@code epochs} epochs of {@link #everyEpoch()}, which
     * sets each epoch's strength; returns this.
     */
    public ClusterRegularizer annealTo(double finalLambda, int epochs) {
        if (!(finalLambda > 0) || Double.isInfinite(finalLambda)) throw new IllegalArgumentException("final lambda must be finite and > 0, got " + finalLambda);
        if (!(lambda > 0)) throw new IllegalArgumentException("annealing needs a starting lambda > 0, got " + lambda);
        if (epochs < 1) throw new IllegalArgumentException("annealing needs epochs >= 1, got " + epochs);
        this.finalLambda = finalLambda;
        this.annealEpochs = epochs;
        return this;
    }

    /** The strength at {@code epoch} (1-based) of the schedule: the constructor's λ when not annealed. */
    public double lambdaAt(int epoch) {
        if (finalLambda == lambda) return lambda;
        double t = annealEpochs == 1 ? 1 : Math.min(1, Math.max(0, (epoch - 1) / (double) (annealEpochs - 1)));
        return lambda * Math.pow(finalLambda / lambda, t);
    }

    /** Re-clusters every layer's current weights; returns the total SSE Σ (w − c(w))² (the penalty over λ now). */
    public double update() {
        Tensor[] next = new Tensor[weights.size()];
        double total = 0;
        for (int l = 0; l < next.length; l++) {
            Parameter p = weights.get(l);
            Clusters c;
            try {
                c = OptimalClustering.cluster(p.value().toArray(), k);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer '" + paths.get(l) + "': " + e.getMessage(), e);
            }
            next[l] = Tensor.fromArray(c.values(), p.shape());
            total += c.sse();
        }
        targets = next;
        return total;
    }

    /** {@code λ·Σ (w − c(w))²} as a scalar tensor with gradient to the weights; clusters first if {@link #update()} never ran. */
    public Tensor penalty() {
        if (targets == null) update();
        Tensor sum = null;
        for (int l = 0; l < targets.length; l++) {
            Tensor d = weights.get(l).value().sub(targets[l]);
            Tensor s = d.mul(d).sum();
            sum = sum == null ? s : sum.add(s);
        }
        return sum.mul((float) current);
    }

    /** {@code base(outputs, labels) + penalty()}, for a {@link Trainer}. */
    public LossFunction addTo(LossFunction base) {
        return (outputs, labels) -> base.apply(outputs, labels).add(penalty());
    }

    /**
     * A {@link Trainer} hook that calls {@link #update()} before each epoch, sets the epoch's λ
     * ({@link #lambdaAt}) and logs both.
     */
    public Trainer.EpochStart everyEpoch() {
        return (epoch, epochs) -> {
            current = lambdaAt(epoch);
            return String.format(Locale.ROOT, "cluster targets (%d bits) updated, SSE %.5g, lambda %.4g", bits, update(), current);
        };
    }

    /** The layers' dotted paths. */
    public List<String> paths() {
        return List.copyOf(paths);
    }

    /** The strength λ in use now (the constructor's until {@link #everyEpoch()} sets another). */
    public double lambda() {
        return current;
    }

    /** Bits per index, 1..8. */
    public int bits() {
        return bits;
    }
}
