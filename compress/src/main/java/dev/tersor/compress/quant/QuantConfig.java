package dev.tersor.compress.quant;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How {@link Quantization#prepare} quantizes a model.
 * <pre>{@code
 * QuantConfig c = QuantConfig.builder(QuantMethod.LSQ).bits(4, 4).build();                 // W4A4, first/last float
 * QuantConfig m = QuantConfig.builder(QuantMethod.UNIFORM).bits(8, 8)
 *         .layer("layer3.2.conv2", 4, 8).quantizeFirst(true).build();                      // mixed precision
 * }</pre>
 *
 * @param method              UNIFORM, LSQ, PACT or PAMS
 * @param weightBits          default weight bits, 2 to 8
 * @param activationBits      default input bits, 2 to 8
 * @param quantizeActivations false: weight-only quantization (inputs stay float)
 * @param perChannel          UNIFORM only: one weight scale per output channel
 * @param range               UNIFORM only: MIN_MAX or MOVING_AVERAGE ranges (momentum 0.01)
 * @param quantizeFirst       quantize the first Conv2d/Linear too (it stays float by default)
 * @param quantizeLast        quantize the last Conv2d/Linear too (it stays float by default)
 * @param layers              per-layer bits by dotted path (quantized even when first or last)
 * @param pactInitialAlpha    PACT's initial clip (10)
 * @param pamsDecay           PAMS's EMA decay in [0, 1) (0.9997)
 * @param only                null: every Conv2d/Linear (first and last as above); else a regular expression, and only
 *                            the layers whose whole dotted path matches it (and those named in {@code layers}) are
 *                            quantized, first and last included (e.g. {@code body\.\d+\.body\.\d+}: EDSR's residual
 *                            blocks, as PAMS quantizes them)
 */
public record QuantConfig(QuantMethod method, int weightBits, int activationBits, boolean quantizeActivations, boolean perChannel,
                          UniformFakeQuantizer.Range range, boolean quantizeFirst, boolean quantizeLast, Map<String, LayerBits> layers,
                          float pactInitialAlpha, float pamsDecay, String only) {

    /** Weight and input bits of one layer (2 to 8 each). */
    public record LayerBits(int weight, int activation) {
        public LayerBits {
            checkBits("weight bits", weight);
            checkBits("activation bits", activation);
        }
    }

    public QuantConfig {
        if (method == null) throw new IllegalArgumentException("QuantConfig: method must not be null");
        checkBits("weightBits", weightBits);
        checkBits("activationBits", activationBits);
        if (range == null || range == UniformFakeQuantizer.Range.CURRENT) {
            throw new IllegalArgumentException("QuantConfig: range must be MIN_MAX or MOVING_AVERAGE, got " + range);
        }
        if (!(pactInitialAlpha > 0) || !Float.isFinite(pactInitialAlpha)) {
            throw new IllegalArgumentException("QuantConfig: pactInitialAlpha must be positive and finite, got " + pactInitialAlpha);
        }
        if (!(pamsDecay >= 0 && pamsDecay < 1)) throw new IllegalArgumentException("QuantConfig: pamsDecay must be in [0, 1), got " + pamsDecay);
        if (only != null) {
            try {
                Pattern.compile(only);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("QuantConfig: only '" + only + "' is not a regular expression: " + e.getDescription());
            }
        }
        layers = Map.copyOf(layers == null ? Map.of() : layers);
        for (var e : layers.entrySet()) if (e.getValue() == null) throw new IllegalArgumentException("QuantConfig: layer '" + e.getKey() + "' has no bits");
    }

    private static void checkBits(String setting, int bits) {
        if (bits < QuantScheme.MIN_BITS || bits > QuantScheme.MAX_BITS) {
            throw new IllegalArgumentException("QuantConfig: " + setting + " must be between " + QuantScheme.MIN_BITS + " and "
                    + QuantScheme.MAX_BITS + ", got " + bits);
        }
    }

    /** True when the config quantizes the layer at {@code path}, the {@code index}-th of {@code count} Conv2d/Linear layers. */
    public boolean quantizes(String path, int index, int count) {
        if (only != null) return selectedByOnly(path);
        return layers.containsKey(path) || !((index == 0 && !quantizeFirst) || (index == count - 1 && !quantizeLast));
    }

    /** With {@link #only} set: whether {@code path} is named in {@link #layers} or matches it. */
    public boolean selectedByOnly(String path) {
        if (only == null) throw new IllegalStateException("QuantConfig: no 'only' pattern is set");
        return layers.containsKey(path) || Pattern.matches(only, path);
    }

    /** The bits of the layer at {@code path}: its entry in {@link #layers}, else the defaults. */
    public LayerBits bitsFor(String path) {
        LayerBits b = layers.get(path);
        return b != null ? b : new LayerBits(weightBits, activationBits);
    }

    /** A builder with 8-bit weights and inputs, per-channel moving-average ranges, first and last layers float. */
    public static Builder builder(QuantMethod method) {
        return new Builder(method);
    }

    /** Builds a {@link QuantConfig}; every setting is checked by {@link #build()}. */
    public static final class Builder {
        private final QuantMethod method;
        private int weightBits = 8, activationBits = 8;
        private boolean quantizeActivations = true, perChannel = true, quantizeFirst, quantizeLast;
        private UniformFakeQuantizer.Range range = UniformFakeQuantizer.Range.MOVING_AVERAGE;
        private final Map<String, LayerBits> layers = new LinkedHashMap<>();
        private float pactInitialAlpha = PactQuantizer.DEFAULT_ALPHA, pamsDecay = PamsQuantizer.DEFAULT_DECAY;
        private String only;

        private Builder(QuantMethod method) {
            this.method = method;
        }

        /** Default weight and input bits. */
        public Builder bits(int weight, int activation) {
            this.weightBits = weight;
            this.activationBits = activation;
            return this;
        }

        /** False: weight-only quantization. */
        public Builder quantizeActivations(boolean on) {
            this.quantizeActivations = on;
            return this;
        }

        /** UNIFORM: per-channel (true) or per-tensor weight scales. */
        public Builder perChannel(boolean on) {
            this.perChannel = on;
            return this;
        }

        /** UNIFORM: MIN_MAX or MOVING_AVERAGE ranges. */
        public Builder range(UniformFakeQuantizer.Range r) {
            this.range = r;
            return this;
        }

        /** Quantize the first Conv2d/Linear too. */
        public Builder quantizeFirst(boolean on) {
            this.quantizeFirst = on;
            return this;
        }

        /** Quantize the last Conv2d/Linear too. */
        public Builder quantizeLast(boolean on) {
            this.quantizeLast = on;
            return this;
        }

        /** Bits of one layer by dotted path (mixed precision). */
        public Builder layer(String path, int weightBits, int activationBits) {
            layers.put(path, new LayerBits(weightBits, activationBits));
            return this;
        }

        /** PACT's initial clip α. */
        public Builder pactInitialAlpha(float alpha) {
            this.pactInitialAlpha = alpha;
            return this;
        }

        /** PAMS's EMA decay. */
        public Builder pamsDecay(float decay) {
            this.pamsDecay = decay;
            return this;
        }

        /** Quantize only the layers whose dotted path matches {@code regex} (and those named by {@link #layer}); null: all. */
        public Builder only(String regex) {
            this.only = regex;
            return this;
        }

        /** The validated config. */
        public QuantConfig build() {
            return new QuantConfig(method, weightBits, activationBits, quantizeActivations, perChannel, range, quantizeFirst, quantizeLast,
                    layers, pactInitialAlpha, pamsDecay, only);
        }
    }
}
