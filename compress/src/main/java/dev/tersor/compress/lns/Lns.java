package dev.tersor.compress.lns;

import dev.tersor.nn.Module;
import dev.tersor.nn.binary.BinaryConv2d;
import dev.tersor.nn.binary.BinaryLinear;
import dev.tersor.nn.train.LossFunction;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LNS (Han et al., "Training Binary Neural Networks through Learning with Noisy Supervision",
 * ICML 2020, arXiv 2010.04871): the binary weights of each layer are predicted from each filter's
 * latent weights as a whole by a small network ({@link FilterMapping}), trained end to end with
 * the task loss plus a supervision loss that takes sign(W) as noisy labels and corrects for the
 * noise with an unbiased estimator ({@link NoisySupervision}). It fine-tunes a trained binary
 * network.
 * <pre>{@code
 * Lns.prepare(model, LnsConfig.defaults());                      // BinaryConv2d/BinaryLinear → LnsConv2d/LnsLinear
 * Trainer t = new Trainer(model, optimizer, scheduler, Lns.loss(model, Losses::crossEntropy));
 * Lns.fix(model);                                                // plain binary layers, learned signs fixed
 * BinaryInference.convert(model);                                // packed XNOR-popcount
 * }</pre>
 */
public final class Lns {
    private Lns() {
    }

    /**
     * Replaces, in place and by dotted path, every {@link BinaryConv2d} and {@link BinaryLinear} of
     * {@code model} by an {@link LnsConv2d} / {@link LnsLinear} holding the same latent weights,
     * bias, α and options; returns the model.
     */
    public static Module prepare(Module model, LnsConfig config) {
        if (model == null || config == null) throw new IllegalArgumentException("Lns.prepare: model and config must not be null");
        List<String> paths = new ArrayList<>();
        for (var e : model.namedModules().entrySet()) {
            Module m = e.getValue();
            if ((m instanceof BinaryConv2d || m instanceof BinaryLinear) && !(m instanceof LnsLayer)) paths.add(e.getKey());
        }
        if (paths.isEmpty()) throw new IllegalArgumentException("Lns.prepare: no BinaryConv2d or BinaryLinear in " + model.getClass().getSimpleName());
        if (paths.contains("")) throw new IllegalArgumentException("Lns.prepare: the model itself is a single layer; wrap it in a container");
        for (String path : paths) {
            Module m = model.get(path);
            model.replace(path, m instanceof BinaryConv2d c ? new LnsConv2d(c, config) : new LnsLinear((BinaryLinear) m, config));
        }
        return model;
    }

    /** Every LNS layer of {@code model} by dotted path. */
    public static Map<String, LnsLayer> layers(Module model) {
        Map<String, LnsLayer> out = new LinkedHashMap<>();
        for (var e : model.namedModules().entrySet()) if (e.getValue() instanceof LnsLayer l) out.put(e.getKey(), l);
        return out;
    }

    /** {@code λ · Σ_layers mean ℓ̃(f(W), sign(W))} with graph; λ from the config of the first layer prepared. */
    public static Tensor supervisionLoss(Module model, LnsConfig config) {
        Tensor total = null;
        for (LnsLayer l : layers(model).values()) total = total == null ? l.supervisionLoss() : total.add(l.supervisionLoss());
        if (total == null) throw new IllegalArgumentException("Lns.supervisionLoss: no LNS layers in " + model.getClass().getSimpleName());
        return total.mul((float) config.weight());
    }

    /** The task loss plus {@link #supervisionLoss}: the loss the training loop minimises. */
    public static LossFunction loss(Module model, LnsConfig config, LossFunction task) {
        return (outputs, labels) -> task.apply(outputs, labels).add(supervisionLoss(model, config));
    }

    /** The weighted mean over LNS layers of the fraction of learned signs that differ from sign(W). */
    public static double flipFraction(Module model) {
        double sum = 0;
        long n = 0;
        for (LnsLayer l : layers(model).values()) {
            long size = ((Module) l).parameters().get(0).numel();
            sum += l.flipFraction() * size;
            n += size;
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /**
     * Replaces every LNS layer by a plain {@link BinaryConv2d} / {@link BinaryLinear} with latent
     * weights sign(f(W)) (±1) and α fixed (as a learned α) to its value now, so the outputs are
     * unchanged and {@code BinaryInference.convert} packs the learned signs; returns the model.
     */
    public static Module fix(Module model) {
        for (var e : layers(model).entrySet()) model.replace(e.getKey(), e.getValue().toFixed());
        return model;
    }
}
