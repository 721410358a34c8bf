package dev.tersor.compress.slb;

import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.nn.data.Batch;
import dev.tersor.nn.train.Trainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * SLB (Yang et al., "Searching for Low-Bit Weights in Quantized Neural Networks", NeurIPS 2020,
 * arXiv 2009.08695): every searched weight is a softmax over the 2^b values of a grid, trained
 * through the continuous relaxation; the temperature rises over the epochs; at the end each
 * weight takes its most probable value and batch norm is recalibrated for the discrete weights.
 * <pre>{@code
 * Slb.prepare(model, SlbConfig.bits(2));                         // conv/linear → SlbConv2d/SlbLinear (first, last stay float)
 * trainer.fit(train, test, Trainer.Options.epochs(10).onEpochStart(Slb.temperatureHook(model, 10)));
 * Slb.recalibrateBatchNorm(model, trainLoader, 100);             // state BN with the discrete weights
 * Map<String, SlbCodebook> codes = Slb.discretize(model);        // now an ordinary model with Conv2d/Linear
 * }</pre>
 */
public final class Slb {
    private Slb() {
    }

    /**
     * Replaces, in place and by dotted path, each {@link Conv2d} and {@link Linear} of {@code model}
     * by an {@link SlbConv2d} / {@link SlbLinear} (bias and shape kept, logits drawn fresh), except
     * the first and the last of them in module order unless {@code config.quantizeFirstAndLast()};
     * returns the model. Layers that are SLB already are left alone.
     */
    public static Module prepare(Module model, SlbConfig config) {
        if (model == null || config == null) throw new IllegalArgumentException("Slb.prepare: model and config must not be null");
        List<String> paths = new ArrayList<>();
        for (var e : model.namedModules().entrySet()) {
            if (e.getValue() instanceof Conv2d || e.getValue() instanceof Linear) paths.add(e.getKey());
        }
        List<String> chosen = new ArrayList<>(paths);
        if (!config.quantizeFirstAndLast() && !chosen.isEmpty()) {
            chosen.remove(chosen.size() - 1);
            if (!chosen.isEmpty()) chosen.remove(0);
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("Slb.prepare: nothing to quantize in " + model.getClass().getSimpleName() + ": Conv2d/Linear layers "
                    + paths + (config.quantizeFirstAndLast() ? "" : " (the first and last stay float; set quantizeFirstAndLast)"));
        }
        if (chosen.contains("")) throw new IllegalArgumentException("Slb.prepare: the model itself is a single layer; wrap it in a container");
        for (String path : chosen) {
            Module m = model.get(path);
            model.replace(path, m instanceof Conv2d c ? new SlbConv2d(c, config) : new SlbLinear((Linear) m, config));
        }
        return model;
    }

    /** Every SLB layer of {@code model} by dotted path. */
    public static Map<String, SlbLayer> layers(Module model) {
        Map<String, SlbLayer> out = new LinkedHashMap<>();
        for (var e : model.namedModules().entrySet()) if (e.getValue() instanceof SlbLayer l) out.put(e.getKey(), l);
        return out;
    }

    /**
     * The logits of every SLB layer, e.g. for their own optimizer group: a logit must move by about
     * one unit to change a weight's value, far more than a float weight moves, so short runs give
     * them a larger learning rate (the MNIST test uses 10×).
     */
    public static List<Parameter> logitParameters(Module model) {
        List<Parameter> out = new ArrayList<>();
        for (SlbLayer l : layers(model).values()) out.add(l.logits());
        return out;
    }

    /** Every parameter of {@code model} that is not an SLB logit tensor (biases, float layers, batch norm). */
    public static List<Parameter> otherParameters(Module model) {
        List<Parameter> logits = logitParameters(model);
        List<Parameter> out = new ArrayList<>();
        for (Parameter p : model.parameters()) if (logits.stream().noneMatch(q -> q == p)) out.add(p);
        return out;
    }

    /**
     * The temperature schedule as a trainer hook: before epoch {@code epoch} (1-based) of
     * {@code totalEpochs}, every SLB layer gets {@link SlbSchedule#temperature} of its schedule and
     * becomes discrete when {@link SlbSchedule#discrete} says so. Logs the temperature.
     */
    public static Trainer.EpochStart temperatureHook(Module model, int totalEpochs) {
        if (totalEpochs < 1) throw new IllegalArgumentException("Slb.temperatureHook: totalEpochs must be >= 1, got " + totalEpochs);
        return (epoch, epochs) -> {
            String line = null;
            for (SlbLayer l : layers(model).values()) {
                double t = l.schedule().temperature(epoch, totalEpochs);
                l.setTemperature(t);
                l.setDiscrete(l.schedule().discrete(epoch, totalEpochs));
                if (line == null) line = String.format(Locale.ROOT, "SLB temperature %.4g%s", t, l.isDiscrete() ? ", discrete weights" : "");
            }
            return line;
        };
    }

    /**
     * State batch norm: running statistics of every BatchNorm1d/BatchNorm2d recomputed with the
     * discrete weights over the first {@code maxBatches} of {@code batches} (cumulative average of
     * the per-batch mean and unbiased variance, in training mode, no gradients; see
     * {@link StateBatchNorm}). Returns the number of batches used.
     */
    public static int recalibrateBatchNorm(Module model, Iterable<Batch> batches, int maxBatches) {
        return StateBatchNorm.run(model, batches, maxBatches);
    }

    /** {@link #recalibrateBatchNorm(Module, Iterable, int)} over every batch given. */
    public static int recalibrateBatchNorm(Module model, Iterable<Batch> batches) {
        return StateBatchNorm.run(model, batches, Integer.MAX_VALUE);
    }

    /**
     * Replaces every SLB layer by a plain {@link Conv2d} / {@link Linear} holding its discrete
     * weight and bias, so the model is an ordinary one (its eval outputs are unchanged); returns
     * the codes of each replaced layer by dotted path.
     */
    public static Map<String, SlbCodebook> discretize(Module model) {
        Map<String, SlbCodebook> codes = new LinkedHashMap<>();
        for (var e : layers(model).entrySet()) {
            SlbLayer l = e.getValue();
            codes.put(e.getKey(), new SlbCodebook(l.bits(), l.grid(), l.indices()));
            Module plain = l instanceof SlbConv2d c ? c.toConv2d() : ((SlbLinear) l).toLinear();
            if (!l.isTraining()) plain.eval();
            model.replace(e.getKey(), plain);
        }
        return codes;
    }
}
