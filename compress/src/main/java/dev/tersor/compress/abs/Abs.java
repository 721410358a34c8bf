package dev.tersor.compress.abs;

import dev.tersor.compress.quant.QParams;
import dev.tersor.compress.quant.QuantConv2d;
import dev.tersor.compress.quant.QuantLinear;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.Summary;
import dev.tersor.nn.train.Trainer;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Automatic Bit Sharing (Liu et al., "ABS: Automatic Bit Sharing for Model Compression", arXiv
 * 2101.04935): a joint search of per-layer weight and input bit widths and filter pruning under a
 * BOPs budget, in one super-bit model.
 * <pre>{@code
 * Module model = ...;                                                      // a trained float model
 * AbsReport start = Abs.prepare(model, AbsConfig.builder(1, 28, 28).budget(0.5).build());
 * Adam opt = new Adam(Abs.weightParameters(model), Adam.options().lr(1e-3).build());   // weights, biases, clips
 * Sgd gates = new Sgd(Abs.gateParameters(model), Sgd.options(0.02).build());            // plain SGD, see below
 * for (Batch b : train) {
 *     Tensor loss = Losses.crossEntropy(model.call(b.inputs()), b.labels()).add(Abs.penalty(model));
 *     opt.zeroGrad(); gates.zeroGrad(); loss.backward(); opt.step(); gates.step();
 * }
 * Abs.Result r = Abs.finish(model);            // ordinary QuantConv2d/QuantLinear layers at the chosen bits
 * Conversion.convert(r.model());               // integer layers; CompressedModel.save(...) writes per-layer wbits
 * }</pre>
 * Train the gates with plain SGD (no momentum, no per-parameter normalisation): the penalty's
 * gradient on each gate is what switching it off saves, so with SGD the gates that save most
 * flip first; Adam would move every gate at the same speed and flip them all at once.
 * Each searched {@link Conv2d}/{@link Linear} becomes a {@link SuperBitLayer}: its weights and
 * input quantized on every candidate bit width at once (a b-bit value is the lowest-bit value plus
 * quantized re-assignment offsets, {@link NestedGrid}), binary gates choose how many offsets count
 * and whether each filter is kept (0-bit), and {@link #penalty} adds
 * {@code λ·max(0, BOPs/budget − 1)} with {@code BOPs = Σ MACs·kept·b_w·b_a} ({@link BopsPenalty}).
 * <p>
 * <b>0-bit filters</b>: {@link #finish} makes a pruned filter's weights and bias exactly 0, so its
 * output channel is 0 and the report lists which filters are 0-bit; {@link FilterRemoval#apply}
 * then removes them (and the next layers' matching inputs) with the structural pruning engine,
 * and the returned plan goes into the compressed file.
 */
public final class Abs {
    private Abs() {
    }

    /** The outcome of {@link #finish}: the model (changed in place, eval mode) and what was chosen. */
    public record Result(Module model, AbsReport report) {
    }

    /**
     * Replaces each searched Conv2d/Linear of {@code model} (all but the first and last unless the
     * config asks) by a {@link SuperBitLayer}, every gate on (the search starts at the highest
     * candidates). MACs are counted on one sample of {@code config.inputShape()}. Returns the
     * starting report; a model that has no layer to search, or was prepared already, or whose
     * input shape does not fit, is an IllegalArgumentException and stays unchanged.
     */
    public static AbsReport prepare(Module model, AbsConfig config) {
        if (!layers(model).isEmpty()) throw new IllegalArgumentException("Abs.prepare: the model already has super-bit layers");
        Map<String, Module> modules = model.namedModules();
        List<String> paths = new ArrayList<>();
        for (var e : modules.entrySet()) if (e.getValue() instanceof Conv2d || e.getValue() instanceof Linear) paths.add(e.getKey());
        List<String> searched = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            if ((i == 0 && !config.quantizeFirst()) || (i == paths.size() - 1 && !config.quantizeLast())) continue;
            searched.add(paths.get(i));
        }
        if (searched.isEmpty()) {
            throw new IllegalArgumentException("Abs.prepare: " + model.getClass().getSimpleName() + " has no Conv2d/Linear to search ("
                    + paths.size() + " found; the first and last stay float unless quantizeFirst/quantizeLast)");
        }
        Map<String, Long> macs = new LinkedHashMap<>();
        try {
            for (Summary.Row r : Summary.of(model, config.inputShapeArray()).rows()) macs.put(r.name(), r.macs());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("AbsConfig: inputShape " + config.inputShape() + " does not fit the model: " + e.getMessage(), e);
        }
        Map<String, SuperBitLayer> built = new LinkedHashMap<>();
        for (String p : searched) built.put(p, new SuperBitLayer(modules.get(p), macs.getOrDefault(p, 0L), config));
        built.forEach(model::replace);
        return report(model);
    }

    /** The super-bit layers of {@code model} by dotted path, in model order. */
    public static Map<String, SuperBitLayer> layers(Module model) {
        Map<String, SuperBitLayer> out = new LinkedHashMap<>();
        for (var e : model.namedModules().entrySet()) if (e.getValue() instanceof SuperBitLayer s) out.put(e.getKey(), s);
        return out;
    }

    /** The budget penalty {@code λ·max(0, Σ BOPs/budget − 1)} of the current gates, a scalar to add to the loss. */
    public static Tensor penalty(Module model) {
        Map<String, SuperBitLayer> layers = searched(model, "penalty");
        AbsConfig config = layers.values().iterator().next().config();
        Tensor total = null;
        for (SuperBitLayer l : layers.values()) total = total == null ? l.bops() : total.add(l.bops());
        return BopsPenalty.hinge(total, config.budget() * w8a8(layers.values()), config.penaltyWeight());
    }

    /** The search's state now: chosen bits, pruned filters and BOPs per layer against the budget. */
    public static AbsReport report(Module model) {
        return report(searched(model, "report"), 0);
    }

    private static AbsReport report(Map<String, SuperBitLayer> layers, int repairs) {
        List<AbsReport.Layer> rows = new ArrayList<>();
        for (var e : layers.entrySet()) {
            SuperBitLayer l = e.getValue();
            rows.add(new AbsReport.Layer(e.getKey(), l.type(), l.weightQuantizer().chosenBits(), l.inputQuantizer().chosenBits(), l.filters(),
                    l.prunedFilters(), l.macs(), l.chosenBops()));
        }
        long w8a8 = w8a8(layers.values());
        AbsConfig config = layers.values().iterator().next().config();
        return new AbsReport(rows, (long) Math.floor(config.budget() * w8a8), w8a8, repairs);
    }

    private static long w8a8(Iterable<SuperBitLayer> layers) {
        long s = 0;
        for (SuperBitLayer l : layers) s += l.macs() * 64;
        return s;
    }

    private static Map<String, SuperBitLayer> searched(Module model, String what) {
        Map<String, SuperBitLayer> layers = layers(model);
        if (layers.isEmpty()) throw new IllegalArgumentException("Abs." + what + ": the model has no super-bit layers (call Abs.prepare first)");
        return layers;
    }

    /** The gate parameters (θ and the 0-bit thresholds) of every super-bit layer, for their own learning rate. */
    public static List<Parameter> gateParameters(Module model) {
        List<Parameter> out = new ArrayList<>();
        for (SuperBitLayer l : layers(model).values()) {
            out.addAll(l.weightQuantizer().gateParameters());
            out.addAll(l.inputQuantizer().gateParameters());
        }
        return out;
    }

    /** Every other parameter: weights, biases, clips α, and the layers outside the search. */
    public static List<Parameter> weightParameters(Module model) {
        Set<Parameter> gates = Collections.newSetFromMap(new IdentityHashMap<>());
        gates.addAll(gateParameters(model));
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : model.parameters()) if (!gates.contains(p)) out.add(p);
        return out;
    }

    /**
     * A trainer hook that keeps the gates frozen (every candidate on: the super-bit model trains
     * at its highest bits) for the first {@code warmupEpochs} epochs and learns them afterwards.
     */
    public static Trainer.EpochStart epochStart(Module model, int warmupEpochs) {
        if (warmupEpochs < 0) throw new IllegalArgumentException("Abs.epochStart: warmupEpochs must be >= 0, got " + warmupEpochs);
        return (epoch, epochs) -> {
            boolean learn = epoch > warmupEpochs;
            boolean changed = false;
            for (Parameter p : gateParameters(model)) {
                changed |= p.requiresGrad() != learn;
                p.setRequiresGrad(learn);
            }
            return changed ? (learn ? "ABS: learning the gates" : "ABS: gates frozen for " + warmupEpochs + " warm-up epochs") : null;
        };
    }

    /**
     * Ends the search. If the chosen bits are over the budget, the highest gate with the smallest
     * θ is switched off, one at a time, until the budget is met or every layer is at its lowest
     * candidate (counted in {@link AbsReport#repairs()}). Then each super-bit layer becomes a
     * {@link QuantConv2d} / {@link QuantLinear} with {@link GridQuantizer}s at the chosen bits:
     * its weight is the chosen grid's values (so integer conversion gives exactly the searched
     * codes), and pruned filters have weight and bias exactly 0. Every layer must have seen an input
     * (its input clip is set by the first batch). Returns the model in eval mode and the report.
     */
    public static Result finish(Module model) {
        Map<String, SuperBitLayer> layers = searched(model, "finish");
        for (var e : layers.entrySet()) {
            if (!e.getValue().inputQuantizer().isInitialized()) {
                throw new IllegalArgumentException("Abs.finish: layer '" + e.getKey() + "' has not seen an input yet (train before finishing)");
            }
        }
        int repairs = 0;
        for (AbsReport r = report(layers, 0); !r.meetsBudget() && lowerOne(layers.values()); r = report(layers, 0)) repairs++;
        AbsReport report = report(layers, repairs);
        Map<String, Module> finished = new LinkedHashMap<>();
        for (var e : layers.entrySet()) finished.put(e.getKey(), finished(e.getValue()));
        finished.forEach(model::replace);
        model.eval();
        return new Result(model, report);
    }

    /** Switches off the active top gate with the smallest θ; false when every layer is at its lowest candidate. */
    private static boolean lowerOne(Iterable<SuperBitLayer> layers) {
        SuperBitQuantizer best = null;
        float bestTheta = Float.POSITIVE_INFINITY;
        for (SuperBitLayer l : layers) {
            for (SuperBitQuantizer q : List.of(l.weightQuantizer(), l.inputQuantizer())) {
                int j = q.chosen();
                if (j == 0) continue;
                float t = q.theta().value().toArray()[j - 1];
                if (t < bestTheta) {
                    bestTheta = t;
                    best = q;
                }
            }
        }
        if (best == null) return false;
        best.limitTo(best.chosen() - 1);
        return true;
    }

    private static Module finished(SuperBitLayer l) {
        SuperBitQuantizer wq = l.weightQuantizer(), aq = l.inputQuantizer();
        Module source = l.source();
        try (var g = Tensor.noGrad()) {
            Tensor c = wq.channelGate(l.weight().value());
            Tensor w = wq.quantize(l.weight().value(), c);
            Parameter sw = source instanceof Conv2d conv ? conv.weight() : ((Linear) source).weight();
            Parameter sb = source instanceof Conv2d conv ? conv.bias() : ((Linear) source).bias();
            sw.set(w.detach().copy());
            if (sb != null) {
                float[] b = l.bias().value().contiguous().toArray(), keep = c.toArray();
                for (int k = 0; k < b.length; k++) if (keep[keep.length == 1 ? 0 : k] == 0f) b[k] = 0f;   // +0, never −0
                sb.set(Tensor.fromArray(b, b.length));
            }
        }
        QParams wp = wq.qparams(wq.chosen()), ap = aq.qparams(aq.chosen());
        GridQuantizer weightGrid = new GridQuantizer(wp, wq.chosenBits()), inputGrid = new GridQuantizer(ap, aq.chosenBits());
        return source instanceof Conv2d conv ? new QuantConv2d(conv, weightGrid, inputGrid) : new QuantLinear((Linear) source, weightGrid, inputGrid);
    }

    /** The filters of {@code weight} [K, ...] that are entirely 0, ascending (what a finished layer's 0-bit filters look like). */
    public static List<Integer> zeroFilters(Tensor weight) {
        float[] v = weight.contiguous().toArray();
        int k = weight.size(0), inner = v.length / k;
        List<Integer> out = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            boolean zero = true;
            for (int i = c * inner; i < (c + 1) * inner && zero; i++) zero = v[i] == 0f;
            if (zero) out.add(c);
        }
        return out;
    }
}
