package dev.tersor.compress.abs;

import dev.tersor.compress.quant.QuantScheme;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The candidate quantization grids of one tensor, each nested in the next, so that a higher bit
 * width is the lower one plus a quantized re-assignment offset (the super-bit decomposition of
 * ABS, Liu et al., arXiv 2101.04935; the doubling form is Bayesian Bits', van Baalen et al. 2020,
 * arXiv 2005.07093). With the clip α and the normalised value
 * {@code ū = clamp(fl(x/α), lo, 1)} (lo = −1 for signed, 0 for unsigned grids), grid j has
 * {@code M_j} positive levels and step {@code α/M_j}:
 * <pre>
 * q_j = ⌊ū·M_j + ½⌋                                  direct b_j-bit code, in [lo·M_j, M_j]
 * δ_0 = q_0,   δ_j = ⌊(ū − q_{j−1}/M_{j−1})·M_j + ½⌋ = ⌊ū·M_j − R_j·q_{j−1} + ½⌋     re-assignment offsets
 * q_j = R_j·q_{j−1} + δ_j,    x̂_j = α·q_j/M_j = x̂_{j−1} + (α/M_j)·δ_j                 (exactly)
 * </pre>
 * where {@code R_j = M_j / M_{j−1}} is an integer: the levels are chained as
 * {@code M_0 = Q(b_0)}, {@code M_j = M_{j−1}·⌊Q(b_j)/M_{j−1}⌋} with {@code Q(b) = 2^b − 1}
 * (unsigned) or {@code 2^(b−1) − 1} (signed, symmetric: zero point 0, as integer conversion needs).
 * For unsigned {2, 4, 8} this is the usual [0, 1] grid of step {@code 1/(2^b − 1)} exactly (3, 15,
 * 255 levels, each divides the next: the bit widths double); for signed {2, 4, 8} it gives
 * M = 1, 7, 126 (ternary, [−7, 7], [−126, 126]: the 8-bit grid gives up one level so that it
 * still contains the 4-bit one). Candidates that do not double cost levels: signed {2, 3, ..., 8}
 * chains to M = 1, 3, 6, 12, 24, 48, 96.
 * Both ends ±α are on every grid, so once ū is clamped the offsets need no clamp of their own
 * and {@code |δ_j| ≤ ⌈R_j/2⌉}.
 * <p>
 * Rounding is half up ({@code ⌊·+½⌋}, not ties-to-even), which commutes with adding an integer,
 * and {@code ū·M_j} is computed in double, where it is exact (24 + 7 significant bits): so the sum
 * of the offsets equals the direct code bit for bit, ties included.
 */
public final class NestedGrid {
    private final int[] bits, levels;
    private final boolean signed;

    /**
     * The grids for candidate bit widths {@code bits} (strictly increasing, each in 2..8), signed
     * (symmetric around 0) or unsigned ([0, α]).
     */
    public NestedGrid(List<Integer> bits, boolean signed) {
        if (bits == null || bits.isEmpty()) throw new IllegalArgumentException("NestedGrid: bits must name at least one bit width");
        this.bits = new int[bits.size()];
        this.levels = new int[bits.size()];
        this.signed = signed;
        for (int j = 0; j < this.bits.length; j++) {
            Integer b = bits.get(j);
            if (b == null) throw new IllegalArgumentException("NestedGrid: bit width " + j + " is null");
            QuantScheme.checkBits(b);
            if (j > 0 && b <= this.bits[j - 1]) {
                throw new IllegalArgumentException("NestedGrid: bits must increase strictly, got " + bits);
            }
            this.bits[j] = b;
            int most = signed ? (1 << (b - 1)) - 1 : (1 << b) - 1;
            levels[j] = j == 0 ? most : levels[j - 1] * (most / levels[j - 1]);
        }
    }

    /** Number of candidate bit widths. */
    public int size() {
        return bits.length;
    }

    /** Whether the grid is symmetric around 0 (else it covers [0, α]). */
    public boolean signed() {
        return signed;
    }

    /** The bit width of candidate {@code j}. */
    public int bits(int j) {
        return bits[j];
    }

    /** The candidate bit widths. */
    public List<Integer> bitList() {
        List<Integer> out = new ArrayList<>();
        for (int b : bits) out.add(b);
        return out;
    }

    /** {@code M_j}: the largest code of candidate j (its step is α/M_j). */
    public int levels(int j) {
        return levels[j];
    }

    /** {@code R_j = M_j / M_{j−1}} (1 for j = 0). */
    public int ratio(int j) {
        return j == 0 ? 1 : levels[j] / levels[j - 1];
    }

    /** The smallest code of candidate j: {@code −M_j} signed, 0 unsigned. */
    public int qmin(int j) {
        return signed ? -levels[j] : 0;
    }

    /** The largest code of candidate j, {@code M_j}. */
    public int qmax(int j) {
        return levels[j];
    }

    /** The clip window's lower end in units of α: −1 signed, 0 unsigned. */
    public float lower() {
        return signed ? -1f : 0f;
    }

    /** {@code ū = clamp(u, lo, 1)}. */
    public float clamp(float u) {
        return Math.max(lower(), Math.min(1f, u));
    }

    /** The direct code {@code q_j = ⌊ū·M_j + ½⌋} of a clamped ū. */
    public int code(float clamped, int j) {
        return (int) Math.floor((double) clamped * levels[j] + 0.5);
    }

    /**
     * The re-assignment offsets of a clamped ū: {@code δ_0 = q_0} and, for j ≥ 1, the residual
     * {@code ū − q_{j−1}/M_{j−1}} rounded on grid j, {@code ⌊ū·M_j − R_j·q_{j−1} + ½⌋}.
     */
    public int[] offsets(float clamped) {
        int[] d = new int[bits.length];
        int previous = 0;
        for (int j = 0; j < bits.length; j++) {
            double residual = (double) clamped * levels[j] - (double) ratio(j) * previous;
            d[j] = (int) Math.floor(residual + 0.5);
            previous = ratio(j) * previous + d[j];
        }
        return d;
    }

    /** The code on grid {@code top} of the offsets {@code δ_0..δ_j}: {@code Σ_{i≤j} (M_top/M_i)·δ_i}. */
    public int sum(int[] offsets, int j, int top) {
        int c = 0;
        for (int i = 0; i <= j; i++) c += levels[top] / levels[i] * offsets[i];
        return c;
    }

    /** The value of code {@code q} on grid j: {@code fl(α·(q/M_j))}, evaluated in double. */
    public float value(float alpha, int q, int j) {
        return (float) (alpha * ((double) q / levels[j]));
    }

    @Override
    public String toString() {
        return "NestedGrid[bits=" + Arrays.toString(bits) + ", levels=" + Arrays.toString(levels) + (signed ? ", signed" : ", unsigned") + "]";
    }
}
