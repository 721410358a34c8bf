package dev.tersor.tensor;

import dev.tersor.tensor.ConvPlan.Algorithm;
import dev.tersor.tensor.backend.Parallel;
import dev.tersor.tensor.backend.PlanSpace;
import dev.tersor.tensor.backend.Plans;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one place that decides how a convolution map runs ({@link ConvPlan}): the heuristic plan
 * ({@code -Dtersor.plans=heuristic}) and the candidates a measured plan is chosen from, and
 * whether a stride-1 input gradient runs as the flipped convolution.
 *
 * <pre>
 * depthwise (one input channel per group, several groups)   → DIRECT, split batch
 * lower, stride 1, padding within the kernel's reach          → SHIFTED_WINDOWS, ~COLUMNS columns per chunk
 *                                                             (WEIGHT_COLUMNS for a weight gradient alone)
 * otherwise                                                   → IM2COL_GEMM, ~COLUMNS columns per chunk (raise: 1 sample)
 * samples per chunk never exceed a thread's share of the batch, so the batch splits over threads
 * </pre>
 */
final class ConvPlanner {
    /** Which map of the geometry: lower to {@code out}, to {@code dW}, to both; or raise. */
    enum Role { FORWARD, WEIGHT, BOTH, RAISE }

    /**
     * Columns a lowered GEMM aims for: small images are lowered several to one column matrix, so
     * that each GEMM is wide enough to amortise packing the weight and the weight gradient's dot
     * products are long (measured on ResNet-20's 8×8 and 16×16 layers).
     */
    static final int COLUMNS = 1024;
    /**
     * Columns per chunk of a weight gradient alone on the spread layout: its GEMM is a set of
     * long dot products (k = columns), each ending in a lane reduction, and at 1024 columns those
     * reductions cost about a third of the time (ResNet-20's 16- to 64-channel layers, 1 thread:
     * 6.2 → 4.8 ms at 32×32, 6.3 → 4.9 ms at 16×16; 8×8 breaks even with im2col at 1024).
     */
    static final int WEIGHT_COLUMNS = 8192;
    /** DIRECT is timed for non-depthwise convolutions only with at most this many input channels per group. */
    private static final int DIRECT_MAX_CHANNELS = 4;

    private static final Map<Key, ConvPlan> PLANS = Plans.memo();

    /** The plan key: the geometry, batch, channels, groups, role and threads. */
    record Key(Role role, int channels, int height, int width, int outH, int outW, int kh, int kw, int sh, int sw,
               int ph, int pw, int dh, int dw, int batch, int smallChannels, int groups, int threads) {
        String text() {
            return role.name().toLowerCase(java.util.Locale.ROOT) + " " + channels + "x" + height + "x" + width + "->"
                    + smallChannels + "x" + outH + "x" + outW + " k" + kh + "x" + kw + " s" + sh + "x" + sw + " p" + ph + "x" + pw
                    + " d" + dh + "x" + dw + " g" + groups + " n" + batch + " t" + threads;
        }
    }

    private ConvPlanner() {
    }

    static Key key(ConvKernels k, Role role) {
        Im2col im = k.im;
        return new Key(role, im.channels, im.height, im.width, im.outH, im.outW, im.kh, im.kw, im.sh, im.sw, im.ph, im.pw,
                im.dh, im.dw, k.batch, k.groups * k.kg, k.groups, Parallel.effectiveThreads());
    }

    /** The plan of {@code role} for {@code k}; {@code trial} runs the map once with a plan on scratch outputs (measure mode). */
    static ConvPlan plan(ConvKernels k, Role role, java.util.function.Consumer<ConvPlan> trial) {
        Key key = key(k, role);
        return Plans.plan(PLANS, key, () -> PlanSpace.of("conv", key.text(),
                () -> ConvPlanner.heuristic(k, role, key.threads()), () -> ConvPlanner.candidates(k, role, key.threads()),
                ConvPlan::text, text -> {
                    ConvPlan p = ConvPlan.parse(text);
                    return p != null && valid(k, role, p) ? p : null;
                }, trial));
    }

    static ConvPlan heuristic(ConvKernels k, Role role, int threads) {
        if (k.depthwise) return new ConvPlan(Algorithm.DIRECT, 1, true);
        if (role != Role.RAISE && k.shifted != null) {
            return new ConvPlan(Algorithm.SHIFTED_WINDOWS, perChunk(k, true, target(role), threads), true);
        }
        return new ConvPlan(Algorithm.IM2COL_GEMM, role == Role.RAISE ? 1 : perChunk(k, false, COLUMNS, threads), true);
    }

    private static int target(Role role) {
        return role == Role.WEIGHT ? WEIGHT_COLUMNS : COLUMNS;
    }

    /** Samples per chunk: about {@code target} columns, and at most a thread's share of the batch (1 for a 1×1 kernel read in place). */
    private static int perChunk(ConvKernels k, boolean shiftedLayout, int target, int threads) {
        if (!shiftedLayout && k.im.isIdentity()) return 1;
        int perThread = (k.batch + threads - 1) / threads;
        int columns = shiftedLayout ? k.shifted.columnsPerImage() : k.positions;
        return Math.max(1, Math.min(target / columns, perThread));
    }

    /** The heuristic plan first, then the other chunkings and algorithms; all valid. */
    static List<ConvPlan> candidates(ConvKernels k, Role role, int threads) {
        Set<ConvPlan> out = new LinkedHashSet<>();
        ConvPlan h = heuristic(k, role, threads);
        out.add(h);
        if (role != Role.RAISE) {
            int target = target(role);
            if (k.shifted != null) {
                out.add(new ConvPlan(Algorithm.SHIFTED_WINDOWS, perChunk(k, true, target, threads), true));
                out.add(new ConvPlan(Algorithm.SHIFTED_WINDOWS, perChunk(k, true, target, 1), false));
            }
            out.add(new ConvPlan(Algorithm.IM2COL_GEMM, perChunk(k, false, COLUMNS, threads), true));
            out.add(new ConvPlan(Algorithm.IM2COL_GEMM, perChunk(k, false, COLUMNS, 1), false));
        } else {
            out.add(new ConvPlan(Algorithm.IM2COL_GEMM, 1, true));
            out.add(new ConvPlan(Algorithm.IM2COL_GEMM, 1, false));
        }
        if (k.depthwise || k.cg <= DIRECT_MAX_CHANNELS) {
            out.add(new ConvPlan(Algorithm.DIRECT, 1, true));
            out.add(new ConvPlan(Algorithm.DIRECT, 1, false));
        }
        List<ConvPlan> list = new ArrayList<>();
        for (ConvPlan p : out) if (valid(k, role, p) && (threads > 1 || p.splitBatch())) list.add(p);   // one thread: no split to choose
        return list;
    }

    /**
     * Whether {@code p} can run {@code role} of {@code k}: SHIFTED_WINDOWS needs a stride-1
     * lowering that fits the spread layout; DIRECT and every raise take one sample per chunk, and
     * so does IM2COL_GEMM with a 1×1 kernel read in place; chunks hold at most the batch.
     */
    static boolean valid(ConvKernels k, Role role, ConvPlan p) {
        if (p.samplesPerChunk() > k.batch) return false;
        return switch (p.algorithm()) {
            case SHIFTED_WINDOWS -> role != Role.RAISE && k.shifted != null;
            case DIRECT -> p.samplesPerChunk() == 1;
            case IM2COL_GEMM -> p.samplesPerChunk() == 1 || (role != Role.RAISE && !k.im.isIdentity());
        };
    }

    /**
     * For stride 1 the input gradient is itself a convolution: of the output gradient, with the
     * weight flipped and its channel axes swapped, and padding {@code d·(k − 1) − p}. Its
     * im2col copies runs instead of col2im's scattered adds, and its GEMM is as deep as the
     * forward one; it pays when the output has at most twice the input's channels (the columns
     * lowered are those of the output gradient). (A heuristic rule; not measured yet.)
     */
    static boolean flipInputGradient(ConvKernels forward, int outChannels, Conv2dOptions o) {
        Im2col im = forward.im;
        int padH = o.dilationH() * (im.kh - 1) - o.padH(), padW = o.dilationW() * (im.kw - 1) - o.padW();
        return !forward.depthwise && o.strideH() == 1 && o.strideW() == 1 && padH >= 0 && padW >= 0
                && outChannels <= 2 * im.channels;
    }
}
