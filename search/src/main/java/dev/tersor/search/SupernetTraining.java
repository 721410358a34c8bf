package dev.tersor.search;

import dev.tersor.nn.Parameter;
import dev.tersor.nn.optim.ParamGroup;
import dev.tersor.nn.optim.Sgd;
import java.util.ArrayList;
import java.util.List;

/**
 * The optimizer of SPOS supernet training: SGD whose weight decay applies to the weights of
 * convolutions and linear layers only (names containing {@code weight}, of rank > 1), not to
 * biases and batch-norm parameters (official {@code get_parameters}). Train with
 * {@link dev.tersor.nn.train.Trainer}; the supernet draws a uniform path per step, and the
 * trainer's checkpoints (weights, optimizer, the default random stream) make the run resumable:
 * <pre>{@code
 * Rng.manualSeed(42);
 * Supernet net = space.supernet();
 * Sgd sgd = SupernetTraining.sgd(net, Sgd.options(0.05).momentum(0.9).build(), 4e-5);
 * new Trainer(net, sgd, null, Losses::crossEntropy)
 *         .fit(train, null, Trainer.Options.epochs(3).checkpoint(Path.of("supernet.ckpt")).checkpointEvery(50));
 * }</pre>
 */
public final class SupernetTraining {
    private SupernetTraining() {
    }

    /** SGD with {@code options} (whose own weight decay is replaced) and {@code weightDecay} on rank > 1 weights. */
    public static Sgd sgd(Supernet net, Sgd.Options options, double weightDecay) {
        List<Parameter> decayed = new ArrayList<>(), plain = new ArrayList<>();
        for (var e : net.namedParameters().entrySet()) {
            if (e.getKey().contains("weight") && e.getValue().shape().length > 1) decayed.add(e.getValue());
            else plain.add(e.getValue());
        }
        List<ParamGroup<Sgd.Options>> groups = new ArrayList<>();
        groups.add(new ParamGroup<>(decayed, options.toBuilder().weightDecay(weightDecay).build()));
        if (!plain.isEmpty()) groups.add(new ParamGroup<>(plain, options.toBuilder().weightDecay(0).build()));
        return new Sgd(groups);
    }
}
