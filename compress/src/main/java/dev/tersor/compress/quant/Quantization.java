package dev.tersor.compress.quant;

import dev.tersor.nn.BatchNorm1d;
import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Identity;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.train.Trainer;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Quantization-aware training on an ordinary model: swap layers, then train as usual.
 * <pre>{@code
 * Module model = Zoo.create("lenet5");
 * QuantReport r = Quantization.prepare(model, QuantConfig.builder(QuantMethod.LSQ).bits(4, 4).build());
 * List<Parameter> q = Quantization.quantizerParameters(model), w = Quantization.weightParameters(model);
 * Adam opt = new Adam(List.of(new ParamGroup<>(w, Adam.options().lr(1e-4).build()),
 *                             new ParamGroup<>(q, Adam.options().lr(1e-2).build())));          // PAMS: own lr for α
 * Tensor loss = Losses.crossEntropy(model.call(x), y).add(Quantization.pactPenalty(model, 2e-4f));  // PACT
 * trainer.fit(train, test, Trainer.Options.epochs(30).onEpochStart(Quantization.epochStart(model, 1)));  // PAMS switch
 * Quantization.foldBatchNorm(model, List.of(new Quantization.Fold("conv1", "bn1")));            // after some epochs
 * }</pre>
 */
public final class Quantization {
    private Quantization() {
    }

    /** A layer and the batch norm that follows it, by dotted path. */
    public record Fold(String layer, String batchNorm) {
        public Fold {
            if (layer == null || batchNorm == null) throw new IllegalArgumentException("Fold: paths must not be null");
        }
    }

    /**
     * Swaps every {@link Conv2d} and {@link Linear} of {@code model} (found by
     * {@code namedModules()}, replaced by dotted path) for a {@link QuantConv2d} / {@link QuantLinear}
     * with the method's quantizers. The first and last of them stay float unless the config asks
     * (or names them in {@link QuantConfig#layers}). Weights are copied, so the model computes the
     * same function up to quantization. A configured path that does not exist or is not a
     * Conv2d/Linear is an {@link IllegalArgumentException} naming it; nothing is changed then.
     */
    public static QuantReport prepare(Module model, QuantConfig config) {
        Map<String, Module> modules = model.namedModules();
        for (String path : config.layers().keySet()) {
            Module m = modules.get(path);
            if (m == null) throw new IllegalArgumentException("QuantConfig: layer '" + path + "' does not exist in " + model.getClass().getSimpleName());
            if (!(m instanceof Conv2d) && !(m instanceof Linear)) {
                throw new IllegalArgumentException("QuantConfig: layer '" + path + "' is a " + m.getClass().getSimpleName() + ", not a Conv2d or Linear");
            }
        }
        List<String> paths = new ArrayList<>();
        for (var e : modules.entrySet()) if (e.getValue() instanceof Conv2d || e.getValue() instanceof Linear) paths.add(e.getKey());
        if (config.only() != null && paths.stream().noneMatch(config::selectedByOnly)) {
            throw new IllegalArgumentException("QuantConfig: only '" + config.only() + "' matches none of the Conv2d/Linear layers of "
                    + model.getClass().getSimpleName() + " (" + String.join(", ", paths.subList(0, Math.min(paths.size(), 6)))
                    + (paths.size() > 6 ? ", ..." : "") + ")");
        }
        List<QuantReport.Entry> entries = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            String path = paths.get(i);
            Module m = modules.get(path);
            String type = m instanceof Conv2d ? "Conv2d" : "Linear";
            if (!config.quantizes(path, i, paths.size())) {
                entries.add(new QuantReport.Entry(path, type, 0, 0));
                continue;
            }
            QuantConfig.LayerBits bits = config.bitsFor(path);
            QuantMethod method = config.method();
            FakeQuantizer in = config.quantizeActivations() ? method.inputQuantizer(bits.activation(), config) : null;
            Module swapped;
            if (m instanceof Conv2d c) {
                swapped = new QuantConv2d(c, method.weightQuantizer(bits.weight(), c.outChannels(), config), in);
            } else {
                Linear l = (Linear) m;
                swapped = new QuantLinear(l, method.weightQuantizer(bits.weight(), l.weight().shape()[0], config), in);
            }
            model.replace(path, swapped);
            entries.add(new QuantReport.Entry(path, type, bits.weight(), in == null ? 0 : bits.activation()));
        }
        return new QuantReport(config.method(), entries);
    }

    /** The parameters of every fake quantizer (LSQ steps, PACT and PAMS clips), for their own learning rate. */
    public static List<Parameter> quantizerParameters(Module model) {
        List<Parameter> out = new ArrayList<>();
        for (Module m : model.namedModules().values()) if (m instanceof FakeQuantizer q) out.addAll(q.parameters());
        return out;
    }

    /** Every other parameter of the model (weights, biases, batch-norm affine parameters). */
    public static List<Parameter> weightParameters(Module model) {
        Set<Parameter> quant = Collections.newSetFromMap(new IdentityHashMap<>());
        quant.addAll(quantizerParameters(model));
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : model.parameters()) if (!quant.contains(p)) out.add(p);
        return out;
    }

    /** PACT's regulariser {@code λ·Σ α²} over every {@link PactQuantizer} (a scalar 0 without any). */
    public static Tensor pactPenalty(Module model, float lambda) {
        Tensor sum = null;
        for (Module m : model.namedModules().values()) {
            if (m instanceof PactQuantizer p) sum = sum == null ? p.penalty() : sum.add(p.penalty());
        }
        return sum == null ? Tensor.scalar(0f) : sum.mul(lambda);
    }

    /** Ends the EMA phase of every {@link PamsQuantizer}: their α is learned from now on. Returns how many. */
    public static int startLearningClips(Module model) {
        int n = 0;
        for (Module m : model.namedModules().values()) {
            if (m instanceof PamsQuantizer p && !p.isLearning()) {
                p.startLearning();
                n++;
            }
        }
        return n;
    }

    /**
     * A trainer hook that calls {@link #startLearningClips} at the start of epoch {@code emaEpochs + 1}
     * (PAMS's {@code ema_epoch}, 1 in the paper); a model without PAMS quantizers makes it a no-op.
     */
    public static Trainer.EpochStart epochStart(Module model, int emaEpochs) {
        if (emaEpochs < 1) throw new IllegalArgumentException("epochStart: emaEpochs must be >= 1, got " + emaEpochs);
        return (epoch, epochs) -> {
            if (epoch <= emaEpochs) return null;
            int n = startLearningClips(model);
            return n == 0 ? null : "PAMS: learning the clip of " + n + " quantizers";
        };
    }

    /**
     * Folds each batch norm into the quantized layer before it ({@link QuantConv2d#foldBatchNorm},
     * {@link QuantLinear#foldBatchNorm}) and replaces the batch norm by an {@link Identity}. All
     * pairs are checked before anything changes: a missing path, a layer that is not a QuantConv2d
     * or QuantLinear, or a module that is not the matching batch norm is an IllegalArgumentException
     * naming it. Call it with the model in evaluation-ready state (running statistics are used).
     */
    public static void foldBatchNorm(Module model, List<Fold> pairs) {
        for (Fold f : pairs) {
            Module layer = model.get(f.layer()), bn = model.get(f.batchNorm());
            boolean ok = layer instanceof QuantConv2d ? bn instanceof BatchNorm2d : layer instanceof QuantLinear && bn instanceof BatchNorm1d;
            if (!(layer instanceof FakeQuantLayer)) {
                throw new IllegalArgumentException("foldBatchNorm: '" + f.layer() + "' is a " + layer.getClass().getSimpleName()
                        + ", not a QuantConv2d or QuantLinear");
            }
            if (!ok) {
                throw new IllegalArgumentException("foldBatchNorm: '" + f.batchNorm() + "' is a " + bn.getClass().getSimpleName()
                        + ", not the batch norm for " + layer.getClass().getSimpleName() + " '" + f.layer() + "'");
            }
            BatchNormAffine.of(bn, ((FakeQuantLayer) layer).weight().shape()[0]);   // channels and running statistics
        }
        for (Fold f : pairs) {
            ((FakeQuantLayer) model.get(f.layer())).fold(model.get(f.batchNorm()));
            model.replace(f.batchNorm(), new Identity());
        }
    }
}
