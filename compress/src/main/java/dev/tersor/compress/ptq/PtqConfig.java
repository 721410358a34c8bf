package dev.tersor.compress.ptq;

import dev.tersor.compress.quant.QuantScheme;
import java.io.PrintStream;
import java.util.List;

/**
 * Post-training quantization settings. Weights are quantized per output channel, symmetric, to
 * {@code weightBits} ({@code QuantScheme.signed(weightBits, true)}, range per channel from its
 * min and max); each layer's input per tensor, affine, to {@code activationBits}
 * ({@code QuantScheme.affine(activationBits)}), with the range from an {@code observer}, or left in
 * float with {@code activationBits} {@value #WEIGHT_ONLY} (weight-only quantization).
 * <pre>{@code
 * PtqConfig c = PtqConfig.defaults().withObserver(ObserverKind.HISTOGRAM).withBiasCorrection(true).withProgress(System.out);
 * }</pre>
 *
 * @param observer       the activation observer
 * @param weightBits     2 to 8
 * @param activationBits 2 to 8, or {@value #WEIGHT_ONLY}: the inputs stay float
 * @param layers         dotted paths of the Conv2d/Linear layers to quantize; empty: every Conv2d and Linear
 * @param biasCorrection add the mean output error of the quantized weights to each bias (see {@link Calibration})
 * @param progress       where progress lines go, or null for none
 */
public record PtqConfig(ObserverKind observer, int weightBits, int activationBits, List<String> layers, boolean biasCorrection,
                        PrintStream progress) {
    /** {@code activationBits} of weight-only quantization: the layers' inputs stay float32. */
    public static final int WEIGHT_ONLY = 32;

    public PtqConfig {
        if (observer == null) throw new IllegalArgumentException("PtqConfig: observer must not be null");
        checkBits("weightBits", weightBits);
        if (activationBits != WEIGHT_ONLY) checkBits("activationBits", activationBits);
        if (layers == null) throw new IllegalArgumentException("PtqConfig: layers must not be null (empty means every Conv2d and Linear)");
        layers = List.copyOf(layers);
    }

    private static void checkBits(String name, int bits) {
        if (bits < QuantScheme.MIN_BITS || bits > QuantScheme.MAX_BITS) {
            throw new IllegalArgumentException("PtqConfig: " + name + " must be between " + QuantScheme.MIN_BITS + " and "
                    + QuantScheme.MAX_BITS + (name.equals("activationBits") ? " (or " + WEIGHT_ONLY + ": weight-only)" : "") + ", got " + bits);
        }
    }

    /** MINMAX observer, int8 weights and activations, every Conv2d and Linear, no bias correction, silent. */
    public static PtqConfig defaults() {
        return new PtqConfig(ObserverKind.MINMAX, 8, 8, List.of(), false, null);
    }

    public PtqConfig withObserver(ObserverKind kind) {
        return new PtqConfig(kind, weightBits, activationBits, layers, biasCorrection, progress);
    }

    public PtqConfig withBits(int weight, int activation) {
        return new PtqConfig(observer, weight, activation, layers, biasCorrection, progress);
    }

    public PtqConfig withLayers(List<String> paths) {
        return new PtqConfig(observer, weightBits, activationBits, paths, biasCorrection, progress);
    }

    public PtqConfig withBiasCorrection(boolean on) {
        return new PtqConfig(observer, weightBits, activationBits, layers, on, progress);
    }

    public PtqConfig withProgress(PrintStream out) {
        return new PtqConfig(observer, weightBits, activationBits, layers, biasCorrection, out);
    }

    /** The weight scheme: symmetric, per output channel. */
    public QuantScheme weightScheme() {
        return QuantScheme.signed(weightBits, true);
    }

    /** Whether the inputs stay float ({@code activationBits} {@value #WEIGHT_ONLY}). */
    public boolean weightOnly() {
        return activationBits == WEIGHT_ONLY;
    }

    /** The activation scheme: affine, per tensor; none for weight-only quantization. */
    public QuantScheme activationScheme() {
        if (weightOnly()) throw new IllegalStateException("weight-only quantization has no activation scheme");
        return QuantScheme.affine(activationBits);
    }
}
