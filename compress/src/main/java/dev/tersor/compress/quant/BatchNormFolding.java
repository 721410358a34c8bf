package dev.tersor.compress.quant;

import dev.tersor.nn.BatchNorm1d;
import dev.tersor.nn.BatchNorm2d;
import dev.tersor.nn.Conv2d;
import dev.tersor.nn.Identity;
import dev.tersor.nn.Linear;
import dev.tersor.nn.Module;
import dev.tersor.nn.Parameter;
import dev.tersor.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Folds eval-mode batch norms into the convolution or linear layer that feeds them, so a
 * quantized network has one weight per layer (Jacob et al. 2018, §3.2; torch.ao's
 * {@code fuse_conv_bn_eval}). For a layer y = W·x + b followed by
 * {@code BN(y) = γ·(y − μ)/√(σ² + eps) + β} with running statistics μ, σ²:
 * <pre>
 * W'[k] = W[k] · γ[k]/√(σ²[k] + eps)               (every weight of output channel k)
 * b'[k] = β[k] + (b[k] − μ[k]) · γ[k]/√(σ²[k] + eps)   (b = 0 without bias; γ = 1, β = 0 without affine)
 * </pre>
 * computed in double and rounded once.
 *
 * <p><b>Finding the pairs.</b> One forward pass of {@code sample} (eval mode, no gradients) is
 * traced with forward hooks on every module. A {@link Conv2d} or {@link Linear} (exactly those
 * classes) and a {@link BatchNorm2d}/{@link BatchNorm1d} form a pair when, on every call, the
 * batch norm's input is the very tensor object the layer returned, the layer's output goes to no
 * other module (the batch norm's own containers aside), the batch norm takes input from that
 * layer only, it tracks running statistics, and a linear layer's output is [N, C]. Tensor
 * operations outside modules are not seen by hooks: a forward that also uses the layer's output
 * directly (not through a module) must not be folded.
 */
public final class BatchNormFolding {

    /** A layer and the batch norm that directly follows it, by dotted path. */
    public record Pair(String layer, String batchNorm) {
        public Pair {
            if (layer == null || batchNorm == null) throw new IllegalArgumentException("BatchNormFolding.Pair: null path");
        }
    }

    private BatchNormFolding() {
    }

    /** The foldable (layer, batch norm) pairs of {@code model}, in the order the pass ran them. */
    public static List<Pair> pairs(Module model, Tensor sample) {
        Trace t = new Trace();
        boolean wasTraining = model.isTraining();
        List<Module.HookHandle> handles = new ArrayList<>();
        try {
            model.eval();
            for (var e : model.namedModules().entrySet()) {
                String path = e.getKey();
                handles.add(e.getValue().registerForwardHook((m, in, out) -> {
                    t.record(path, m, in, out);
                    return null;
                }));
            }
            try (var g = Tensor.noGrad()) {
                model.call(sample);
            }
        } finally {
            for (Module.HookHandle h : handles) h.close();
            if (wasTraining) model.train();
        }
        return t.pairs(model);
    }

    /**
     * Replaces every pair's layer by an equivalent {@link Conv2d}/{@link Linear} with bias and its
     * batch norm by {@link Identity}; leaves {@code model} in eval mode and returns the pairs folded.
     */
    public static List<Pair> fold(Module model, Tensor sample) {
        List<Pair> pairs = pairs(model, sample);
        for (Pair p : pairs) {
            Module layer = model.get(p.layer());
            Module bn = model.get(p.batchNorm());
            model.replace(p.layer(), folded(layer, bn));
            model.replace(p.batchNorm(), new Identity());
        }
        model.eval();
        return pairs;
    }

    /**
     * Folds {@code bn} into {@code layer} in place: its weight and bias parameters keep their
     * identity (an optimizer holding them goes on training them), so the layer must already have a
     * bias. The caller replaces the batch norm (e.g. by {@code Identity}).
     *
     * @throws IllegalArgumentException if the layer is not a Conv2d/Linear with a bias, or the batch norm does not fit it
     */
    public static void foldInPlace(Module layer, Module bn) {
        Parameter weight, bias;
        if (layer instanceof Conv2d c) {
            weight = c.weight();
            bias = c.bias();
        } else if (layer instanceof Linear l) {
            weight = l.weight();
            bias = l.bias();
        } else {
            throw new IllegalArgumentException("BatchNormFolding: " + layer.getClass().getSimpleName() + " is not a Conv2d or Linear");
        }
        if (bias == null) throw new IllegalArgumentException("BatchNormFolding: folding in place needs a layer with a bias");
        BatchNormAffine affine = BatchNormAffine.of(bn, weight.shape()[0]);
        float[] nb = affine.foldInto(weight.value(), bias.value());
        try (var g = Tensor.noGrad()) {
            bias.value().copyInPlace(Tensor.fromArray(nb, nb.length));
        }
    }

    /** The layer with {@code bn} folded in (a new module; the arguments are unchanged). */
    static Module folded(Module layer, Module bn) {
        Module out;
        Parameter weight, bias;
        Tensor w, b;
        if (layer instanceof Conv2d c) {
            w = c.weight().value();
            b = c.bias() == null ? null : c.bias().value();
            int[] s = w.shape();
            Conv2d f = new Conv2d(s[1] * c.options().groups(), s[0], s[2], s[3], c.options(), true);
            out = f;
            weight = f.weight();
            bias = f.bias();
        } else if (layer instanceof Linear l) {
            w = l.weight().value();
            b = l.bias() == null ? null : l.bias().value();
            Linear f = new Linear(w.shape()[1], w.shape()[0], true);
            out = f;
            weight = f.weight();
            bias = f.bias();
        } else {
            throw new IllegalArgumentException("BatchNormFolding: " + layer.getClass().getSimpleName() + " is not a Conv2d or Linear");
        }
        BatchNormAffine affine = BatchNormAffine.of(bn, w.shape()[0]);
        weight.set(w.contiguous().copy());
        float[] nb = affine.foldInto(weight.value(), b);
        bias.set(Tensor.fromArray(nb, nb.length));
        return out;
    }

    /** What one traced forward saw: who produced and who consumed each tensor object. */
    private static final class Trace {
        private final Map<Tensor, String> producer = new IdentityHashMap<>();     // layer output -> layer path
        private final Map<Tensor, List<String>> consumers = new IdentityHashMap<>();
        private final Map<String, Set<String>> sources = new LinkedHashMap<>();   // bn path -> producing layer paths ("" = other)
        private final Map<String, Boolean> linearRank2 = new LinkedHashMap<>();

        void record(String path, Module m, Tensor in, Tensor out) {
            consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(path);
            Class<?> type = m.getClass();
            if (type == Conv2d.class || type == Linear.class) {
                producer.put(out, path);
                if (type == Linear.class) linearRank2.merge(path, out.dim() == 2, Boolean::logicalAnd);
            }
            if (type == BatchNorm2d.class || type == BatchNorm1d.class) {
                sources.computeIfAbsent(path, k -> new LinkedHashSet<>()).add(producer.getOrDefault(in, ""));
            }
        }

        List<Pair> pairs(Module model) {
            Map<String, Set<String>> feeds = new LinkedHashMap<>();   // layer path -> consumer paths (ancestors of a bn removed below)
            for (var e : producer.entrySet()) {
                feeds.computeIfAbsent(e.getValue(), k -> new LinkedHashSet<>()).addAll(consumers.getOrDefault(e.getKey(), List.of()));
            }
            List<Pair> out = new ArrayList<>();
            for (var e : sources.entrySet()) {
                String bn = e.getKey();
                if (e.getValue().size() != 1) continue;
                String layer = e.getValue().iterator().next();
                if (layer.isEmpty() || !linearRank2.getOrDefault(layer, true)) continue;
                boolean alone = true;
                for (String c : feeds.getOrDefault(layer, Set.of())) alone &= c.equals(bn) || isAncestor(c, bn);
                Module b = model.get(bn);
                boolean tracked = b instanceof BatchNorm2d b2 ? b2.runningMean() != null : ((BatchNorm1d) b).runningMean() != null;
                if (alone && tracked) out.add(new Pair(layer, bn));
            }
            return out;
        }

        private static boolean isAncestor(String path, String of) {
            return path.isEmpty() || of.startsWith(path + ".");
        }
    }
}
