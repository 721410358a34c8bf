package dev.tersor.compress.abs;

import dev.tersor.compress.quant.QuantScheme;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@link Abs#prepare} sets up the bit-width search.
 * <pre>{@code
 * AbsConfig c = AbsConfig.builder(1, 28, 28).budget(0.5).build();          // {2, 4, 8} for weights and inputs, half the W8A8 BOPs
 * AbsConfig w = AbsConfig.builder(3, 32, 32).weightBits(2, 4, 8).inputBits(8).pruneFilters(false).build();
 * }</pre>
 *
 * @param inputShape     one sample's input shape (no batch), to count each layer's MACs
 * @param weightBits     candidate weight bit widths, strictly increasing, each 2..8 (at least one)
 * @param inputBits      candidate input (activation) bit widths, the same way; one value: fixed
 * @param budget         the BOPs budget as a fraction of the searched layers' W8A8 BOPs, in (0, 1]
 * @param penaltyWeight  λ of the penalty {@code λ·max(0, BOPs/budget − 1)}, positive
 * @param perChannel     one weight clip α per output channel (else one per layer)
 * @param pruneFilters   learn the filter-wise 0-bit gate
 * @param quantizeFirst  search the first Conv2d/Linear too (it stays float by default)
 * @param quantizeLast   search the last Conv2d/Linear too (it stays float by default)
 */
public record AbsConfig(List<Integer> inputShape, List<Integer> weightBits, List<Integer> inputBits, double budget, float penaltyWeight,
                        boolean perChannel, boolean pruneFilters, boolean quantizeFirst, boolean quantizeLast) {

    public AbsConfig {
        if (inputShape == null || inputShape.isEmpty()) throw new IllegalArgumentException("AbsConfig: inputShape must name one sample's shape");
        for (Integer d : inputShape) {
            if (d == null || d < 1) throw new IllegalArgumentException("AbsConfig: inputShape must be positive, got " + inputShape);
        }
        inputShape = List.copyOf(inputShape);
        weightBits = candidates("weightBits", weightBits);
        inputBits = candidates("inputBits", inputBits);
        if (!(budget > 0 && budget <= 1)) throw new IllegalArgumentException("AbsConfig: budget must be in (0, 1] of the W8A8 BOPs, got " + budget);
        if (!(penaltyWeight > 0) || !Float.isFinite(penaltyWeight)) {
            throw new IllegalArgumentException("AbsConfig: penaltyWeight must be positive and finite, got " + penaltyWeight);
        }
    }

    private static List<Integer> candidates(String setting, List<Integer> bits) {
        if (bits == null || bits.isEmpty()) throw new IllegalArgumentException("AbsConfig: " + setting + " must name at least one bit width");
        for (int j = 0; j < bits.size(); j++) {
            Integer b = bits.get(j);
            if (b == null || b < QuantScheme.MIN_BITS || b > QuantScheme.MAX_BITS) {
                throw new IllegalArgumentException("AbsConfig: " + setting + " must be between " + QuantScheme.MIN_BITS + " and "
                        + QuantScheme.MAX_BITS + ", got " + bits);
            }
            if (j > 0 && b <= bits.get(j - 1)) throw new IllegalArgumentException("AbsConfig: " + setting + " must increase strictly, got " + bits);
        }
        return List.copyOf(bits);
    }

    /** One sample's input shape as an array. */
    public int[] inputShapeArray() {
        return inputShape.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A builder for samples of {@code inputShape}: {2, 4, 8} for weights and inputs, budget 0.5, λ 1, per-layer clips, filter pruning on. */
    public static Builder builder(int... inputShape) {
        return new Builder(inputShape);
    }

    /** Builds an {@link AbsConfig}; every setting is checked by {@link #build()}. */
    public static final class Builder {
        private final List<Integer> inputShape = new ArrayList<>();
        private List<Integer> weightBits = List.of(2, 4, 8), inputBits = List.of(2, 4, 8);
        private double budget = 0.5;
        private float penaltyWeight = 1f;
        private boolean perChannel, pruneFilters = true, quantizeFirst, quantizeLast;

        private Builder(int[] inputShape) {
            for (int d : inputShape) this.inputShape.add(d);
        }

        /** Candidate weight bit widths. */
        public Builder weightBits(int... bits) {
            this.weightBits = list(bits);
            return this;
        }

        /** Candidate input bit widths (one value: not searched). */
        public Builder inputBits(int... bits) {
            this.inputBits = list(bits);
            return this;
        }

        /** The budget as a fraction of the W8A8 BOPs. */
        public Builder budget(double fraction) {
            this.budget = fraction;
            return this;
        }

        /** λ of the budget penalty. */
        public Builder penaltyWeight(float lambda) {
            this.penaltyWeight = lambda;
            return this;
        }

        /** One weight clip per output channel. */
        public Builder perChannel(boolean on) {
            this.perChannel = on;
            return this;
        }

        /** Learn the filter-wise 0-bit gate. */
        public Builder pruneFilters(boolean on) {
            this.pruneFilters = on;
            return this;
        }

        /** Search the first Conv2d/Linear too. */
        public Builder quantizeFirst(boolean on) {
            this.quantizeFirst = on;
            return this;
        }

        /** Search the last Conv2d/Linear too. */
        public Builder quantizeLast(boolean on) {
            this.quantizeLast = on;
            return this;
        }

        /** The validated config. */
        public AbsConfig build() {
            return new AbsConfig(inputShape, weightBits, inputBits, budget, penaltyWeight, perChannel, pruneFilters, quantizeFirst, quantizeLast);
        }

        private static List<Integer> list(int[] bits) {
            List<Integer> out = new ArrayList<>();
            for (int b : bits) out.add(b);
            return out;
        }
    }
}
